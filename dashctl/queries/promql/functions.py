"""PromQL functions and aggregations: rate() and friends over Grafana's windows, histogram quantiles, sum by."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from dashctl.queries.promql.expression import (
    Expr,
    Number,
    String,
    as_expr,
    builder_error,
    check_duration,
    label_names,
    merge_languages,
    require_expr,
)
from dashctl.queries.promql.selectors import Selector

__all__ = [
    "Aggregation",
    "Call",
    "INTERVAL",
    "RANGE",
    "RATE_INTERVAL",
    "RangeFunction",
    "absent",
    "aggregate",
    "avg_by",
    "avg_without",
    "bucket_quantile",
    "call",
    "clamp_max",
    "clamp_min",
    "count_by",
    "count_without",
    "histogram_quantile",
    "increase",
    "irate",
    "max_by",
    "max_without",
    "min_by",
    "min_without",
    "over_time",
    "rate",
    "sum_by",
    "sum_without",
    "topk",
]

RATE_INTERVAL = "$__rate_interval"
"""Grafana's window for rate(): at least four scrape intervals, so a rate never sees fewer than two samples."""
INTERVAL = "$__interval"
"""Grafana's step: the time range divided by the panel's width in data points."""
RANGE = "$__range"
"""The dashboard's whole time range."""

_FUNCTION_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_AGGREGATIONS = frozenset(
    {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
     "limitk", "limit_ratio", "sort", "sort_desc"}
)  # fmt: skip
_PARAMETRIC = frozenset({"topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"})
_OVER_TIME = frozenset({"avg", "min", "max", "sum", "count", "last", "present", "stddev", "stdvar", "mad"})


@dataclass(frozen=True, kw_only=True)
class RangeFunction(Expr):
    """A function over a range of a selector: `rate(x[$__rate_interval])`, `max_over_time(x[5m])`."""

    language: ClassVar[str | None] = "PromQL"
    function: str
    selector: Selector
    window: str = RATE_INTERVAL

    def __post_init__(self) -> None:
        if not isinstance(self.selector, Selector):
            raise builder_error(
                f"{self.function}() needs a metric selector, got {type(self.selector).__name__}",
                hint="apply rate() to metric(...), then aggregate the result",
            )
        check_duration(self.window, "range")

    def render(self) -> str:
        return f"{self.function}({self.selector.render_range(self.window)})"


def rate(selector: Selector, window: str = RATE_INTERVAL) -> RangeFunction:
    """Per-second rate of a counter over `window`: `rate(x[$__rate_interval])`."""
    return RangeFunction(function="rate", selector=selector, window=window)


def irate(selector: Selector, window: str = RATE_INTERVAL) -> RangeFunction:
    """Per-second rate from the last two samples in `window`: `irate(x[$__rate_interval])`."""
    return RangeFunction(function="irate", selector=selector, window=window)


def increase(selector: Selector, window: str = RATE_INTERVAL) -> RangeFunction:
    """Increase of a counter over `window`: `increase(x[$__rate_interval])`."""
    return RangeFunction(function="increase", selector=selector, window=window)


def over_time(function: str, selector: Selector, window: str = INTERVAL) -> RangeFunction:
    """`<function>_over_time(x[window])` for a gauge, e.g. `over_time("max", metric("up"))`."""
    if function not in _OVER_TIME:
        known = ", ".join(sorted(_OVER_TIME))
        raise builder_error(f"unknown *_over_time function {function!r}", hint=f"use one of {known}")
    return RangeFunction(function=f"{function}_over_time", selector=selector, window=window)


@dataclass(frozen=True, kw_only=True)
class Call(Expr):
    """A function call with instant-vector, scalar or string arguments: `clamp_min(x, 0)`."""

    function: str
    arguments: tuple[Expr, ...] = ()

    def __post_init__(self) -> None:
        if not _FUNCTION_NAME.fullmatch(self.function):
            raise builder_error(f"invalid function name {self.function!r}")
        require_expr(f"{self.function}()", *self.arguments)
        merge_languages(*self.arguments)

    def query_language(self) -> str | None:
        return merge_languages(*self.arguments)

    def render(self) -> str:
        return f"{self.function}({', '.join(argument.render() for argument in self.arguments)})"


def call(function: str, *arguments: Expr | float) -> Call:
    """Any PromQL function: `call("label_replace", x, string("dst"), ...)`."""
    return Call(function=function, arguments=tuple(as_expr(argument) for argument in arguments))


def clamp_min(vector: Expr, minimum: float) -> Call:
    """`clamp_min(vector, minimum)`: no sample below `minimum`."""
    return call("clamp_min", vector, minimum)


def clamp_max(vector: Expr, maximum: float) -> Call:
    """`clamp_max(vector, maximum)`: no sample above `maximum`."""
    return call("clamp_max", vector, maximum)


def absent(vector: Expr) -> Call:
    """`absent(vector)`: 1 when the vector is empty, for "the target disappeared" alerts."""
    return call("absent", vector)


def histogram_quantile(quantile: float | Expr, vector: Expr) -> Call:
    """`histogram_quantile(q, vector)`; `vector` must keep the `le` label (see `bucket_quantile`)."""
    if isinstance(quantile, int | float) and not 0 <= quantile <= 1:
        raise builder_error(f"quantile {quantile!r} is outside [0, 1]", hint="write the 99th percentile as 0.99")
    return call("histogram_quantile", quantile, vector)


@dataclass(frozen=True, kw_only=True)
class Aggregation(Expr):
    """A vector aggregation: `sum by (route) (x)`, `topk(5, x)`; `by` and `without` are exclusive."""

    operator: str
    vector: Expr
    by: tuple[str, ...] | None = None
    without: tuple[str, ...] | None = None
    parameter: Expr | None = None

    def __post_init__(self) -> None:
        if self.operator not in _AGGREGATIONS:
            known = ", ".join(sorted(_AGGREGATIONS))
            raise builder_error(f"unknown aggregation {self.operator!r}", hint=f"use one of {known}")
        if self.by is not None and self.without is not None:
            raise builder_error(f"{self.operator}: give either by or without, not both")
        if (self.parameter is None) == (self.operator in _PARAMETRIC):
            needs = "needs" if self.operator in _PARAMETRIC else "takes no"
            raise builder_error(f"{self.operator} {needs} parameter")
        if self.operator == "count_values" and not isinstance(self.parameter, String):
            raise builder_error("count_values needs the output label as string('label')")
        require_expr(self.operator, self.vector, *([] if self.parameter is None else [self.parameter]))
        if isinstance(self.vector, Number):
            raise builder_error(f"{self.operator} aggregates a vector, not the number {self.vector.render()}")
        merge_languages(self.vector, self.parameter)

    def query_language(self) -> str | None:
        return merge_languages(self.vector, self.parameter)

    def render(self) -> str:
        grouping = ""
        if self.without is not None:
            grouping = f" without ({', '.join(self.without)})"
        elif self.by:
            grouping = f" by ({', '.join(self.by)})"
        arguments = self.vector.render()
        if self.parameter is not None:
            arguments = f"{self.parameter.render()}, {arguments}"
        return f"{self.operator}{grouping} ({arguments})" if grouping else f"{self.operator}({arguments})"


def aggregate(
    operator: str,
    vector: Expr,
    *,
    by: Iterable[str] | str | None = None,
    without: Iterable[str] | str | None = None,
    parameter: Expr | float | None = None,
) -> Aggregation:
    """Any aggregation: `aggregate("quantile", x, parameter=0.9, by=["route"])`."""
    return Aggregation(
        operator=operator,
        vector=as_expr(vector),
        by=label_names(by),
        without=label_names(without),
        parameter=None if parameter is None else as_expr(parameter),
    )


def _grouped(operator: str, keyword: str) -> Callable[[Iterable[str] | str, Expr], Aggregation]:
    def build(labels: Iterable[str] | str, vector: Expr) -> Aggregation:
        return aggregate(operator, vector, **{keyword: labels})

    build.__name__ = build.__qualname__ = f"{operator}_{keyword}"
    build.__doc__ = (
        f"`{operator} {keyword} (labels) (vector)`; with no labels, `{operator}(vector)`."
        if keyword == "by"
        else f"`{operator} without (labels) (vector)`: aggregate away only `labels`."
    )
    return build


sum_by = _grouped("sum", "by")
avg_by = _grouped("avg", "by")
max_by = _grouped("max", "by")
min_by = _grouped("min", "by")
count_by = _grouped("count", "by")
sum_without = _grouped("sum", "without")
avg_without = _grouped("avg", "without")
max_without = _grouped("max", "without")
min_without = _grouped("min", "without")
count_without = _grouped("count", "without")


def topk(k: int | Expr, vector: Expr, *, by: Iterable[str] | str | None = None) -> Aggregation:
    """`topk(k, vector)`: the k largest samples (per `by` group)."""
    return aggregate("topk", vector, by=by, parameter=k)


def bucket_quantile(
    quantile: float | Expr,
    buckets: Selector,
    *,
    by: Iterable[str] | str = (),
    window: str = RATE_INTERVAL,
) -> Call:
    """The quantile of a histogram: `histogram_quantile(q, sum by (le, ...) (rate(x_bucket[window])))`."""
    if not isinstance(buckets, Selector) or not (buckets.metric or "").endswith("_bucket"):
        raise builder_error(
            "bucket_quantile() needs the histogram's _bucket series",
            hint='pass metric("<histogram>_bucket", ...), e.g. http_request_duration_seconds_bucket',
        )
    labels = ("le",) + tuple(label for label in (label_names(by) or ()) if label != "le")
    return histogram_quantile(quantile, aggregate("sum", rate(buckets, window), by=labels))


