"""alert/name-length: an alert rule's title (its alertname) is at most 40 characters (mixtool
alert-name-length)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext

MAX_LENGTH = 40


@rule(id="alert/name-length", scope=Scope.ALERT, severity=Severity.WARNING, summary="alert rule title too long")
def check(alert: AlertContext) -> Iterator[Problem]:
    title = alert.rule.title
    if len(title) > MAX_LENGTH:
        yield Problem(
            message=f"the title {title!r} is {len(title)} characters long; "
            f"at most {MAX_LENGTH} keep it whole in notification subjects, phone pushes and the alert list",
            hint="say what is wrong in a few words; details belong in summary= and description=",
            location=alert.keyword_location("title"),
            value=alert.rule.title,
        )
