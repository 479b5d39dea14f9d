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


def test_rows_to_grid_matches_grafanas_own_expectations():
    """The positions Grafana's migration gives this layout (its v16 grid-layout test case, same shape): a shown
    title makes every row a row panel, heights in pixels become grid units, a collapsed row keeps its panels and
    does not push the next row down, a repeated copy of a row is skipped."""
    def panel(panel_id, span, **more):
        return {"id": panel_id, "type": "stat", "title": f"p{panel_id}", "span": span, **more}

    rows = [
        {"height": 250, "panels": [panel(1, 6), panel(2, 6)]},
        {"collapse": True, "height": 300, "title": "C", "panels": [panel(3, 12), panel(4, 6, height=200),
                                                                  panel(5, 6, height=200)]},
        {"showTitle": True, "title": "T", "height": 200, "panels": [panel(6, 4, minSpan=2), panel(7, 4),
                                                                    panel(8, 4)]},
        {"height": 150, "panels": [panel(9, 8), panel(10, 4, height=100)]},
        {"repeat": "server", "height": 250, "panels": [panel(11, 12)]},
        {"repeatIteration": True, "height": 250, "panels": [panel(12, 12)]},
    ]
    migrated, _ = _migrate({"schemaVersion": 15, "rows": rows})

    def boxes(panels):
        for item in panels:
            grid = item["gridPos"]
            yield item["id"], (grid["x"], grid["y"], grid["w"], grid["h"])
            yield from boxes(item.get("panels") or [])

    assert dict(boxes(migrated["panels"])) == {
        13: (0, 0, 24, 7), 1: (0, 1, 12, 7), 2: (12, 1, 12, 7),
        14: (0, 8, 24, 8), 3: (0, 9, 24, 8), 4: (0, 17, 12, 6), 5: (12, 17, 12, 6),
        15: (0, 17, 24, 6), 6: (0, 18, 8, 6), 7: (8, 18, 8, 6), 8: (16, 18, 8, 6),
        16: (0, 24, 24, 4), 9: (0, 25, 16, 4), 10: (16, 25, 8, 3),
        17: (0, 29, 24, 7), 11: (0, 30, 24, 7),
    }
    by_id = {item_id: item for item_id, item in ((p["id"], p) for p in migrated["panels"])}
    assert by_id[6]["maxPerRow"] == 6 and by_id[17]["repeat"] == "server"
    assert [child["id"] for child in by_id[14]["panels"]] == [3, 4, 5]


def test_discrete_panel_becomes_a_state_timeline():
    discrete = {"id": 1, "type": "natel-discrete-panel", "title": "Health", "units": "none",
                "gridPos": {"h": 4, "w": 24, "x": 0, "y": 0},
                "colorMaps": [{"text": "UP", "color": "green"}, {"text": "DOWN", "color": "red"}],
                "valueMaps": [{"value": "1", "text": "UP"}, {"value": "0", "text": "DOWN"}],
                "rangeMaps": [{"from": "2", "to": "9", "text": "DEGRADED"}], "legendSortBy": "-ms"}
    migrated, notes = _migrate({"schemaVersion": 30, "panels": [discrete]})
    panel = migrated["panels"][0]
    assert panel["type"] == "state-timeline" and panel["options"] == {"mergeValues": True}
    assert panel["fieldConfig"]["defaults"]["mappings"] == [
        {"type": "value", "options": {"UP": {"color": "green"}, "DOWN": {"color": "red"},
                                      "1": {"text": "UP"}, "0": {"text": "DOWN"}}},
        {"type": "range", "options": {"from": 2, "to": 9, "result": {"text": "DEGRADED"}}},
    ]
    assert any("legendSortBy" in what for _, what in notes)
