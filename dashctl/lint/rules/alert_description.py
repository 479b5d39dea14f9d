"""alert/description: every alert rule has a description (mixtool alert-description-missing-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext


@rule(id="alert/description", scope=Scope.ALERT, severity=Severity.WARNING, summary="alert rule without a description")
def check(alert: AlertContext) -> Iterator[Problem]:
    if not alert.annotations.get("description", "").strip():
        yield Problem(
            message="the rule has no description: whoever receives it learns what fired, not "
            "what it means or how bad it is",
            hint="description=\"...\": what the condition means, its threshold, the likely impact",
            location=alert.location,
        )
