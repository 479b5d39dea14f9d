"""panel/no-targets: a panel that shows data has a query (dashboard-linter panel-no-targets-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.panel_types import DATA_PANEL_TYPES
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import PanelContext


@rule(id="panel/no-targets", scope=Scope.PANEL, severity=Severity.ERROR, summary="panel without a query")
def check(panel: PanelContext) -> Iterator[Problem]:
    if panel.type not in DATA_PANEL_TYPES or "libraryPanel" in panel.panel:
        return  # a library panel's queries live in Grafana's library, not in the dashboard
    targets = panel.targets
    if not targets:
        yield Problem(
            message=f"the {panel.type} panel has no query: Grafana shows \"No data\"",
            hint="targets=[Target(expr=..., refId=\"A\")], or use a text panel for static content",
        )
    elif all(target.get("hide") for target in targets):
        yield Problem(
            message="every query of the panel is hidden: Grafana shows \"No data\"",
            hint="un-hide at least one query (hide=False), or remove the panel",
        )
