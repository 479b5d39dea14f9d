"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

from dashctl.cli.completion import complete_environments

__all__ = ["environment_option", "project_option"]

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
