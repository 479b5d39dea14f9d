"""`dashctl lint --live`: rules that ask the environment's Prometheus (scope `live`), after pint's online checks.

    inventory.py   PrometheusInventory: series, label names, metadata types and last-seen times, cached
    analysis.py    the metrics, labels, counter functions and quantile inputs of a parsed query
    context.py     LiveQueryContext: what a live rule is called with

The rules themselves are `promql/series`, `promql/label` and `promql/metric-type` in dashctl/lint/rules/.
"""

from dashctl.lint.live.context import LiveQueryContext
from dashctl.lint.live.inventory import LOOKBACK, RECENT, PrometheusInventory

__all__ = ["LOOKBACK", "LiveQueryContext", "PrometheusInventory", "RECENT"]
