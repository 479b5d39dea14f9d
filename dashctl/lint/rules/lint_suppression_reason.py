"""lint/suppression-reason: a suppression says why (as dashboard-linter's exclusions carry a reason)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.suppression import SuppressionContext


@rule(id="lint/suppression-reason", scope=Scope.SUPPRESSION, severity=Severity.WARNING,
      summary="suppression without a reason")
def check(context: SuppressionContext) -> Iterator[Problem]:
    suppression = context.suppression
    if suppression.malformed or suppression.reason:
        return
    rules = ", ".join(suppression.rules)
    yield Problem(
        message=f"the suppression of {rules} gives no reason, so it suppresses nothing",
        hint=f"# dashctl-lint: ignore[{rules}] reason: <why this is fine here>",
    )
