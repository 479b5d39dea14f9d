"""alert/summary: every alert rule has a one-line summary (mixtool alert-summary-missing-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext


@rule(id="alert/summary", scope=Scope.ALERT, severity=Severity.WARNING, summary="alert rule without a one-line summary")
def check(alert: AlertContext) -> Iterator[Problem]:
    summary = alert.annotations.get("summary", "")
    if not summary.strip():
        yield Problem(
            message="the rule has no summary: the notification says only the rule's title",
            hint="summary=\"...\": one line that says what is wrong, e.g. '{{ $labels.pod }} restarts often'",
            location=alert.keyword_location("summary"),
        )
    elif "\n" in summary.strip():
        yield Problem(
            message="the summary spans several lines: it is the notification's "
            "title line in Slack, PagerDuty and e-mail",
            hint="keep the summary to one line and move the rest to description=",
            location=alert.keyword_location("summary"),
        )
