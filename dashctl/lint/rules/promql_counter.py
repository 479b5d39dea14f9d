"""promql/counter: a counter is read through rate(), irate() or increase() (dashboard-linter
target-counter-agg-rule, pint promql/counter)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext
from dashctl.queries.promql.analysis import find_bare_counters


@rule(id="promql/counter", scope=Scope.QUERY, severity=Severity.WARNING,
      summary="counter used without rate or increase")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.language != "PromQL" or query.parsed is None:
        return
    for metric in find_bare_counters(query.parsed):
        yield Problem(
            message=f"{metric} is a counter (by its name) read as it is: its value is a running total since the "
            "process started, which drops to zero on every restart",
            hint=f"sum(rate({metric}[$__rate_interval])) for a per-second rate (a fixed window in an alert), "
            "increase(...) for a count over a window",
        )
