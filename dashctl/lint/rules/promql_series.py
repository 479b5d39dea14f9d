"""promql/series: every metric a query selects has series in the environment's Prometheus (pint promql/series)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from dashctl.backtest.window import format_time
from dashctl.durations import spoken_duration
from dashctl.lint.finding import Problem, Severity
from dashctl.lint.live.analysis import selected_metrics
from dashctl.lint.live.context import LiveQueryContext
from dashctl.lint.live.inventory import LOOKBACK, RECENT
from dashctl.lint.registry import Scope, rule


@rule(id="promql/series", scope=Scope.LIVE, severity=Severity.ERROR, summary="metric without series in prometheus")
def check(context: LiveQueryContext) -> Iterator[Problem]:
    prometheus = context.prometheus
    for metric in selected_metrics(context.parsed):
        if prometheus.series(metric):
            continue
        seen = prometheus.last_seen(metric)
        if seen is not None:
            ago = spoken_duration(prometheus.now - seen)
            yield Problem(
                message=f"{metric} has had no series for {spoken_duration(RECENT)} at {prometheus.url}: it "
                f"disappeared, last seen {format_time(seen)} ({ago} ago)",
                hint="check the exporter or scrape job that produced it, or whether it was renamed",
                severity=Severity.WARNING,
            )
            continue
        close = difflib.get_close_matches(metric, prometheus.metric_names(), n=1, cutoff=0.8)
        yield Problem(
            message=f"{metric} has never had series at {prometheus.url} (none in the last "
            f"{spoken_duration(LOOKBACK)})" + (f"; did you mean {close[0]}?" if close else ""),
            hint=f"use {close[0]}" if close else "check the metric's name against the exporter's /metrics",
        )
