"""`dashctl lint`: check the definitions against the rule catalogue (docs/lint.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dashctl.cli.completion import complete_rule_ids
from dashctl.cli.failure import EXIT_DIFFERENCES
from dashctl.cli.options import environment_option, project_option

__all__ = ["lint"]

_SEVERITIES = ("info", "warning", "error")


@click.command()
@environment_option
@project_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True,
              help="text: findings with their source line; json: one document (docs/lint.md); github: workflow "
              "annotations for GitHub Actions; sarif: SARIF 2.1.0 for code scanning.")
@click.option("--min-severity", type=click.Choice(_SEVERITIES, case_sensitive=False), default="warning",
              show_default=True, help="Report findings of this severity or worse; the others are ignored.")
@click.option("--fail-on", type=click.Choice(_SEVERITIES, case_sensitive=False), default="error",
              show_default=True, help="Exit 1 when a reported finding is of this severity or worse.")
@click.option("--list-rules", is_flag=True, help="Print the rule catalogue (id, scope, severity, summary) and exit.")
@click.option("--rule", "rule_ids", multiple=True, metavar="ID", shell_complete=complete_rule_ids,
              help="Run only this rule (e.g. panel/units); repeat for several.")
@click.option("--live", is_flag=True,
              help="Also run the live rules (promql/series, promql/label, promql/metric-type) against each "
              "environment's Prometheus (its prometheus_url, or --prometheus).")
@click.option("--prometheus", "prometheus_url", default=None, metavar="URL",
              help="With --live: the Prometheus to ask, instead of each environment's prometheus_url. Credentials: "
              "DASHCTL_PROMETHEUS_TOKEN, or DASHCTL_PROMETHEUS_USER and DASHCTL_PROMETHEUS_PASSWORD.")
def lint(environments: tuple[str, ...], project_dir: Path | None, output_format: str, min_severity: str,
         fail_on: str, list_rules: bool, rule_ids: tuple[str, ...], live: bool, prometheus_url: str | None) -> None:
    """Check dashboards and alert rules against the lint rules; each finding names its file and line.

    Every environment is built (invalid queries are findings, not build errors) and a finding that is the same in
    several environments is reported once. Silence one next to its definition with
    `# dashctl-lint: ignore[rule/id] reason: why`.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error, 3 the definitions do
    not build.
    """
    from dashctl.lint import Severity, all_rules

    if list_rules:
        rules = all_rules()
        width = max(len(item.id) for item in rules)
        for item in rules:
            click.echo(f"{item.id:<{width}}  {item.scope.value:<11}  {item.severity.label:<7}  {item.summary}")
        return

    from dashctl.lint import lint_project
    from dashctl import __version__
    from dashctl.cli.colour import colour_enabled, paint
    from dashctl.lint.render import render_github, render_json, render_sarif, render_summary, render_text
    from dashctl.project.config import load_project

    from dashctl.lint.registry import select_rules

    selected = select_rules(rule_ids) if rule_ids else None
    project = load_project(project_dir)
    if prometheus_url and not live:
        raise click.UsageError("--prometheus needs --live")
    inventories = _inventories(project, environments, prometheus_url) if live else None
    try:
        report = lint_project(project, environments, rules=selected, live=inventories).at_least(
            Severity.parse(min_severity))
    finally:
        for inventory in {id(item): item for item in (inventories or {}).values()}.values():
            inventory.client.close()
    if output_format == "json":
        click.echo(render_json(report), nl=False)
    elif output_format == "github":
        click.echo(render_github(report, prefix=_workspace_prefix(project.root)), nl=False)
    elif output_format == "sarif":
        click.echo(render_sarif(report, version=__version__, prefix=_workspace_prefix(project.root)), nl=False)
    else:
        colour = colour_enabled()
        text = render_text(report, paint=lambda word, severity: paint(word, severity.label, enabled=colour))
        click.echo(text, nl=False, color=colour)
    click.echo(render_summary(report), err=True)
    if report.fails(Severity.parse(fail_on)):
        raise SystemExit(EXIT_DIFFERENCES)


def _inventories(project, environments: tuple[str, ...], override: str | None) -> dict:
    """One PrometheusInventory per environment; environments that query the same URL share it."""
    from dashctl.datasource_api import DatasourceClient, resolve_endpoint
    from dashctl.lint.live import PrometheusInventory

    by_url: dict[str, PrometheusInventory] = {}
    found = {}
    for environment in project.select_environments(environments):
        endpoint = resolve_endpoint("prometheus", environment, override=override)
        if endpoint.url not in by_url:
            by_url[endpoint.url] = PrometheusInventory(client=DatasourceClient(endpoint))
        found[environment.name] = by_url[endpoint.url]
    return found


def _workspace_prefix(root: Path) -> str:
    """The project's directory relative to the repository GitHub annotates (GITHUB_WORKSPACE, else the cwd)."""
    base = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        relative = root.resolve().relative_to(base)
    except ValueError:
        return ""
    return "" if str(relative) == "." else relative.as_posix()
