"""Grafana's panel types, grouped by what the panel rules ask of them."""

from __future__ import annotations

__all__ = ["DATA_PANEL_TYPES", "NUMERIC_PANEL_TYPES", "STATIC_PANEL_TYPES"]

NUMERIC_PANEL_TYPES = frozenset({"timeseries", "graph", "stat", "singlestat", "gauge", "bargauge", "table"})
"""Panels that draw numbers, whose unit decides how they read (grafana/dashboard-linter panel-units-rule, plus
bargauge)."""

DATA_PANEL_TYPES = NUMERIC_PANEL_TYPES | frozenset({
    "barchart", "candlestick", "flamegraph", "geomap", "heatmap", "histogram", "logs", "nodeGraph", "piechart",
    "state-timeline", "status-history", "traces", "trend", "xychart",
})
"""Panels that show the result of their queries: without a query they show "No data"."""

STATIC_PANEL_TYPES = frozenset({"row", "text", "news", "dashlist", "alertlist", "annolist", "welcome",
                                "gettingstarted"})
"""Panels that query nothing: headers, notes, lists of dashboards or alerts."""
