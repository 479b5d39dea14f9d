"""`dashctl init DIR`: scaffold a project."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["init"]


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Create a dashctl project in DIRECTORY: dashctl.toml, example datasources, a dashboard and an alert rule.

    Nothing that exists is overwritten. Then: cd DIRECTORY && dashctl build.
    """
    from dashctl.project.scaffold import scaffold_project

    for path in scaffold_project(directory):
        click.echo(f"created {directory / path}")
    click.echo(f"next: cd {directory} && dashctl build", err=True)
