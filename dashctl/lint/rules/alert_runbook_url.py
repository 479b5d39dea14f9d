"""alert/runbook-url: a critical alert rule links its runbook."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext


@rule(id="alert/runbook-url", scope=Scope.ALERT, severity=Severity.ERROR,
      summary="critical alert rule without a runbook_url")
def check(alert: AlertContext) -> Iterator[Problem]:
    if alert.labels.get("severity") == "critical" and not alert.annotations.get("runbook_url", "").strip():
        yield Problem(
            message="the rule is critical and has no runbook_url: whoever is paged at night needs to "
            "know what to do",
            hint="runbook_url=\"https://...\" (a page per rule, named after its uid)",
            location=alert.location,
        )
