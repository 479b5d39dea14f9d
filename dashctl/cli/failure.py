"""The one place where library errors become messages on stderr and exit codes (DESIGN.md §7).

0 success or no differences; 1 findings or differences; 2 usage error; 3 definition, load or compile error;
4 Grafana or network error.
"""

from __future__ import annotations

import click

from dashctl.cli.display import counted, shown_path
from dashctl.errors import DashctlError, DefinitionErrors, DefinitionInterrupted

__all__ = ["EXIT_CLOSED_PIPE", "EXIT_DIFFERENCES", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "report_closed_pipe",
           "report_error", "report_interrupted", "report_stopped", "report_unexpected"]

EXIT_DIFFERENCES = 1
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader closed the pipe


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


def report_closed_pipe() -> int:
    """Standard output's reader closed the pipe: nothing to say (there is nobody to read it). Standard output is
    pointed at the null device so that the interpreter's last flush does not fail again."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_CLOSED_PIPE


def report_interrupted(interrupted: DefinitionInterrupted) -> int:
    """Ctrl-C while a definition ran: name it and the line it was on, so a hang can be found."""
    where = ""
    if interrupted.location is not None:
        where = f" at {shown_path(interrupted.location.file)}" + (
            f":{interrupted.location.line}" if interrupted.location.line else ""
        )
    click.echo(f"interrupted while running {interrupted.definition}{where}", err=True)
    return EXIT_INTERRUPTED


def report_stopped() -> int:
    """Ctrl-C anywhere else: the output is swapped in whole or not at all (dashctl.compiler.swap), so only say so."""
    click.echo("interrupted", err=True)
    return EXIT_INTERRUPTED
