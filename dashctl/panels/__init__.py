"""Every core panel type of current Grafana, typed: one factory per type with its options and field config.

    from dashctl.panels import FieldConfig, Override, bar_gauge, gauge, table, text

    gauge(title="CPU", description="CPU in use over the limit.", datasource="metrics",
          queries=[cpu_ratio], unit=units.PERCENT_UNIT, maximum=1,
          thresholds=[(None, "green"), (0.8, "orange"), (0.95, "red")])

Each factory checks what dashctl asks of every panel (a title, a description, a unit where numbers are shown,
queries for data panels) and returns a `Panel` (dashctl.dashboards.panel) that goes into grafanalib's
`Dashboard(panels=[...])` beside grafanalib panels and presets. Options Grafana has that a factory does not name
go in `extra={"options": {...}}`; field options in `field=FieldConfig(custom={...})`, per-series ones in
`overrides=[Override(...)]`. `time_series`, `stat` and `logs` are the presets' (dashctl.presets.panels).
The signatures are in docs/panels.md.
"""

from dashctl.dashboards.panel import FieldConfig, Override, Panel, Query
from dashctl.panels.content import (
    CanvasElement,
    alert_list,
    canvas,
    dashboard_list,
    flame_graph,
    geomap,
    logs,
    news,
    node_graph,
    text,
    traces,
)
from dashctl.panels.graphs import (
    bar_chart,
    candlestick,
    heatmap,
    histogram,
    state_timeline,
    status_history,
    time_series,
    trend,
    xy_chart,
)
from dashctl.panels.values import bar_gauge, gauge, pie_chart, stat, table
from dashctl.presets.panels import row

__all__ = [
    "CanvasElement",
    "FieldConfig",
    "Override",
    "Panel",
    "Query",
    "alert_list",
    "bar_chart",
    "bar_gauge",
    "candlestick",
    "canvas",
    "dashboard_list",
    "flame_graph",
    "gauge",
    "geomap",
    "heatmap",
    "histogram",
    "logs",
    "news",
    "node_graph",
    "pie_chart",
    "row",
    "stat",
    "state_timeline",
    "status_history",
    "table",
    "text",
    "time_series",
    "traces",
    "trend",
    "xy_chart",
]
