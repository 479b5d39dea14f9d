"""`dashctl init DIR`: scaffold a project."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["init"]


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Create a dashctl project in DIRECTORY: dashctl.toml, example datasources, a dashboard and an alert rule,
    a CI workflow (.github/workflows/dashctl.yml) that installs this dashctl version, a .gitignore and a README.

    Nothing that exists is overwritten: an existing .gitignore, README.md or workflow is kept.
    Then: cd DIRECTORY && dashctl build.
    """
    from dashctl.project.scaffold import scaffold_project

    result = scaffold_project(directory)
    for path in result.written:
        click.echo(f"created {directory / path}")
    for path in result.kept:
        click.echo(f"kept {directory / path} (it exists; compare it with `dashctl init` in an empty directory)",
                   err=True)
    here = directory.resolve() == Path.cwd().resolve()
    click.echo("next: dashctl build" if here else f"next: cd {directory} && dashctl build", err=True)
