"""`dashctl diff`: what the working tree would deploy, compared with the committed output of a base revision."""

from __future__ import annotations

from pathlib import Path

import click

from dashctl.cli.failure import EXIT_DIFFERENCES
from dashctl.cli.options import environment_option, project_option

__all__ = ["diff"]


@click.command()
@click.option(
    "--base",
    metavar="REF",
    default=None,
    help="Git revision whose committed deploy/ is the base (default: origin/main if it exists, else main, else HEAD).",
)
@environment_option
@project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull-request comment, json for tools.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when something differs (default: exit 0 either way).")
def diff(
    base: str | None, environments: tuple[str, ...], project_dir: Path | None, output_format: str, exit_code: bool
) -> None:
    """Compare deploy/ as committed at a base revision with a fresh build of the working tree.

    Object by object: alert rules (threshold, for, severity, labels, routing...), dashboards and their panels,
    datasources, contact points (secrets masked), the notification policy tree and pending deletions. The
    working tree and the git index are not touched.

    Exit codes: 0 no differences (or differences without --exit-code), 1 differences with --exit-code,
    2 usage error (such as an unknown --base), 3 the working tree does not build.
    """
    from dashctl.diff import diff_revision, render
    from dashctl.project.config import load_project

    project = load_project(project_dir)
    result = diff_revision(project, base=base, environments=environments)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(render(result, output_format), nl=False)
    if exit_code and result.has_differences:
        raise SystemExit(EXIT_DIFFERENCES)
