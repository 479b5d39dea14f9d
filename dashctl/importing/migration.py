"""Legacy dashboard JSON upgraded the way Grafana upgrades it on load.

The rules come from Grafana's own code: `DashboardMigrator.upgradeToGridLayout` (public/app/features/dashboard/
state/DashboardMigrator.ts, schemaVersion 16: `rows` become row panels with gridPos), the schemaVersion 14 and 24
steps (`sharedCrosshair` -> `graphTooltip`; a `table` with `styles` is the old table), and the panel-change
handlers Grafana runs when it auto-migrates Angular panels: graph -> timeseries (plugins/panel/timeseries/
migrations.ts, graphPanelChangedHandler), singlestat -> stat or gauge (plugins/panel/stat/StatMigrations.ts and
the shared single-stat handler), table-old -> table (plugins/panel/table/migrations.ts). Every change is noted.

Only the commonly used options of the three Angular panels are carried over (documented in docs/import.md);
an option of theirs that has no counterpart is named in a note, never silently dropped.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

from dashctl.dashboards.model import DASHBOARD_KEYS

__all__ = ["ANGULAR_PANELS", "migrate_dashboard"]

GRID_COLUMNS = 24
_GRID_CELL_HEIGHT = 30
_GRID_CELL_VMARGIN = 8
_MIN_PANEL_HEIGHT = _GRID_CELL_HEIGHT * 3
_DEFAULT_ROW_HEIGHT = 250
_DEFAULT_PANEL_SPAN = 4

# Angular panel types that Grafana 11+ no longer renders and has no automatic migration for here.
ANGULAR_PANELS = frozenset(
    {
        "graph", "singlestat", "table-old", "grafana-piechart-panel", "grafana-worldmap-panel",
        "grafana-singlestat-panel", "natel-discrete-panel", "grafana-clock-panel", "briangann-gauge-panel",
        "vonage-status-panel", "flant-statusmap-panel", "michaeldmoore-annunciator-panel",
        "grafana-polystat-panel", "savantly-heatmap-panel", "jdbranham-diagram-panel", "btplc-status-dot-panel",
    }
)
_LEGACY_DASHBOARD_KEYS = ("rows", "style", "hideControls", "sharedCrosshair", "__inputs", "__requires", "__elements")

# Variable tags went in Grafana 8; a panel's `span` and `height` only meant something before the grid (v16);
# `editable`, `error`, `isNew` and a repeat copy's state are UI state Grafana does not save.
_LEGACY_VARIABLE_KEYS = ("tags", "tagsQuery", "tagValuesQuery", "useTags")
_LEGACY_PANEL_KEYS = ("span", "height", "editable", "error", "isNew", "scopedVars", "repeatIteration",
                      "repeatPanelId", "repeatedByRow")

Note = Callable[[str, str], None]  # (where, what changed)


def migrate_dashboard(model: dict[str, Any], note: Note) -> dict[str, Any]:
    """A copy of `model` upgraded to the current schema as Grafana would, each change passed to `note`."""
    dashboard = copy.deepcopy(model)
    version = dashboard.get("schemaVersion") or 0
    if isinstance(version, int) and version < 14 and "sharedCrosshair" in dashboard:
        dashboard["graphTooltip"] = 1 if dashboard.get("sharedCrosshair") else 0
        note("dashboard", f"sharedCrosshair {dashboard.get('sharedCrosshair')!r} became graphTooltip "
             f"{dashboard['graphTooltip']}")
    if dashboard.get("rows"):
        dashboard["panels"] = _rows_to_panels(dashboard["rows"]) + list(dashboard.get("panels") or [])
        note("dashboard", f"{len(dashboard['rows'])} legacy rows became row panels with grid positions "
             "(Grafana's schemaVersion 16 migration)")
    for key in _LEGACY_DASHBOARD_KEYS:
        if key in dashboard:
            value = dashboard.pop(key)
            if key not in ("rows", "__inputs", "__requires", "__elements") and value not in (None, "", False):
                note("dashboard", f"dropped legacy key {key!r} ({value!r}), which current Grafana ignores")
    for key in sorted(set(dashboard) - DASHBOARD_KEYS):
        dashboard.pop(key)
        note("dashboard", f"dropped key {key!r}: Grafana's dashboard model has no such field and ignores it")
    dashboard["panels"] = [_migrate_panel(panel, note) for panel in dashboard.get("panels") or []]
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        for key in _LEGACY_VARIABLE_KEYS:
            if isinstance(variable, dict) and key in variable:
                value = variable.pop(key)
                if value not in (None, "", False, []):
                    note(f"variable {variable.get('name')!r}", f"dropped {key} {value!r}: variable tags were "
                         "removed in Grafana 8")
    return dashboard


def _grid_height(height: Any) -> int:
    if isinstance(height, str):
        digits = "".join(ch for ch in height.replace("px", "") if ch.isdigit())
        height = int(digits) if digits else _DEFAULT_ROW_HEIGHT
    height = max(float(height), _MIN_PANEL_HEIGHT)
    return math.ceil(height / (_GRID_CELL_HEIGHT + _GRID_CELL_VMARGIN))


class _RowArea:
    """Grafana's RowArea: which height of each column of the current row is filled."""

    def __init__(self, height: int, y: int) -> None:
        self.area = [0] * GRID_COLUMNS
        self.y = y
        self.height = height

    def add(self, pos: dict[str, int]) -> None:
        for i in range(pos["x"], min(pos["x"] + pos["w"], GRID_COLUMNS)):
            if not self.area[i] or pos["y"] + pos["h"] - self.y > self.area[i]:
                self.area[i] = pos["y"] + pos["h"] - self.y

    def position(self, width: int, once: bool = False) -> dict[str, int] | None:
        start = end = None
        for i in range(len(self.area) - 1, -1, -1):
            if self.height - self.area[i] > 0:
                if end is None:
                    end = i
                elif i < len(self.area) - 1 and self.area[i] <= self.area[i + 1]:
                    start = i
                else:
                    break
            else:
                break
        if start is not None and end is not None and end - start >= width - 1:
            return {"x": start, "y": max(self.area[start:])}
        if once:
            return None
        self.y += self.height
        self.area = [0] * GRID_COLUMNS
        return self.position(width, True)


def _rows_to_panels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    panel_ids = [panel.get("id") for row in rows for panel in row.get("panels") or [] if panel.get("id")]
    next_row_id = max(panel_ids, default=0) + 1
    show_rows = any(row.get("collapse") or row.get("showTitle") or row.get("repeat") for row in rows)
    out: list[dict[str, Any]] = []
    y = 0
    for row in rows:
        if row.get("repeatIteration"):
            continue
        row_height = _grid_height(row.get("height") or _DEFAULT_ROW_HEIGHT)
        row_panel: dict[str, Any] | None = None
        if show_rows:
            row_panel = {"id": next_row_id, "type": "row", "title": row.get("title"),
                         "collapsed": bool(row.get("collapse")), "panels": [],
                         "gridPos": {"x": 0, "y": y, "w": GRID_COLUMNS, "h": row_height}}
            if row.get("repeat"):
                row_panel["repeat"] = row["repeat"]
            next_row_id += 1
            y += 1
        area = _RowArea(row_height, y)
        for panel in row.get("panels") or []:
            panel = dict(panel)
            span = panel.pop("span", None) or _DEFAULT_PANEL_SPAN
            if panel.get("minSpan"):
                panel["minSpan"] = min(GRID_COLUMNS, GRID_COLUMNS // 12 * panel["minSpan"])
            width = math.floor(span) * GRID_COLUMNS // 12
            height = _grid_height(panel["height"]) if panel.get("height") else row_height
            place = area.position(width) or {"x": 0, "y": 0}
            y = area.y
            panel["gridPos"] = {"x": place["x"], "y": y + place["y"], "w": width, "h": height}
            panel.pop("height", None)
            area.add(panel["gridPos"])
            if row_panel is not None and row_panel["collapsed"]:
                row_panel["panels"].append(panel)
            else:
                out.append(panel)
        if row_panel is not None:
            out.append(row_panel)
        if not (row_panel is not None and row_panel["collapsed"]):
            y += row_height
    # Grafana appends each row panel after its panels, then sorts panels by position.
    out.sort(key=lambda panel: (panel["gridPos"]["y"], panel["gridPos"]["x"]))
    return out


def _migrate_panel(panel: dict[str, Any], note: Note) -> dict[str, Any]:
    kind = panel.get("type")
    where = f"panel {panel.get('title') or '#' + str(panel.get('id'))!r}"
    if not isinstance(panel.get("gridPos"), dict):
        # PanelModel's defaults: a panel without a position gets one (and the grid then packs it upwards).
        panel["gridPos"] = {"x": 0, "y": 0, "w": GRID_COLUMNS if kind == "row" else 6, "h": 1 if kind == "row" else 3}
        note(where, f"had no gridPos; placed at Grafana's default {panel['gridPos']}")
    if not isinstance(panel.get("gridPos"), dict):
        # PanelModel's defaults: a panel without a position gets one (and the grid then packs it upwards).
        panel["gridPos"] = {"x": 0, "y": 0, "w": GRID_COLUMNS if kind == "row" else 6, "h": 1 if kind == "row" else 3}
        note(where, f"had no gridPos; placed at Grafana's default {panel['gridPos']}")
    if panel.get("minSpan"):
        # schemaVersion 17: minSpan (of 24 columns) becomes maxPerRow, the largest factor of 24 that fits.
        most = GRID_COLUMNS / panel["minSpan"]
        factors = [1, 2, 3, 4, 6, 8, 12, 24]
        fitting = [factor for factor in factors if factor <= most]
        panel["maxPerRow"] = fitting[-1] if fitting else 1
        note(where, f"minSpan {panel['minSpan']} became maxPerRow {panel['maxPerRow']}")
    panel.pop("minSpan", None)
    for key in _LEGACY_PANEL_KEYS:
        if key in panel:
            value = panel.pop(key)
            if key in ("span", "height") and value not in (None, ""):
                note(where, f"dropped legacy {key} {value!r}: the panel's gridPos places it")
    if kind == "row":
        panel["panels"] = [_migrate_panel(child, note) for child in panel.get("panels") or []]
        return panel
    if kind == "table" and "styles" in panel and "fieldConfig" not in panel:
        kind = "table-old"  # Grafana's schemaVersion 24 step: a table with `styles` is the old Angular table
    migrate = {"graph": _graph_to_timeseries, "singlestat": _singlestat_to_stat, "table-old": _old_table_to_table}
    if kind in migrate:
        return migrate[kind](panel, lambda what: note(where, what))
    if kind in ANGULAR_PANELS:
        note(where, f"Angular panel {kind!r} kept as it is: Grafana 11+ shows it only with Angular support")
    return panel


_COMMON = ("id", "title", "description", "gridPos", "datasource", "targets", "links", "repeat", "repeatDirection",
           "maxPerRow", "interval", "maxDataPoints", "timeFrom", "timeShift", "hideTimeOverride", "transparent",
           "transformations", "cacheTimeout", "libraryPanel", "collapsed")


def _carry(panel: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"type": kind, **{key: panel[key] for key in _COMMON if key in panel}}


def _leftovers(panel: dict[str, Any], used: set[str], note: Callable[[str], None]) -> None:
    ignored = {"type", "span", "height", "editable", "error", "isNew", "pluginVersion", "options", "fieldConfig"}
    rest = sorted(key for key in panel if key not in used and key not in _COMMON and key not in ignored)
    if rest:
        note("options without a counterpart, not carried over: " + ", ".join(rest))


# Grafana's field reducers and the aliases the graph legend used for them (fieldReducers' aliasIds).
_REDUCERS = {
    "lastNotNull": "lastNotNull", "current": "lastNotNull", "last": "last", "firstNotNull": "firstNotNull",
    "first": "first", "min": "min", "max": "max", "mean": "mean", "avg": "mean", "sum": "sum", "total": "sum",
    "count": "count", "range": "range", "delta": "delta", "step": "step", "diff": "diff", "logmin": "logmin",
    "allIsZero": "allIsZero", "allIsNull": "allIsNull", "changeCount": "changeCount",
    "distinctCount": "distinctCount", "diffperc": "diffperc", "allValues": "allValues",
    "uniqueValues": "uniqueValues",
}
_REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)$")


def _number(value: Any) -> Any:
    """lodash's validNumber: a number, or a string that is one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and value.strip():
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return None


def _old_axis(axis: Any) -> dict[str, Any]:
    """getFieldConfigFromOldAxis."""
    if not axis:
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if axis.get("show") else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if axis.get("logBase") in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
    config = {"unit": axis.get("format"), "decimals": _number(axis.get("decimals")), "min": _number(axis.get("min")),
              "max": _number(axis.get("max")), "custom": custom}
    return {key: value for key, value in config.items() if value is not None}


def _graph_to_timeseries(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """flotToGraphOptions of public/app/plugins/panel/timeseries/migrations.ts, rule for rule."""
    new = _carry(panel, "timeseries")
    old_config = panel.get("fieldConfig") or {}
    overrides = list(old_config.get("overrides") or [])
    yaxes = panel.get("yaxes") or []
    y1 = _old_axis(yaxes[0] if yaxes else None)
    if old_config.get("defaults"):
        y1 = {**old_config["defaults"], **y1}
    dash = {"fill": "dash" if panel.get("dashes") else "solid",
            "dash": [panel.get("dashLength", 10) if panel.get("dashLength") is not None else 10,
                     panel.get("spaceLength", 10) if panel.get("spaceLength") is not None else 10]}
    for alias, color in (panel.get("aliasColors") or {}).items():
        if color:
            overrides.append({"matcher": {"id": "byName", "options": alias},
                              "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}]})
    fill_below = False
    for series in panel.get("seriesOverrides") or []:
        alias = series.get("alias") if isinstance(series, dict) else None
        if not alias:
            continue
        matcher_id = "byRegexp" if _REGEX_ALIAS.match(str(alias)) else "byName"
        properties: list[dict[str, Any]] = []
        dash_override: dict[str, Any] | None = None
        for key, value in series.items():
            if key in ("alias", "$$hashKey"):
                continue
            if key == "yaxis":
                if value == 2:
                    y2 = _old_axis(yaxes[1] if len(yaxes) > 1 else None)
                    properties += [{"id": k, "value": v} for k, v in y2.items() if k != "custom" and v != y1.get(k)]
                    y1_custom = y1.get("custom") or {}
                    properties += [{"id": f"custom.{k}", "value": v} for k, v in (y2.get("custom") or {}).items()
                                   if v != y1_custom.get(k)]
            elif key == "fill":
                properties.append({"id": "custom.fillOpacity", "value": value * 10})
            elif key == "fillBelowTo":
                fill_below = True
                properties.append({"id": "custom.fillBelowTo", "value": value})
            elif key == "fillGradient":
                if value:
                    properties.append({"id": "custom.fillGradient", "value": "opacity"})
                    properties.append({"id": "custom.fillOpacity", "value": value * 10})
            elif key == "points":
                properties.append({"id": "custom.showPoints", "value": "always" if value else "never"})
            elif key == "bars":
                if value:
                    properties.append({"id": "custom.drawStyle", "value": "bars"})
                    properties.append({"id": "custom.fillOpacity", "value": 100})
                else:
                    properties.append({"id": "custom.drawStyle", "value": "line"})
            elif key == "lines":
                properties.append({"id": "custom.lineWidth", "value": 0})
            elif key == "linewidth":
                properties.append({"id": "custom.lineWidth", "value": value})
            elif key == "pointradius":
                properties.append({"id": "custom.pointSize", "value": 2 + value * 2})
            elif key in ("dashLength", "spaceLength", "dashes"):
                dash_override = dash_override or {"fill": dash["fill"], "dash": list(dash["dash"])}
                if key == "dashLength":
                    dash_override["dash"][0] = value
                elif key == "spaceLength":
                    dash_override["dash"][1] = value
                else:
                    dash_override["fill"] = "dash" if value else "solid"
            elif key == "stack":
                properties.append({"id": "custom.stacking", "value": {"mode": "normal", "group": value}})
            elif key == "color":
                properties.append({"id": "color", "value": {"fixedColor": value, "mode": "fixed"}})
            elif key == "transform":
                properties.append({"id": "custom.transform",
                                   "value": "negative-Y" if value == "negative-Y" else "constant"})
            else:
                note(f"series override {alias!r}: {key} {value!r} not carried over (Grafana ignores it too)")
        if dash_override:
            properties.append({"id": "custom.lineStyle", "value": dash_override})
        if properties:
            overrides.append({"matcher": {"id": matcher_id, "options": alias}, "properties": properties})
    graph = dict(y1.get("custom") or {})
    graph["drawStyle"] = "bars" if panel.get("bars") else "line" if panel.get("lines") else "points"
    if panel.get("points"):
        graph["showPoints"] = "always"
        if isinstance(panel.get("pointradius"), int | float) and not isinstance(panel.get("pointradius"), bool):
            graph["pointSize"] = 2 + panel["pointradius"] * 2
    elif graph["drawStyle"] != "points":
        graph["showPoints"] = "never"
    graph["lineWidth"] = panel.get("linewidth")
    if dash["fill"] != "solid":
        graph["lineStyle"] = dash
    if fill_below:
        graph["fillOpacity"] = 35  # flot's bands had a fixed opacity
    elif _is_number(panel.get("fill")):
        graph["fillOpacity"] = panel["fill"] * 10
    if _is_number(panel.get("fillGradient")) and panel["fillGradient"] > 0:
        graph["gradientMode"] = "opacity"
        graph["fillOpacity"] = panel["fillGradient"] * 10
    graph["spanNulls"] = panel.get("nullPointMode") == "connected"
    if panel.get("steppedLine"):
        graph["lineInterpolation"] = "stepAfter"
    if graph["drawStyle"] == "bars":
        graph["fillOpacity"] = 100
    if panel.get("stack"):
        graph["stacking"] = {"mode": "normal", "group": "A"}
    y1["custom"] = {key: value for key, value in graph.items() if value is not None}
    y1["nullValueMode"] = panel.get("nullPointMode")
    options: dict[str, Any] = {
        "legend": {"displayMode": "list", "showLegend": True, "placement": "bottom", "calcs": []},
        "tooltip": {"mode": "single", "sort": "none"},
    }
    legend = panel.get("legend")
    if isinstance(legend, dict):
        if legend.get("show"):
            options["legend"]["displayMode"] = "table" if legend.get("alignAsTable") else "list"
        else:
            options["legend"]["showLegend"] = False
        if legend.get("rightSide"):
            options["legend"]["placement"] = "right"
        if legend.get("values"):
            options["legend"]["calcs"] = [_REDUCERS[key] for key, value in legend.items() if value and key in _REDUCERS]
        if legend.get("sideWidth"):
            options["legend"]["width"] = legend["sideWidth"]
    tooltip = panel.get("tooltip")
    if isinstance(tooltip, dict):
        if "shared" in tooltip:
            options["tooltip"]["mode"] = "multi" if tooltip["shared"] else "single"
        if "sort" in tooltip and tooltip.get("shared"):
            options["tooltip"]["sort"] = {1: "asc", 2: "desc"}.get(tooltip["sort"], "none")
    thresholds = panel.get("thresholds")
    if isinstance(thresholds, list) and thresholds:
        y1["thresholds"], y1["custom"]["thresholdsStyle"] = _graph_thresholds(thresholds)
    xaxis = panel.get("xaxis") or {}
    if xaxis.get("show") is False and xaxis.get("mode") == "time":
        overrides.append({"matcher": {"id": "byType", "options": "time"},
                          "properties": [{"id": "custom.axisPlacement", "value": "hidden"}]})
    new["fieldConfig"] = {"defaults": {key: value for key, value in y1.items() if value is not None},
                          "overrides": overrides}
    new["options"] = options
    note("graph (Angular) became timeseries (Grafana's graph panel migration)")
    used = {"bars", "lines", "points", "linewidth", "fill", "fillGradient", "pointradius", "steppedLine",
            "nullPointMode", "stack", "yaxes", "xaxis", "aliasColors", "seriesOverrides", "legend", "tooltip",
            "dashes", "dashLength", "spaceLength", "thresholds", "percentage", "renderer", "yaxis", "hiddenSeries",
            "timeRegions", "options", "fieldConfig", "aliasYAxis", "grid", "x-axis", "y-axis", "zero"}
    if panel.get("percentage") and panel.get("stack"):
        note("graph percentage stacking became normal stacking, as Grafana migrates it")
    if panel.get("timeRegions"):
        note(f"graph time regions not carried over: {panel['timeRegions']!r}")
    _leftovers(panel, used, note)
    return new


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _threshold_color(threshold: dict[str, Any]) -> str:
    mode = threshold.get("colorMode")
    if mode == "critical":
        return "red"
    if mode == "warning":
        return "orange"
    if mode == "custom":
        return threshold.get("fillColor") or threshold.get("lineColor")
    return "red"


def _graph_thresholds(thresholds: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The graph's threshold lines and areas as thresholds steps; -Infinity is written as null (the base step)."""
    ordered = sorted((t for t in thresholds if isinstance(t, dict) and _is_number(t.get("value"))),
                     key=lambda t: t["value"])
    steps: list[dict[str, Any]] = []
    area = line = False
    for index, threshold in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        area = area or bool(threshold.get("fill"))
        line = line or bool(threshold.get("line"))
        if threshold.get("op") == "gt":
            steps.append({"value": threshold["value"], "color": _threshold_color(threshold)})
        if threshold.get("op") == "lt":
            if not steps:
                steps.append({"value": None, "color": _threshold_color(threshold)})
            if following and following.get("op") == "gt" and following["value"] > threshold["value"]:
                steps.append({"value": threshold["value"], "color": "transparent"})
            elif following and following.get("op") == "lt":
                steps.append({"value": threshold["value"], "color": _threshold_color(following)})
            else:
                steps.append({"value": threshold["value"], "color": "transparent"})
    if steps and steps[0]["value"] is not None:
        steps.insert(0, {"color": "transparent", "value": None})
    mode = "line+area" if line and area else "area" if area else "line"
    return {"mode": "absolute", "steps": steps}, {"mode": mode}


def _singlestat_to_stat(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """sharedSingleStatPanelChangedHandler (public/app/features/panel/singlestat... SingleStatBaseOptions.ts) and
    the stat and gauge panels' own change handlers (StatMigrations.ts, GaugeMigrations.ts)."""
    gauge = panel.get("gauge") if isinstance(panel.get("gauge"), dict) else {}
    new = _carry(panel, "gauge" if gauge.get("show") else "stat")
    options: dict[str, Any] = {
        "reduceOptions": {"calcs": [_REDUCERS.get(str(panel.get("valueName")), "mean")]},
        "orientation": "horizontal",
    }
    defaults: dict[str, Any] = {}
    if panel.get("format"):
        defaults["unit"] = panel["format"]
    if panel.get("tableColumn"):
        options["reduceOptions"]["fields"] = f"/^{panel['tableColumn']}$/"
    if panel.get("nullPointMode"):
        defaults["nullValueMode"] = panel["nullPointMode"]
    if panel.get("nullText"):
        defaults["noValue"] = panel["nullText"]
    if panel.get("decimals") or panel.get("decimals") == 0:
        defaults["decimals"] = panel["decimals"]
    if panel.get("thresholds") and panel.get("colors"):
        levels = [_js_number(part) for part in str(panel["thresholds"]).split(",")]
        steps: list[dict[str, Any]] = []
        for color in panel["colors"]:
            index = len(steps) - 1
            value = None if index < 0 else (levels[index] if index < len(levels) else None)
            steps.append({"value": value, "color": color})
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mappings = _angular_mappings(panel, defaults.get("thresholds"))
    if mappings:
        defaults["mappings"] = mappings
    if gauge.get("show"):
        defaults["min"] = gauge.get("minValue")
        defaults["max"] = gauge.get("maxValue")
    new["fieldConfig"] = {"defaults": {key: value for key, value in defaults.items() if value is not None},
                          "overrides": []}
    if gauge.get("show"):
        options["showThresholdMarkers"] = gauge.get("thresholdMarkers")
        options["showThresholdLabels"] = gauge.get("thresholdLabels")
    else:
        sparkline = panel.get("sparkline") if isinstance(panel.get("sparkline"), dict) else {}
        options["graphMode"] = "area" if sparkline.get("show") else "none"
        if panel.get("colorBackground"):
            options["colorMode"] = "background"
        elif panel.get("colorValue"):
            options["colorMode"] = "value"
        else:
            options["colorMode"] = "none"
            if sparkline.get("lineColor") and options["graphMode"] == "area":
                new["fieldConfig"]["defaults"]["color"] = {"mode": "fixed", "fixedColor": sparkline["lineColor"]}
        if panel.get("valueName") == "name":
            options["textMode"] = "name"
    new["options"] = {key: value for key, value in options.items() if value is not None}
    note(f"singlestat (Angular) became {new['type']} (Grafana's single stat migration)")
    used = {"format", "decimals", "gauge", "colors", "thresholds", "valueMaps", "rangeMaps", "nullText", "valueName",
            "colorBackground", "colorValue", "sparkline", "mappingType", "mappingTypes", "nullPointMode",
            "tableColumn", "options", "fieldConfig"}
    _leftovers(panel, used, note)
    return new


def _js_number(text: str) -> Any:
    """JavaScript's Number() of a trimmed string: NaN (written as null) when it is not a number."""
    number = _number(text.strip()) if text.strip() else 0
    return number


def _angular_mappings(panel: dict[str, Any], thresholds: dict[str, Any] | None) -> list[dict[str, Any]]:
    """convertOldAngularValueMappings (@grafana/data valueMappings): value maps collected into one value mapping
    (first), "null" into a special mapping, ranges into range mappings; each result coloured as its text, read as a
    number, would be by the thresholds."""
    kind = panel.get("mappingType")
    if not kind:
        kind = 1 if panel.get("valueMaps") else 2 if panel.get("rangeMaps") else None
    old = panel.get("valueMaps") if kind == 1 else panel.get("rangeMaps") if kind == 2 else None
    values: dict[str, Any] = {}
    mappings: list[dict[str, Any]] = []
    for item in old or []:
        if not isinstance(item, dict):
            continue
        result = {"text": item.get("text")}
        color = _threshold_for(item.get("text"), thresholds)
        if color:
            result["color"] = color
        if kind == 1 and item.get("value") is not None:
            if item["value"] == "null":
                mappings.append({"type": "special", "options": {"match": "null", "result": result}})
            else:
                values[str(item["value"])] = result
        elif kind == 2:
            mappings.append({"type": "range", "options": {"from": _number(item.get("from")),
                                                          "to": _number(item.get("to")), "result": result}})
    if values:
        mappings.insert(0, {"type": "value", "options": values})
    return mappings


def _threshold_for(text: Any, thresholds: dict[str, Any] | None) -> str | None:
    try:
        value = float(str(text).strip().split()[0]) if text is not None and str(text).strip() else None
    except ValueError:
        value = None
    if value is None or not thresholds:
        return None
    active = None
    for step in thresholds.get("steps") or []:
        if step.get("value") is None or (isinstance(step["value"], int | float) and value >= step["value"]):
            active = step
    return active.get("color") if active else None


_TABLE_TRANSFORMS = {"timeseries_to_rows": "seriesToRows", "timeseries_to_columns": "seriesToColumns",
                     "timeseries_aggregations": "reduce", "table": "merge"}
_TABLE_COLUMNS = {"avg": "mean", "min": "min", "max": "max", "total": "sum", "current": "lastNotNull",
                  "count": "count"}
_TABLE_COLOR_MODES = {"cell": "color-background", "row": "color-background", "value": "color-text"}


def _table_thresholds(thresholds: list[Any], colors: list[Any]) -> list[dict[str, Any]]:
    steps = []
    for index, threshold in enumerate([None, *thresholds]):
        if index == 0:
            value = None
        elif _is_number(threshold):
            value = threshold
        else:
            digits = re.match(r"\s*[-+]?\d+", str(threshold))
            value = int(digits.group()) if digits else None
        steps.append({"color": colors[index] if index < len(colors) else None, "value": value})
    return steps


def _table_style(style: dict[str, Any]) -> dict[str, Any]:
    pattern = style.get("pattern")
    regex = isinstance(pattern, str) and len(pattern) >= 2 and pattern.startswith("/") and pattern.endswith("/")
    properties: list[dict[str, Any]] = []
    if style.get("alias"):
        properties.append({"id": "displayName", "value": style["alias"]})
    if style.get("unit"):
        properties.append({"id": "unit", "value": style["unit"]})
    if "decimals" in style:
        properties.append({"id": "decimals", "value": style["decimals"]})
    if style.get("type") == "date":
        properties.append({"id": "unit", "value": f"time: {style.get('dateFormat')}"})
    if style.get("type") == "hidden":
        properties.append({"id": "custom.hidden", "value": True})
    if style.get("link"):
        properties.append({"id": "links", "value": [{"title": style.get("linkTooltip") or "",
                                                     "url": style.get("linkUrl") or "",
                                                     "targetBlank": bool(style.get("linkTargetBlank", False))}]})
    if style.get("colorMode"):
        properties.append({"id": "custom.cellOptions",
                           "value": {"type": _TABLE_COLOR_MODES.get(style["colorMode"])}})
    if style.get("align"):
        properties.append({"id": "custom.align", "value": None if style["align"] == "auto" else style["align"]})
    if style.get("thresholds") and style.get("colors"):
        properties.append({"id": "thresholds", "value": {
            "mode": "absolute", "steps": _table_thresholds(style["thresholds"], style["colors"])}})
    return {"matcher": {"id": "byRegexp" if regex else "byName", "options": pattern}, "properties": properties}


def _old_table_to_table(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """tablePanelChangedHandler of public/app/plugins/panel/table/migrations.ts."""
    new = _carry(panel, "table")
    transformations = list(panel.get("transformations") or [])
    transform = panel.get("transform")
    if transform in _TABLE_TRANSFORMS:
        options: dict[str, Any] = {"reducers": []}
        if transform == "timeseries_aggregations":
            options["includeTimeField"] = False
            options["reducers"] = [_TABLE_COLUMNS.get(column.get("value")) for column in panel.get("columns") or []
                                   if isinstance(column, dict)]
        transformations.append({"id": _TABLE_TRANSFORMS[transform], "options": options})
    elif transform:
        note(f"table-old transform {transform!r} has no counterpart: add a transformation")
    styles = [style for style in panel.get("styles") or [] if isinstance(style, dict)]
    default_style = next((style for style in styles if style.get("pattern") == "/.*/"), None)
    defaults: dict[str, Any] = {"custom": {}}
    if default_style:
        align = default_style.get("align")
        defaults = {key: value for key, value in {
            "unit": default_style.get("unit"), "decimals": default_style.get("decimals"),
            "displayName": default_style.get("alias"),
            "custom": {"align": None if align == "auto" else align} if align is not None else {},
        }.items() if value is not None}
        if default_style.get("thresholds"):
            defaults["thresholds"] = {"mode": "absolute", "steps": _table_thresholds(
                default_style["thresholds"], default_style.get("colors") or [])}
        if default_style.get("colorMode"):
            defaults["custom"]["cellOptions"] = {"type": _TABLE_COLOR_MODES.get(default_style["colorMode"])}
    if transformations:
        new["transformations"] = transformations
    new["fieldConfig"] = {"defaults": defaults,
                          "overrides": [_table_style(style) for style in styles if style.get("pattern") != "/.*/"]}
    new["options"] = {}
    if isinstance(panel.get("sort"), dict) and panel["sort"].get("col") is not None:
        note(f"table-old sort by column {panel['sort'].get('col')} not carried over (Grafana drops it too)")
    note("table-old (Angular) became table (Grafana's table migration)")
    _leftovers(panel, {"styles", "sort", "transform", "columns", "fontSize", "scroll", "showHeader", "pageSize",
                       "options", "fieldConfig"}, note)
    return new
