"""panel/title-description: every panel has a title and a description (dashboard-linter
panel-title-description-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.panel_types import STATIC_PANEL_TYPES
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import PanelContext


@rule(id="panel/title-description", scope=Scope.PANEL, severity=Severity.WARNING,
      summary="panel without a title or a description")
def check(panel: PanelContext) -> Iterator[Problem]:
    if panel.type in STATIC_PANEL_TYPES:
        return
    if not panel.title.strip():
        yield Problem(
            message=f"the {panel.type or 'untyped'} panel has no title: readers, links and alert rules "
            "(DashboardPanel(panel=...)) know a panel by its title",
            hint="title=\"...\": what the panel shows, in a few words",
        )
    if not str(panel.panel.get("description") or "").strip():
        yield Problem(
            message="the panel has no description: say what it shows and how it is "
            "computed; Grafana shows it in the (i) tooltip next to the title",
            hint="description=\"...\"",
        )
