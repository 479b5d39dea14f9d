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
