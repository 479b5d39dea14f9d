"""Dashboards written for these tests, one per generation and form Grafana produces (none copied from anywhere).

Each function returns the JSON model as Grafana would export it; the tests write it to files in the form under
test (UI export, external-sharing export, API envelope, ConfigMap) and import it.
"""

from __future__ import annotations

from typing import Any

PROM = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
LOKI = {"type": "loki", "uid": "P8E80F9AEF21F6940"}
TEMPO = {"type": "tempo", "uid": "tempo-1"}
MIXED = {"type": "datasource", "uid": "-- Mixed --"}
DASHBOARD = {"type": "datasource", "uid": "-- Dashboard --"}

# Every panel type of core Grafana 11/12 (public/app/plugins/panel/*), each with a plausible minimal model.
CORE_PANEL_TYPES = (
    "timeseries", "stat", "gauge", "bargauge", "table", "piechart", "text", "logs", "heatmap", "barchart",
    "histogram", "state-timeline", "status-history", "nodeGraph", "geomap", "news", "dashlist", "alertlist",
    "xychart", "trend", "candlestick", "canvas", "flamegraph", "traces", "annolist", "datagrid",
)


def _target(expr: str, ref: str = "A", **more: Any) -> dict[str, Any]:
    return {"datasource": PROM, "expr": expr, "refId": ref, **more}


def _panel(kind: str, panel_id: int, x: int, y: int, **more: Any) -> dict[str, Any]:
    panel = {
        "id": panel_id,
        "type": kind,
        "title": f"{kind} panel",
        "gridPos": {"h": 6, "w": 8, "x": x, "y": y},
        "datasource": PROM,
        "pluginVersion": "11.3.0",
        "fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [
            {"color": "green", "value": None}, {"color": "red", "value": 80}]}}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
        "targets": [_target(f'sum(rate(http_requests_total{{job="{kind}"}}[$__rate_interval]))')],
    }
    panel.update(more)
    return panel


def ui_export() -> dict[str, Any]:
    """A current dashboard (schemaVersion 39) as the UI exports it: every core panel type, explicit positions
    that an automatic layout would not give, repeats, rows open, collapsed and repeated, a library panel, an
    unknown plugin, a Tempo query, and keys the compiler used to drop (timepicker, maxDataPoints, step)."""
    panels: list[dict[str, Any]] = [{"id": 100, "type": "row", "title": "Overview", "collapsed": False,
                                     "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0}, "panels": []}]
    for index, kind in enumerate(CORE_PANEL_TYPES):
        # Three a line, but the second column deliberately narrower and placed at x=9 (a hole at x=8).
        x = (0, 9, 16)[index % 3]
        panels.append(_panel(kind, index + 1, x, 1 + 6 * (index // 3)))
    panels[1]["maxDataPoints"] = 500
    panels[1]["interval"] = "1m"
    panels[1]["targets"][0].update(step=30, intervalFactor=1, legendFormat="{{route}}", editorMode="code",
                                   range=True)
    panels[1]["transformations"] = [{"id": "organize", "options": {"excludeByName": {"Time": True}}}]
    panels[1]["links"] = [{"title": "Runbook", "url": "https://runbooks.example.com/$service"}]
    panels[2]["targets"].append({"datasource": PROM, "expr": "", "refId": "B"})  # Grafana skips an empty query
    panels[2]["repeat"] = "service"
    panels[2]["repeatDirection"] = "h"
    panels[2]["maxPerRow"] = 4
    panels[8]["datasource"] = LOKI
    panels[8]["targets"] = [{"datasource": LOKI, "expr": '{app="$service"} |= "error"', "refId": "A",
                             "queryType": "range"}]
    traces = panels[CORE_PANEL_TYPES.index("traces") + 1]
    traces["datasource"] = TEMPO
    traces["targets"] = [{"datasource": TEMPO, "query": "$traceId", "queryType": "traceql", "refId": "A",
                          "limit": 20}]
    text = panels[CORE_PANEL_TYPES.index("text") + 1]
    text.pop("datasource")
    text.pop("targets")
    text["options"] = {"mode": "markdown", "content": "# Runbook\nSee $service."}
    bottom = 1 + 6 * ((len(CORE_PANEL_TYPES) + 2) // 3)
    panels += [
        {"id": 200, "type": "row", "title": "Per service $service", "collapsed": False, "repeat": "service",
         "gridPos": {"h": 1, "w": 24, "x": 0, "y": bottom}, "panels": []},
        {"id": 201, "gridPos": {"h": 8, "w": 12, "x": 0, "y": bottom + 1},
         "libraryPanel": {"uid": "lib-latency", "name": "Latency"}, "title": "Latency"},
        _panel("grafana-polystat-panel", 202, 12, bottom + 1, polystat={"radius": "auto", "shape": "hexagon"}),
        _panel("timeseries", 203, 0, bottom + 9, title="Placeholder", targets=[]),  # no query yet
        # one panel querying two datasources, and one reusing another panel's results
        _panel("timeseries", 205, 0, bottom + 12, title="Mixed", datasource=MIXED,
               targets=[_target("up", "A"), {"datasource": LOKI, "expr": 'sum(rate({app="x"}[1m]))', "refId": "B"}]),
        _panel("stat", 206, 12, bottom + 12, title="Reused", datasource=DASHBOARD,
               targets=[{"datasource": DASHBOARD, "panelId": 1, "refId": "A"}]),
        # a copy the repeat of panel 3 made, saved by an older Grafana: it is made again on load
        _panel("stat", 204, 12, bottom + 9, repeatPanelId=3, scopedVars={"service": {"text": "b", "value": "b"}}),
        {"id": 300, "type": "row", "title": "Details", "collapsed": True,
         "gridPos": {"h": 1, "w": 24, "x": 0, "y": bottom + 18},
         "panels": [_panel("timeseries", 301, 0, bottom + 19), _panel("stat", 302, 12, bottom + 19)]},
    ]
    return {
        "id": 42,
        "uid": "ui-export",
        "title": "Service overview",
        "description": "Every core panel type.",
        "tags": ["services", "test"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 7,
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {"refresh_intervals": ["30s", "1m", "5m"], "hidden": False},
        "links": [{"title": "Docs", "type": "link", "url": "https://docs.example.com", "icon": "doc",
                   "tags": [], "asDropdown": False, "includeVars": False, "keepTime": True,
                   "targetBlank": True, "tooltip": ""}],
        "annotations": {"list": [
            {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
             "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"},
            {"datasource": PROM, "enable": True, "expr": "changes(kube_deployment_status_observed_generation[5m]) > 0",
             "iconColor": "orange", "name": "Deploys", "titleFormat": "deploy"},
        ]},
        "templating": {"list": [
            {"type": "datasource", "name": "datasource", "query": "prometheus", "hide": 0, "current": {},
             "options": [], "refresh": 1, "regex": ""},
            {"type": "query", "name": "service", "datasource": {"type": "prometheus", "uid": "$datasource"},
             "query": {"query": "label_values(up, job)", "refId": "PrometheusVariableQueryEditor-VariableQuery"},
             "definition": "label_values(up, job)", "refresh": 2, "multi": True, "includeAll": True,
             "current": {"text": ["All"], "value": ["$__all"]}, "options": [], "sort": 1, "regex": "",
             "hide": 0},
            {"type": "custom", "name": "quantile", "query": "0.5,0.9,0.99", "current": {"text": "0.99",
             "value": "0.99"}, "options": [], "hide": 0},
            {"type": "interval", "name": "window", "query": "1m,5m,1h", "auto": True, "auto_count": 30,
             "auto_min": "10s", "current": {"text": "5m", "value": "5m"}, "options": [], "hide": 0},
            {"type": "adhoc", "name": "filters", "datasource": PROM, "filters": [], "baseFilters": [],
             "hide": 0},
            {"type": "textbox", "name": "traceId", "query": "", "hide": 0},
        ]},
        "panels": panels,
    }


def shared_export() -> dict[str, Any]:
    """"Export for sharing externally": `__inputs`, `__requires` and `${DS_X}` references, a Tempo datasource the
    project lacks, and a constant input."""
    dashboard = {
        "__inputs": [
            {"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus",
             "pluginName": "Prometheus"},
            {"name": "DS_TEMPO", "label": "Tempo", "type": "datasource", "pluginId": "tempo", "pluginName": "Tempo"},
            {"name": "VAR_JOB", "type": "constant", "label": "job", "value": "api", "description": ""},
        ],
        "__elements": {},
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.4.0"}],
        "id": None,
        "uid": "shared-export",
        "title": "Shared API",
        "schemaVersion": 39,
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": [
            {"type": "constant", "name": "job", "query": "${VAR_JOB}", "hide": 2},
        ]},
        "panels": [
            {"id": 1, "type": "timeseries", "title": "Requests", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
             "targets": [{"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, "refId": "A",
                          "expr": 'sum(rate(http_requests_total{job="$job"}[$__rate_interval]))'}],
             "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []}, "options": {}},
            {"id": 2, "type": "table", "title": "Slow traces", "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0},
             "datasource": {"type": "tempo", "uid": "${DS_TEMPO}"},
             "targets": [{"datasource": {"type": "tempo", "uid": "${DS_TEMPO}"}, "refId": "A",
                          "query": '{ resource.service.name = "api" && duration > 1s }', "queryType": "traceql"}]},
        ],
    }
    return dashboard


def legacy_rows() -> dict[str, Any]:
    """A Grafana 4 dashboard: `rows` with spans, graph, singlestat and the old table, datasources by name."""
    return {
        "id": 3,
        "title": "Legacy node",
        "schemaVersion": 12,
        "sharedCrosshair": True,
        "style": "dark",
        "hideControls": False,
        "time": {"from": "now-24h", "to": "now"},
        "templating": {"list": [
            {"type": "query", "name": "instance", "datasource": "Prometheus", "query": "label_values(up, instance)",
             "refresh": 1, "tags": [], "tagsQuery": "", "tagValuesQuery": "", "useTags": False, "hide": 0},
        ]},
        "rows": [
            {"title": "CPU", "showTitle": True, "collapse": False, "height": "250px", "panels": [
                {"id": 1, "type": "graph", "title": "CPU busy", "span": 6, "datasource": "Prometheus",
                 "lines": True, "linewidth": 2, "fill": 1, "stack": True, "nullPointMode": "connected",
                 "legend": {"show": True, "values": True, "alignAsTable": True, "rightSide": True, "avg": True,
                            "current": True},
                 "tooltip": {"shared": True, "sort": 2},
                 "yaxes": [{"format": "percent", "min": 0, "max": 100, "show": True},
                           {"format": "short", "show": False}],
                 "aliasColors": {"idle": "#7EB26D"},
                 "seriesOverrides": [{"alias": "/iowait/", "yaxis": 2, "linewidth": 1}],
                 "targets": [{"expr": 'avg(rate(node_cpu_seconds_total{instance="$instance"}[5m])) by (mode)',
                              "legendFormat": "{{mode}}", "intervalFactor": 2, "step": 10, "refId": "A"}]},
                {"id": 2, "type": "singlestat", "title": "Uptime", "span": 3, "datasource": "Prometheus",
                 "format": "s", "decimals": 1, "valueName": "current", "colorValue": True,
                 "thresholds": "3600,86400", "colors": ["red", "orange", "green"],
                 "sparkline": {"show": True}, "valueMaps": [{"op": "=", "text": "N/A", "value": "null"}],
                 "targets": [{"expr": 'time() - node_boot_time_seconds{instance="$instance"}', "refId": "A"}]},
                {"id": 3, "type": "singlestat", "title": "Load", "span": 3, "datasource": None,
                 "gauge": {"show": True, "minValue": 0, "maxValue": 10, "thresholdMarkers": True},
                 "targets": [{"expr": 'node_load1{instance="$instance"}', "refId": "A"}]},
            ]},
            {"title": "Disks", "showTitle": True, "collapse": True, "height": 300, "panels": [
                {"id": 4, "type": "table", "title": "Filesystems", "span": 12, "datasource": "Prometheus",
                 "transform": "timeseries_to_rows",
                 "styles": [{"pattern": "/.*/", "type": "number", "unit": "bytes", "decimals": 0},
                            {"pattern": "Time", "type": "hidden"}],
                 "targets": [{"expr": 'node_filesystem_avail_bytes{instance="$instance"}', "refId": "A",
                              "format": "table", "instant": True}]},
                {"id": 5, "type": "grafana-piechart-panel", "title": "Modes", "span": 6, "datasource": "Prometheus",
                 "pieType": "donut", "legendType": "Right side",
                 "targets": [{"expr": "sum by (mode) (node_cpu_seconds_total)", "refId": "A"}]},
            ]},
        ],
    }


def rule_file() -> dict[str, Any]:
    return {"groups": [{"name": "api", "rules": [
        {"alert": "ApiDown", "expr": 'up{job="api"} == 0', "for": "5m", "labels": {"severity": "critical"}},
    ]}]}
