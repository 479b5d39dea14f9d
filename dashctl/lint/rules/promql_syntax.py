"""promql/syntax: every PromQL query parses, Grafana variables and all (dashboard-linter target-promql-rule,
pint promql/syntax)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext


@rule(id="promql/syntax", scope=Scope.QUERY, severity=Severity.ERROR, summary="invalid PromQL")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.language != "PromQL":
        return
    error = query.syntax_error
    if error is not None:
        yield Problem(message=f"invalid PromQL: {error.message}", hint=error.hint, position=error.position)
