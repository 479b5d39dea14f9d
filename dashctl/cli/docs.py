"""`dashctl docs`: where the documentation is, from the links the installed distribution carries."""

from __future__ import annotations

import click

from dashctl.errors import UsageError

__all__ = ["TOPICS", "docs", "documentation_url"]

# The pages of docs/, each with what it covers; a test keeps this list equal to the folder.
TOPICS = {
    "alerts": "alert rules, contact points, notification policies, unit tests",
    "authoring": "writing dashboards: panels, queries, layout, environments",
    "backtest": "dashctl backtest: what an alert rule change would have done over real history",
    "cli": "every command and option, exit codes",
    "configuration": "dashctl.toml / [tool.dashctl]: roots, output, environments",
    "deploy": "what the build writes, ownership of deploy/, crash safety",
    "diff": "dashctl diff: reviewing a change",
    "import": "bringing existing dashboards and alert rules in",
    "lint": "dashctl lint and its rules, lint --live against Prometheus",
    "panels": "a typed factory for every core panel type, with its signature",
    "presets": "RED and logs rows, signals, variables",
    "preview": "pushing a branch into a running Grafana",
}


@click.command()
@click.argument("topic", required=False)
def docs(topic: str | None) -> None:
    """Print where the documentation is: every page, or the page of TOPIC (e.g. `dashctl docs alerts`)."""
    base = documentation_url()
    if topic is not None:
        if topic not in TOPICS:
            raise UsageError(f"no documentation page {topic!r}; the pages are: {', '.join(sorted(TOPICS))}")
        click.echo(f"{base}/{topic}.md")
        return
    click.echo(f"dashctl documentation: {base}/")
    for name, about in TOPICS.items():
        click.echo(f"  {name}: {about}\n    {base}/{name}.md")


def documentation_url() -> str:
    """The `Documentation` project URL of the installed distribution (pyproject.toml [project.urls])."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        links = metadata("dashctl").get_all("Project-URL") or []
    except PackageNotFoundError:
        links = []
    for link in links:
        label, _, url = link.partition(",")
        if label.strip().lower() == "documentation":
            return url.strip().rstrip("/")
    raise UsageError("this installation of dashctl carries no documentation link; see docs/ in its repository")
