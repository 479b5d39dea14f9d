"""alert/query-variable: an alert rule's query uses only the variables Grafana's backend replaces without a
dashboard (`$__rate_interval`, `$__interval`, `$__range`...); a dashboard variable stays as written."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext
from dashctl.queries.macros import describe_uninterpolated, uninterpolated_variables


# An error: Prometheus and Loki refuse the query as written (`$namespace` is not PromQL), so the rule never
# evaluates and goes to its error state; `dashctl build` refuses it for the same reason.
@rule(id="alert/query-variable", scope=Scope.QUERY, severity=Severity.ERROR,
      summary="alert rule query with a variable Grafana does not replace")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.alert is None or query.expr is None or query.language is None:
        return
    for reference in uninterpolated_variables(query.expr, query.language):
        message, hint = describe_uninterpolated(reference, query.language)
        yield Problem(message=f"query {query.ref_id} {message}", hint=hint, position=reference.start)
