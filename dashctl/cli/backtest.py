"""`dashctl backtest`: how often and how long each changed alert rule would have fired, before and after."""

from __future__ import annotations

import time
from pathlib import Path

import click

from dashctl.cli.options import environment_option, project_option

__all__ = ["backtest", "backtest_options"]


def backtest_options(function):
    """The window and datasource options, shared with `dashctl diff --backtest`."""
    for option in reversed([
        click.option("--since", default="7d", show_default=True, metavar="DURATION|TIME",
                     help="Start of the window: a duration back from --until (7d, 36h) or a time (RFC 3339 or "
                     "unix seconds)."),
        click.option("--until", default=None, metavar="TIME", help="End of the window (default: now)."),
        click.option("--prometheus", "prometheus_url", default=None, metavar="URL",
                     help="Prometheus to query instead of the environment's prometheus_url. Credentials: "
                     "DASHCTL_PROMETHEUS_TOKEN, or DASHCTL_PROMETHEUS_USER and DASHCTL_PROMETHEUS_PASSWORD."),
        click.option("--loki", "loki_url", default=None, metavar="URL",
                     help="Loki to query instead of the environment's loki_url. Credentials: DASHCTL_LOKI_TOKEN, "
                     "or _USER and _PASSWORD; DASHCTL_LOKI_TENANT sets X-Scope-OrgID."),
    ]):
        function = option(function)
    return function


@click.command()
@click.option("--base", metavar="REF", default=None,
              help="Git revision whose committed rules are the 'before' (default: origin/main, else main, else HEAD).")
@environment_option
@project_option
@backtest_options
@click.option("--rule", "rule_uids", multiple=True, metavar="UID",
              help="Backtest this rule (repeatable) whether or not it changed; default: every changed rule.")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="text for a terminal, markdown for a pull-request comment, json for tools.")
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Write one PNG chart per rule and environment into DIR (needs matplotlib: "
              "pip install 'dashctl[plots]').")
@click.option("--artifact-url", default=None, metavar="URL",
              help="Link the Markdown output to the uploaded PNG charts (CI sets it).")
def backtest(base: str | None, environments: tuple[str, ...], project_dir: Path | None, since: str,
             until: str | None, prometheus_url: str | None, loki_url: str | None, rule_uids: tuple[str, ...],
             output_format: str, plots_dir: Path | None, artifact_url: str | None) -> None:
    """Replay the old and the new version of each changed alert rule over real history.

    For every alert rule whose queries, condition, for, keep_firing_for, no-data or error handling or interval
    differ between --base and the working tree (or each --rule), query the environment's Prometheus or Loki
    (query_range, in chunks) over the window and evaluate both versions as Grafana would: the expressions at each
    evaluation of the group's interval, then the state machine per label set. Reports per version: firing
    episodes (in all and per label set), time firing, the longest episode, the first and last fire, and the
    evaluations without data or in error. See docs/backtest.md.

    Exit codes: 0 done, 2 usage error (unknown rule, bad time), 3 the working tree does not build or a URL is not
    configured, 4 Prometheus or Loki unreachable.
    """
    from dashctl.backtest import backtest_revision, parse_window, render
    from dashctl.project.config import load_project

    project = load_project(project_dir)
    window = parse_window(since, until, now=time.time())
    report = backtest_revision(
        project, base=base, environments=environments, window=window, rule_uids=rule_uids,
        overrides={"prometheus": prometheus_url, "loki": loki_url},
        progress=lambda message: click.echo(message, err=True),
    )
    if plots_dir is not None:
        from dashctl.backtest.plots import plot_report

        for path in plot_report(report, plots_dir):
            click.echo(f"wrote {path}", err=True)
    click.echo(render(report, output_format, artifact_url=artifact_url), nl=False)
