"""`dashctl diff`: what the working tree would deploy, compared with the committed output of a base revision."""

from __future__ import annotations

from pathlib import Path

import click

from dashctl.cli.backtest import backtest_options
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
@click.option("--backtest", "with_backtest", is_flag=True,
              help="Also replay each changed alert rule over real history (dashctl backtest) and add its figures "
              "and charts; --since, --until, --prometheus and --loki as for dashctl backtest.")
@backtest_options
@click.option("--artifact-url", default=None, metavar="URL", help="With --backtest: link the uploaded PNG charts.")
def diff(
    base: str | None, environments: tuple[str, ...], project_dir: Path | None, output_format: str, exit_code: bool,
    with_backtest: bool, since: str, until: str | None, prometheus_url: str | None, loki_url: str | None,
    artifact_url: str | None,
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
    if with_backtest:
        click.echo(_with_backtest(project, result, output_format, base=base, environments=environments,
                                  since=since, until=until, artifact_url=artifact_url,
                                  overrides={"prometheus": prometheus_url, "loki": loki_url}), nl=False)
    else:
        click.echo(render(result, output_format), nl=False)
    if exit_code and result.has_differences:
        raise SystemExit(EXIT_DIFFERENCES)


def _with_backtest(project, result, output_format: str, *, base: str | None, environments: tuple[str, ...],
                   since: str, until: str | None, artifact_url: str | None, overrides: dict) -> str:
    """The diff with the backtest of its changed rules: a section of the comment, a block of text, a JSON key."""
    import json
    import time

    from dashctl.backtest import backtest_revision, parse_window
    from dashctl.backtest.render import render_json, render_markdown, render_text
    from dashctl.diff import render
    from dashctl.diff.render import COMMENT_LIMIT

    report = backtest_revision(project, base=base, environments=environments,
                               window=parse_window(since, until, now=time.time()), overrides=overrides,
                               progress=lambda message: click.echo(message, err=True))
    if output_format == "markdown":
        from dashctl.diff.render import render_markdown as diff_markdown

        # The backtest may take at most half of the comment; the diff's sections fill what is left.
        appendix = render_markdown(report, limit=COMMENT_LIMIT // 2, artifact_url=artifact_url,
                                   heading="### What the changed alert rules would have done")
        return diff_markdown(result, appendix="\n" + appendix)
    if output_format == "json":
        document = json.loads(render(result, "json"))
        document["backtest"] = json.loads(render_json(report))
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return render(result, "text") + "\n" + render_text(report)
