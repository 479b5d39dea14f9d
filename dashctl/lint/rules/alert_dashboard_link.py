"""alert/dashboard-link: an alert rule links the dashboard panel that shows its query."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext


@rule(id="alert/dashboard-link", scope=Scope.ALERT, severity=Severity.INFO,
      summary="alert rule without a dashboard link")
def check(alert: AlertContext) -> Iterator[Problem]:
    if getattr(alert.rule, "dashboard", None) is None and "dashboardUid" not in alert.compiled.provisioning:
        yield Problem(
            message="the rule links no dashboard panel: its notification has no \"View "
            "dashboard\" and \"View panel\" buttons, and no panel shows its state",
            hint="dashboard=DashboardPanel(uid=\"...\", panel=\"<panel title>\")",
            location=alert.location,
        )
