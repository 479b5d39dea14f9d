"""alert/severity: every alert rule has a severity label the routing knows (mixtool alert-severity-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.alerts.model import SEVERITIES
from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext


@rule(id="alert/severity", scope=Scope.ALERT, severity=Severity.ERROR, summary="alert rule without a valid severity")
def check(alert: AlertContext) -> Iterator[Problem]:
    severity = alert.labels.get("severity")
    if not severity:
        yield Problem(
            message="the rule has no severity label: the notification policy cannot tell a page "
            "from a ticket",
            hint=f"AlertRule(severity=...), one of {', '.join(SEVERITIES)}",
            location=alert.keyword_location("severity"),
            value=alert.rule.severity,
        )
    elif severity not in SEVERITIES:
        yield Problem(
            message=f"the rule has severity {severity!r}; routes match {', '.join(SEVERITIES)}",
            hint=f"one of {', '.join(SEVERITIES)}",
            location=alert.keyword_location("severity"),
            value=alert.rule.severity,
        )
