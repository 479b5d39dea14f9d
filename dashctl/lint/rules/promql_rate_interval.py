"""promql/rate-interval: a dashboard's rate() and irate() windows are `$__rate_interval` (dashboard-linter
target-rate-interval-rule).

Only range queries (graphs) are judged: an instant query (a stat's "availability over 30d") asks for one value
over the window it names, which is the point of the query, not a resolution that should follow the zoom.
"""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext
from dashctl.queries.promql.analysis import find_range_calls

RATE_FUNCTIONS = frozenset({"rate", "irate"})
# `$__rate_interval` adapts to the zoom and is never shorter than four scrape intervals; `$__range` (the whole
# time range, for a stat that averages over it) is a deliberate choice, not a mistake.
ALLOWED_VARIABLES = frozenset({"__rate_interval", "__range"})


@rule(id="promql/rate-interval", scope=Scope.TARGET, severity=Severity.WARNING,
      summary="rate window that is not $__rate_interval")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.language != "PromQL" or query.parsed is None or _instant(query.target):
        return
    for call in find_range_calls(query.parsed):
        if call.function not in RATE_FUNCTIONS or call.range_variable in ALLOWED_VARIABLES:
            continue
        if call.range_variable is not None:
            written = f"${call.range_variable}"
            why = ("$__interval can be shorter than two scrapes when zoomed in, and rate() then returns nothing"
                   if call.range_variable == "__interval" else "its value does not follow the scrape interval")
        else:
            written = _duration(call.range.total_seconds()) if call.range is not None else "a fixed window"
            why = ("a fixed window does not follow the zoom (longer than the graph's resolution it smooths away "
                   "what happens within it, shorter it skips samples, under two scrapes it returns nothing)")
        subject = f"{call.function}({call.metric or '...'}[{written}])"
        yield Problem(
            message=f"{subject} uses a window of {written}: {why}",
            hint=f"write {call.function}({call.metric or '...'}[$__rate_interval]) "
            "(dashctl.queries.promql.rate() does by default)",
        )


def _instant(target: dict | None) -> bool:
    return bool(target and target.get("instant") is True and not target.get("range"))


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
