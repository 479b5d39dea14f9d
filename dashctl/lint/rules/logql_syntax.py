"""logql/syntax: every LogQL query is one Loki accepts (dashboard-linter target-logql-rule)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext


@rule(id="logql/syntax", scope=Scope.QUERY, severity=Severity.ERROR, summary="invalid LogQL")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.language != "LogQL":
        return
    error = query.syntax_error
    if error is not None:
        yield Problem(message=f"invalid LogQL: {error.message}", hint=error.hint, position=error.position)
