"""dashboard/editable: a dashboard built from code is not editable in Grafana's UI (dashboard-linter
uneditable-dashboard)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import DashboardContext


@rule(id="dashboard/editable", scope=Scope.DASHBOARD, severity=Severity.WARNING,
      summary="dashboard editable in the UI")
def check(dashboard: DashboardContext) -> Iterator[Problem]:
    # Grafana treats a dashboard without `editable` as editable.
    if dashboard.model.get("editable", True) is not False:
        yield Problem(
            message="the dashboard is editable in Grafana's UI: edits made there cannot be saved "
            "to a provisioned dashboard and are lost on the next sync, while the code is what deploys",
            hint="Dashboard(..., editable=False); change the Python definition instead",
        )
