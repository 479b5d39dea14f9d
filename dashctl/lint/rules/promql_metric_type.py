"""promql/metric-type: rate(), irate(), increase() and resets() read counters, histogram_quantile() reads
buckets with `le` (pint promql/rate's metadata check)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.live.analysis import available_labels, counter_calls, metrics_under, quantile_inputs
from dashctl.lint.live.context import LiveQueryContext
from dashctl.lint.registry import Scope, rule

# Series of a histogram or summary family that are counters (`http_request_duration_seconds_count`).
_COUNTER_SUFFIXES = ("_count", "_sum", "_bucket")


@rule(id="promql/metric-type", scope=Scope.LIVE, severity=Severity.WARNING,
      summary="metric type that does not fit the function")
def check(context: LiveQueryContext) -> Iterator[Problem]:
    for function, metric in counter_calls(context.parsed):
        kind = _type(context, metric)
        if kind is not None and kind != "counter":
            yield Problem(
                message=f"{function}() expects a counter, but {metric} is a {kind} (its metadata at "
                f"{context.prometheus.url}): the result is meaningless whenever the value goes down",
                hint=f"deriv({metric}[...]) for a gauge's per-second change, delta(...) for its change over the "
                "window, or the *_over_time() functions",
            )
    for buckets in quantile_inputs(context.parsed):
        labels = available_labels(context.parsed, buckets, context.labels_of)
        if labels is not None and "le" not in labels:
            names = ", ".join(metrics_under(context.parsed, buckets))
            yield Problem(
                message=f"histogram_quantile() reads series without an 'le' label ({names}): it returns nothing",
                hint="read the histogram's _bucket series and keep le in the aggregation: "
                "sum by (le) (rate(x_bucket[5m]))",
            )


def _type(context: LiveQueryContext, metric: str) -> str | None:
    prometheus = context.prometheus
    kind = prometheus.metric_type(metric)
    if kind is not None:
        return kind
    for suffix in _COUNTER_SUFFIXES:
        if metric.endswith(suffix):
            family = prometheus.metric_type(metric[: -len(suffix)])
            if family in ("histogram", "summary", "gaugehistogram"):
                return "counter" if family != "gaugehistogram" else "gauge"
    if metric.endswith("_total"):
        return prometheus.metric_type(metric[: -len("_total")])
    return None
