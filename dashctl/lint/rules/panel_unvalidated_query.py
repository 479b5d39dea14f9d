"""panel/unvalidated-query: a query the definition opts out of PromQL/LogQL validation with
`Target(unvalidated=...)` (dashctl's own)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext


@rule(id="panel/unvalidated-query", scope=Scope.TARGET, severity=Severity.WARNING,
      summary="a query marked unvalidated, which no query check looks at")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.unvalidated is not None:
        yield Problem(
            message=f"query {query.ref_id} is not validated: {query.unvalidated}",
            hint="fix the query and remove unvalidated=... from its Target: the build then checks it again, and "
            "every query rule looks at it",
        )
