"""The schemaVersion steps and Angular conversions, each against what Grafana's own code does."""

from __future__ import annotations

import pytest

from dashctl.importing.migration import migrate_dashboard


def _migrate(dashboard):
    notes = []
    return migrate_dashboard(dashboard, lambda where, what: notes.append((where, what))), notes


def _panel(**fields):
    return {"id": 1, "type": "timeseries", "title": "p", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}, **fields}


@pytest.mark.parametrize(
    ("version", "panel", "expected"),
    [
        # 37: two ways of hiding a legend become one
        (36, _panel(options={"legend": {"displayMode": "hidden"}}),
         {"options": {"legend": {"displayMode": "list", "showLegend": False}}}),
        (36, _panel(options={"legend": {"displayMode": "table"}}),
         {"options": {"legend": {"displayMode": "table", "showLegend": True}}}),
        # 38: table cell display modes
        (37, _panel(type="table", fieldConfig={"defaults": {"custom": {"displayMode": "lcd-gauge"}}, "overrides": [
            {"matcher": {"id": "byName", "options": "x"},
             "properties": [{"id": "custom.displayMode", "value": "color-background-solid"}]}]}),
         {"fieldConfig": {"defaults": {"custom": {"cellOptions": {"type": "gauge", "mode": "lcd"}}}, "overrides": [
             {"matcher": {"id": "byName", "options": "x"},
              "properties": [{"id": "custom.cellOptions", "value": {"type": "color-background", "mode": "basic"}}]}]}}),
        # 35: a hidden y axis keeps the time axis visible
        (34, _panel(fieldConfig={"defaults": {"custom": {"axisPlacement": "hidden"}}, "overrides": []}),
         {"fieldConfig": {"defaults": {"custom": {"axisPlacement": "hidden"}}, "overrides": [
             {"matcher": {"id": "byType", "options": "time"},
              "properties": [{"id": "custom.axisPlacement", "value": "auto"}]}]}}),
        # 42: hidden from the graph means hidden from the tooltip
        (41, _panel(fieldConfig={"defaults": {}, "overrides": [{"matcher": {"id": "byName", "options": "x"},
                    "properties": [{"id": "custom.hideFrom", "value": {"viz": True, "legend": False}}]}]}),
         {"fieldConfig": {"defaults": {}, "overrides": [{"matcher": {"id": "byName", "options": "x"},
          "properties": [{"id": "custom.hideFrom", "value": {"viz": True, "legend": False, "tooltip": True}}]}]}}),
        # 30: 7.x value mappings
        (29, _panel(fieldConfig={"defaults": {"mappings": [{"type": 1, "value": "1", "text": "Up"},
                                                           {"type": 1, "value": "null", "text": "N/A"},
                                                           {"type": 2, "from": "2", "to": "5", "text": "Busy"}]},
                                 "overrides": []}),
         {"fieldConfig": {"defaults": {"mappings": [
             {"type": "value", "options": {"1": {"text": "Up"}}},
             {"type": "special", "options": {"match": "null", "result": {"text": "N/A"}}},
             {"type": "range", "options": {"from": 2, "to": 5, "result": {"text": "Busy"}}}]}, "overrides": []}}),
        # 31: labelsToFields gets a merge after it
        (30, _panel(transformations=[{"id": "labelsToFields", "options": {}}]),
         {"transformations": [{"id": "labelsToFields", "options": {}}, {"id": "merge", "options": {}}]}),
    ],
)
def test_schema_steps(version, panel, expected):
    migrated, notes = _migrate({"schemaVersion": version, "panels": [panel]})
    for key, value in expected.items():
        assert migrated["panels"][0][key] == value
    assert notes, "every change is reported"


def test_current_dashboard_is_left_alone():
    panel = _panel(options={"legend": {"displayMode": "hidden"}})
    migrated, notes = _migrate({"schemaVersion": 42, "panels": [panel], "timepicker": {"time_options": ["5m"]}})
    assert migrated["panels"][0] == panel and migrated["timepicker"] == {"time_options": ["5m"]}
    assert notes == []


def test_dashboard_level_steps():
    migrated, notes = _migrate({
        "schemaVersion": 27, "refresh": False, "timepicker": {"time_options": ["5m"], "refresh_intervals": ["1m"]},
        "templating": {"list": [{"type": "query", "name": "x", "refresh": 0, "options": [{"text": "a"}],
                                 "datasource": None, "tags": ["t"]}]},
        "panels": [], "style": "dark", "iteration": 123, "_config": {"x": 1},
    })
    assert migrated["refresh"] == "" and migrated["timepicker"] == {"refresh_intervals": ["1m"]}
    assert migrated["templating"]["list"][0] == {"type": "query", "name": "x", "refresh": 1, "options": [],
                                                 "datasource": "default"}
    assert "style" not in migrated and "_config" not in migrated
    assert not any("iteration" in what for _, what in notes)


def test_graph_conversion_follows_flot_to_graph_options():
    graph = {"id": 1, "type": "graph", "title": "g", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "lines": True, "linewidth": 1, "fill": 2, "points": False, "nullPointMode": "connected",
             "legend": {"show": False, "values": True, "max": True, "sideWidth": 300},
             "tooltip": {"shared": True, "sort": 0},
             "yaxes": [{"format": "bytes", "min": "0", "show": True, "logBase": 1},
                       {"format": "percent", "show": True, "logBase": 1}],
             "seriesOverrides": [{"alias": "/total/", "yaxis": 2, "lines": False, "dashes": True}],
             "thresholds": [{"value": 80, "op": "gt", "fill": True, "line": True, "colorMode": "warning"}],
             "xaxis": {"show": False, "mode": "time"}}
    migrated, _ = _migrate({"schemaVersion": 27, "panels": [graph]})
    panel = migrated["panels"][0]
    assert panel["type"] == "timeseries"
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["unit"] == "bytes" and defaults["min"] == 0 and defaults["nullValueMode"] == "connected"
    assert defaults["custom"] == {"axisPlacement": "auto", "drawStyle": "line", "showPoints": "never",
                                  "lineWidth": 1, "fillOpacity": 20, "spanNulls": True,
                                  "thresholdsStyle": {"mode": "line+area"}}
    assert defaults["thresholds"] == {"mode": "absolute", "steps": [{"color": "transparent", "value": None},
                                                                     {"value": 80, "color": "orange"}]}
    total = panel["fieldConfig"]["overrides"][0]
    assert total["matcher"] == {"id": "byRegexp", "options": "/total/"}
    assert total["properties"] == [{"id": "unit", "value": "percent"}, {"id": "custom.lineWidth", "value": 0},
                                   {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}]
    assert panel["fieldConfig"]["overrides"][1]["matcher"] == {"id": "byType", "options": "time"}
    assert panel["options"] == {"legend": {"displayMode": "list", "showLegend": False, "placement": "bottom",
                                           "calcs": ["max"], "width": 300},
                                "tooltip": {"mode": "multi", "sort": "none"}}
