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
from collections.abc import Callable
from typing import Any

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


_LEGEND_CALCS = (("avg", "mean"), ("min", "min"), ("max", "max"), ("current", "lastNotNull"), ("total", "sum"))


def _graph_to_timeseries(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    new = _carry(panel, "timeseries")
    custom: dict[str, Any] = {}
    if panel.get("bars"):
        custom["drawStyle"] = "bars"
        custom["fillOpacity"] = 100
    elif panel.get("lines", True) is False and panel.get("points"):
        custom["drawStyle"] = "points"
    else:
        custom["drawStyle"] = "line"
    if "linewidth" in panel:
        custom["lineWidth"] = panel["linewidth"]
    if "fill" in panel and not panel.get("bars"):
        custom["fillOpacity"] = panel["fill"] * 10
    if panel.get("fillGradient"):
        custom["gradientMode"] = "opacity"
    custom["showPoints"] = "always" if panel.get("points") else "never"
    if "pointradius" in panel:
        custom["pointSize"] = 2 + panel["pointradius"] * 2
    if panel.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if panel.get("nullPointMode") == "connected":
        custom["spanNulls"] = True
    if panel.get("stack"):
        custom["stacking"] = {"mode": "percent" if panel.get("percentage") else "normal", "group": "A"}
    defaults: dict[str, Any] = {"custom": custom}
    yaxes = panel.get("yaxes") or []
    if yaxes:
        axis = yaxes[0] or {}
        if axis.get("format"):
            defaults["unit"] = axis["format"]
        for key in ("min", "max"):
            if axis.get(key) not in (None, ""):
                try:
                    defaults[key] = float(axis[key]) if "." in str(axis[key]) else int(axis[key])
                except ValueError:
                    pass
        if axis.get("decimals") is not None:
            defaults["decimals"] = axis["decimals"]
        if axis.get("label"):
            custom["axisLabel"] = axis["label"]
        if axis.get("logBase") not in (None, 1):
            custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
        if axis.get("show") is False:
            custom["axisPlacement"] = "hidden"
    if panel.get("decimals") is not None:
        defaults["decimals"] = panel["decimals"]
    overrides = []
    for alias, color in sorted((panel.get("aliasColors") or {}).items()):
        overrides.append({"matcher": {"id": "byName", "options": alias},
                          "properties": [{"id": "color", "value": {"fixedColor": color, "mode": "fixed"}}]})
    for series in panel.get("seriesOverrides") or []:
        properties = []
        if series.get("yaxis") == 2:
            properties.append({"id": "custom.axisPlacement", "value": "right"})
        if "fill" in series:
            properties.append({"id": "custom.fillOpacity", "value": series["fill"] * 10})
        if "linewidth" in series:
            properties.append({"id": "custom.lineWidth", "value": series["linewidth"]})
        if series.get("transform") == "negative-Y":
            properties.append({"id": "custom.transform", "value": "negative-Y"})
        if series.get("color"):
            properties.append({"id": "color", "value": {"fixedColor": series["color"], "mode": "fixed"}})
        if series.get("dashes"):
            properties.append({"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}})
        if "alias" in series and properties:
            alias = str(series["alias"])
            matcher = ({"id": "byRegexp", "options": alias} if alias.startswith("/") and alias.endswith("/")
                       else {"id": "byName", "options": alias})
            overrides.append({"matcher": matcher, "properties": properties})
    new["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    legend = panel.get("legend") or {}
    calcs = [calc for key, calc in _LEGEND_CALCS if legend.get(key)]
    show = legend.get("show", True)
    new["options"] = {
        "legend": {
            "calcs": calcs,
            "displayMode": ("table" if legend.get("alignAsTable") else "list") if show else "hidden",
            "placement": "right" if legend.get("rightSide") else "bottom",
            "showLegend": bool(show),
        },
        "tooltip": {
            "mode": "multi" if (panel.get("tooltip") or {}).get("shared") else "single",
            "sort": {1: "asc", 2: "desc"}.get((panel.get("tooltip") or {}).get("sort"), "none"),
        },
    }
    note("graph (Angular) became timeseries (Grafana's graph panel migration)")
    used = {"bars", "lines", "points", "linewidth", "fill", "fillGradient", "pointradius", "steppedLine",
            "nullPointMode", "stack", "percentage", "yaxes", "xaxis", "decimals", "aliasColors", "seriesOverrides",
            "legend", "tooltip", "dashes", "dashLength", "spaceLength", "renderer", "timeRegions", "yaxis",
            "hiddenSeries", "thresholds", "options", "fieldConfig"}
    if panel.get("thresholds"):
        note(f"graph thresholds not carried over: {panel['thresholds']!r}")
    _leftovers(panel, used, note)
    return new


_VALUE_NAMES = {"avg": "mean", "current": "lastNotNull", "total": "sum", "min": "min", "max": "max",
                "first": "firstNotNull", "delta": "delta", "diff": "diff", "range": "range", "name": "lastNotNull",
                "last_time": "lastNotNull"}


def _singlestat_to_stat(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    gauge = (panel.get("gauge") or {}).get("show")
    new = _carry(panel, "gauge" if gauge else "stat")
    defaults: dict[str, Any] = {}
    if panel.get("format") and panel["format"] != "none":
        defaults["unit"] = panel["format"]
    if panel.get("decimals") is not None:
        defaults["decimals"] = panel["decimals"]
    if gauge:
        for key, source in (("min", "minValue"), ("max", "maxValue")):
            if (panel.get("gauge") or {}).get(source) is not None:
                defaults[key] = panel["gauge"][source]
    colors = panel.get("colors") or ["green", "orange", "red"]
    steps = [{"color": colors[0], "value": None}]
    thresholds = [part.strip() for part in str(panel.get("thresholds") or "").split(",") if part.strip()]
    for index, value in enumerate(thresholds[:2]):
        try:
            number = float(value)
        except ValueError:
            continue
        steps.append({"color": colors[min(index + 1, len(colors) - 1)],
                      "value": int(number) if number.is_integer() else number})
    defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mappings = []
    options_map = {}
    for mapping in panel.get("valueMaps") or []:
        if mapping.get("value") == "null":
            mappings.append({"type": "special", "options": {"match": "null", "result": {"text": mapping.get("text")}}})
        elif mapping.get("value") is not None:
            options_map[str(mapping["value"])] = {"text": mapping.get("text")}
    if options_map:
        mappings.insert(0, {"type": "value", "options": options_map})
    for mapping in panel.get("rangeMaps") or []:
        try:
            mappings.append({"type": "range", "options": {"from": float(mapping["from"]), "to": float(mapping["to"]),
                                                          "result": {"text": mapping.get("text")}}})
        except (KeyError, TypeError, ValueError):
            continue
    defaults["mappings"] = mappings
    if panel.get("nullText"):
        defaults["noValue"] = panel["nullText"]
    new["fieldConfig"] = {"defaults": defaults, "overrides": []}
    calc = _VALUE_NAMES.get(panel.get("valueName") or "avg", "mean")
    reduce = {"calcs": [calc], "fields": "", "values": False}
    if gauge:
        new["options"] = {"reduceOptions": reduce, "showThresholdLabels": bool(panel["gauge"].get("thresholdLabels")),
                          "showThresholdMarkers": bool(panel["gauge"].get("thresholdMarkers", True)),
                          "orientation": "auto"}
    else:
        color_mode = ("background" if panel.get("colorBackground")
                      else "value" if panel.get("colorValue") else "none")
        new["options"] = {
            "reduceOptions": reduce,
            "colorMode": color_mode,
            "graphMode": "area" if (panel.get("sparkline") or {}).get("show") else "none",
            "justifyMode": "auto",
            "orientation": "horizontal",
            "textMode": "auto",
        }
    note(f"singlestat (Angular) became {new['type']} (Grafana's single stat migration)")
    used = {"format", "decimals", "gauge", "colors", "thresholds", "valueMaps", "rangeMaps", "nullText", "valueName",
            "colorBackground", "colorValue", "sparkline", "mappingType", "mappingTypes", "prefix", "postfix",
            "prefixFontSize", "postfixFontSize", "valueFontSize", "nullPointMode", "tableColumn", "colorPostfix",
            "colorPrefix"}
    for key in ("prefix", "postfix", "tableColumn"):
        if panel.get(key):
            note(f"singlestat {key} {panel[key]!r} not carried over")
    _leftovers(panel, used, note)
    return new


def _old_table_to_table(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    new = _carry(panel, "table")
    defaults: dict[str, Any] = {"custom": {"align": "auto", "displayMode": "auto"}}
    overrides = []
    for style in panel.get("styles") or []:
        properties = []
        if style.get("type") == "hidden":
            properties.append({"id": "custom.hidden", "value": True})
        if style.get("unit") and style.get("type") == "number":
            properties.append({"id": "unit", "value": style["unit"]})
        if style.get("decimals") is not None and style.get("type") == "number":
            properties.append({"id": "decimals", "value": style["decimals"]})
        if style.get("alias"):
            properties.append({"id": "displayName", "value": style["alias"]})
        if style.get("align") and style["align"] != "auto":
            properties.append({"id": "custom.align", "value": style["align"]})
        pattern = style.get("pattern")
        if pattern in ("/.*/", None):
            for prop in properties:
                if prop["id"] in ("unit", "decimals"):
                    defaults[prop["id"]] = prop["value"]
            continue
        if properties:
            matcher = ({"id": "byRegexp", "options": pattern} if str(pattern).startswith("/")
                       else {"id": "byName", "options": pattern})
            overrides.append({"matcher": matcher, "properties": properties})
    new["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    new["options"] = {"showHeader": True}
    if panel.get("sort") and panel["sort"].get("col") is not None:
        note(f"table-old sort by column {panel['sort'].get('col')} not carried over")
    if panel.get("transform") and panel["transform"] not in ("timeseries_to_columns", "table"):
        note(f"table-old transform {panel['transform']!r} not carried over: add a transformation")
    note("table-old (Angular) became table (Grafana's table migration)")
    _leftovers(panel, {"styles", "sort", "transform", "columns", "fontSize", "scroll", "showHeader", "pageSize"}, note)
    return new
