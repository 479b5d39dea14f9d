"""PromQL: validation with the real parser (positions included) and a typed builder that renders valid queries.

    from dashctl.queries.promql import Regex, bucket_quantile, metric, rate, ratio, sum_by

    requests = metric("http_request_duration_seconds_count", namespace="$namespace")
    errors = requests.where(status_code=Regex("5.."))
    error_ratio = ratio(sum_by([], rate(errors)), sum_by([], rate(requests)))
    p99 = bucket_quantile(0.99, metric("http_request_duration_seconds_bucket", namespace="$namespace"), by=["route"])

`str(error_ratio)` is the query; `check_promql(query)` validates a raw one, Grafana variables and all, and raises
QuerySyntaxError with the 0-based position of the problem; `parse_promql(query)` gives the AST for lint rules
(`dashctl.queries.promql.analysis` walks it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashctl.queries.promql.expression import (
        BinaryOperation,
        Expr,
        Negation,
        Number,
        Raw,
        String,
        number,
        quote,
        ratio,
        raw,
        string,
    )
    from dashctl.queries.promql.functions import (
        INTERVAL,
        RANGE,
        RATE_INTERVAL,
        Aggregation,
        Call,
        RangeFunction,
        absent,
        aggregate,
        avg_by,
        avg_without,
        bucket_quantile,
        call,
        clamp_max,
        clamp_min,
        count_by,
        count_without,
        histogram_quantile,
        increase,
        irate,
        max_by,
        max_without,
        min_by,
        min_without,
        over_time,
        rate,
        sum_by,
        sum_without,
        topk,
    )
    from dashctl.queries.promql.parser import ParsedPromQL, check_promql, parse_promql
    from dashctl.queries.promql.selectors import Matcher, Not, NotRegex, Regex, Selector, metric, offset, one_of

# Imported on first use (PEP 562): validating a query needs neither the builder nor, for the commonest shapes,
# the parser; importing them all cost every build process about 50 ms.
_HOME = {
    "BinaryOperation": "dashctl.queries.promql.expression",
    "Expr": "dashctl.queries.promql.expression",
    "Negation": "dashctl.queries.promql.expression",
    "Number": "dashctl.queries.promql.expression",
    "Raw": "dashctl.queries.promql.expression",
    "String": "dashctl.queries.promql.expression",
    "number": "dashctl.queries.promql.expression",
    "quote": "dashctl.queries.promql.expression",
    "ratio": "dashctl.queries.promql.expression",
    "raw": "dashctl.queries.promql.expression",
    "string": "dashctl.queries.promql.expression",
    "INTERVAL": "dashctl.queries.promql.functions",
    "RANGE": "dashctl.queries.promql.functions",
    "RATE_INTERVAL": "dashctl.queries.promql.functions",
    "Aggregation": "dashctl.queries.promql.functions",
    "Call": "dashctl.queries.promql.functions",
    "RangeFunction": "dashctl.queries.promql.functions",
    "absent": "dashctl.queries.promql.functions",
    "aggregate": "dashctl.queries.promql.functions",
    "avg_by": "dashctl.queries.promql.functions",
    "avg_without": "dashctl.queries.promql.functions",
    "bucket_quantile": "dashctl.queries.promql.functions",
    "call": "dashctl.queries.promql.functions",
    "clamp_max": "dashctl.queries.promql.functions",
    "clamp_min": "dashctl.queries.promql.functions",
    "count_by": "dashctl.queries.promql.functions",
    "count_without": "dashctl.queries.promql.functions",
    "histogram_quantile": "dashctl.queries.promql.functions",
    "increase": "dashctl.queries.promql.functions",
    "irate": "dashctl.queries.promql.functions",
    "max_by": "dashctl.queries.promql.functions",
    "max_without": "dashctl.queries.promql.functions",
    "min_by": "dashctl.queries.promql.functions",
    "min_without": "dashctl.queries.promql.functions",
    "over_time": "dashctl.queries.promql.functions",
    "rate": "dashctl.queries.promql.functions",
    "sum_by": "dashctl.queries.promql.functions",
    "sum_without": "dashctl.queries.promql.functions",
    "topk": "dashctl.queries.promql.functions",
    "ParsedPromQL": "dashctl.queries.promql.parser",
    "check_promql": "dashctl.queries.promql.parser",
    "parse_promql": "dashctl.queries.promql.parser",
    "Matcher": "dashctl.queries.promql.selectors",
    "Not": "dashctl.queries.promql.selectors",
    "NotRegex": "dashctl.queries.promql.selectors",
    "Regex": "dashctl.queries.promql.selectors",
    "Selector": "dashctl.queries.promql.selectors",
    "metric": "dashctl.queries.promql.selectors",
    "offset": "dashctl.queries.promql.selectors",
    "one_of": "dashctl.queries.promql.selectors",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


__all__ = [
    "Aggregation",
    "BinaryOperation",
    "Call",
    "Expr",
    "INTERVAL",
    "Matcher",
    "Negation",
    "Not",
    "NotRegex",
    "Number",
    "ParsedPromQL",
    "RANGE",
    "RATE_INTERVAL",
    "RangeFunction",
    "Raw",
    "Regex",
    "Selector",
    "String",
    "absent",
    "aggregate",
    "avg_by",
    "avg_without",
    "bucket_quantile",
    "call",
    "check_promql",
    "clamp_max",
    "clamp_min",
    "count_by",
    "count_without",
    "histogram_quantile",
    "increase",
    "irate",
    "max_by",
    "max_without",
    "metric",
    "min_by",
    "min_without",
    "number",
    "offset",
    "one_of",
    "over_time",
    "parse_promql",
    "quote",
    "rate",
    "ratio",
    "raw",
    "string",
    "sum_by",
    "sum_without",
    "topk",
]
