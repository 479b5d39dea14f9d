"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

from dashctl.cli.completion import complete_environments

__all__ = ["allow_http_option", "environment_option", "project_option", "warn_cleartext"]

environment_option = click.option(
    "--env",
    "environments",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_environments,
    help="Environment to work on; repeat for several. Default: every configured environment.",
)

project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project directory (default: found by walking up from the current directory).",
)

allow_http_option = click.option(
    "--allow-http",
    is_flag=True,
    help="Send credentials over plain http:// to a host that is not loopback (prints a warning).",
)


def warn_cleartext(url: str) -> None:
    """Say on stderr, once per connection, that credentials travel unencrypted (loopback or --allow-http)."""
    from dashctl.grafana.cleartext import credentials_in_clear

    if credentials_in_clear(url):
        click.echo(f"warning: credentials are sent unencrypted to {url} (plain http://)", err=True)
