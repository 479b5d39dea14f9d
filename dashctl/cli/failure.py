"""The one place where library errors become messages on stderr and exit codes (DESIGN.md §7).

0 success or no differences; 1 findings or differences; 2 usage error; 3 definition, load or compile error;
4 Grafana or network error.
"""

from __future__ import annotations

import click

from dashctl.cli.counts import counted
from dashctl.errors import DashctlError, DefinitionErrors

__all__ = ["EXIT_DIFFERENCES", "EXIT_INTERNAL", "report_error", "report_unexpected"]

EXIT_DIFFERENCES = 1
EXIT_INTERNAL = 3


def report_error(error: DashctlError) -> int:
    """Print a library error for a person and return the exit code it stands for."""
    if isinstance(error, DefinitionErrors):
        for item in error.errors:
            click.echo(f"error: {item}", err=True)
        click.echo(f"{counted(len(error.errors), 'problem')} found; nothing was written.", err=True)
    else:
        click.echo(f"error: {error}", err=True)
    return error.exit_code


def report_unexpected(error: BaseException) -> int:
    """A failure dashctl did not foresee: say so briefly; `--debug` shows the traceback."""
    click.echo(f"error: internal error: {type(error).__name__}: {error}", err=True)
    click.echo("  this is a bug in dashctl; run again with --debug for the traceback and report it", err=True)
    return EXIT_INTERNAL
