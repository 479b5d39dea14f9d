"""Angular panels converted as Grafana 11+ converts them when it loads them (autoMigrateOldPanels).

Each conversion follows the panel-change handler of the new panel, rule for rule: graph -> timeseries
(public/app/plugins/panel/timeseries/migrations.ts, flotToGraphOptions), singlestat and grafana-singlestat-panel
-> stat (SingleStatBaseOptions.ts sharedSingleStatPanelChangedHandler with StatMigrations.ts; PanelModel's
autoMigrateAngular map, and Grafana 12's backend migration, make a shown gauge a stat too),
table-old -> table (public/app/plugins/panel/table/migrations.ts, tablePanelChangedHandler), grafana-worldmap-panel
-> geomap (public/app/plugins/panel/geomap/migrations.ts, worldmapToGeomapOptions). Keys of the old
panel that the handler does not read are named in a note: Grafana drops them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["CONVERSIONS"]

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
    the stat panel's own change handler (StatMigrations.ts)."""
    gauge = panel.get("gauge") if isinstance(panel.get("gauge"), dict) else {}
    new = _carry(panel, "stat")
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
    if gauge.get("show"):
        note("singlestat's gauge became a stat, as Grafana 12 migrates it (its min and max are kept)")
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


_PIE_REDUCERS = {"current": "lastNotNull", "min": "min", "max": "max", "avg": "mean", "total": "sum"}


def _piechart(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """PieChartPanelChangedHandler of public/app/plugins/panel/piechart/migrations.ts."""
    new = _carry(panel, "piechart")
    overrides = [
        {"matcher": {"id": "byName", "options": alias},
         "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}]}
        for alias, color in (panel.get("aliasColors") or {}).items() if color
    ]
    # The old piechart showed 0 decimals by default, the new one 1.
    defaults = {"unit": panel.get("format"), "decimals": panel.get("decimals") or 0}
    new["fieldConfig"] = {"defaults": {key: value for key, value in defaults.items() if value is not None},
                          "overrides": overrides}
    legend: dict[str, Any] = {"placement": "right", "values": [], "displayMode": "table", "showLegend": True,
                              "calcs": []}
    options: dict[str, Any] = {"legend": legend}
    if panel.get("valueName"):
        calc = _PIE_REDUCERS.get(panel["valueName"])
        options["reduceOptions"] = {"calcs": [calc] if calc else []}
    legend_type = panel.get("legendType")
    if legend_type == "Under graph":
        legend["placement"] = "bottom"
    if panel.get("pieType") in ("pie", "donut"):
        options["pieType"] = panel["pieType"]
    old_legend = panel.get("legend") if isinstance(panel.get("legend"), dict) else None
    if old_legend is not None:
        if not old_legend.get("show"):
            legend["showLegend"] = False
        if old_legend.get("values"):
            legend["values"].append("value")
        if old_legend.get("percentage"):
            legend["values"].append("percent")
    if legend_type == "On graph":
        legend["showLegend"] = False
        options["displayLabels"] = ["name"]
        if (old_legend or {}).get("values"):
            options["displayLabels"].append("value")
        if (old_legend or {}).get("percentage"):
            options["displayLabels"].append("percent")
    new["options"] = options
    note("grafana-piechart-panel (Angular) became piechart (Grafana's pie chart migration)")
    _leftovers(panel, {"aliasColors", "format", "decimals", "valueName", "legendType", "pieType", "legend",
                       "options", "fieldConfig", "combine", "fontSize", "strokeWidth", "nullPointMode",
                       "breakPoint", "cacheTimeout"}, note)
    return new


def _discrete_to_state_timeline(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """timelinePanelChangedHandler of public/app/plugins/panel/state-timeline/migrations.ts."""
    new = _carry(panel, "state-timeline")
    defaults: dict[str, Any] = {}
    if panel.get("units"):
        defaults["unit"] = panel["units"]
    defaults["custom"] = {"fillOpacity": 100, "lineWidth": 0}
    values: dict[str, Any] = {}
    mappings: list[dict[str, Any]] = [{"type": "value", "options": values}]
    for item in panel.get("colorMaps") or []:
        if isinstance(item, dict) and item.get("color"):
            values[str(item.get("text"))] = {"color": item["color"]}
    for item in panel.get("valueMaps") or []:
        if isinstance(item, dict) and item.get("text") and item.get("value"):
            values.setdefault(str(item["value"]), {})["text"] = item["text"]
    for item in panel.get("rangeMaps") or []:
        if isinstance(item, dict) and item.get("text"):
            mappings.append({"type": "range", "options": {"from": _number(item.get("from")),
                                                          "to": _number(item.get("to")),
                                                          "result": {"text": item["text"]}}})
    defaults["mappings"] = mappings
    new["fieldConfig"] = {"defaults": defaults, "overrides": []}
    new["options"] = {"mergeValues": True}
    note("natel-discrete-panel (Angular) became state-timeline (Grafana's discrete panel migration)")
    _leftovers(panel, {"units", "colorMaps", "valueMaps", "rangeMaps", "options", "fieldConfig"}, note)
    return new


# MapCenterID of public/app/plugins/panel/geomap/view.ts, by the worldmap's `mapCenter` names.
_MAP_CENTERS = {"(0°, 0°)": "zero", "North America": "north-america", "Europe": "europe", "West Asia": "west-asia",
                "SE Asia": "se-asia", "Last GeoHash": "coords"}
_GAZETTEERS = {"countries": "public/gazetteer/countries.json", "countries_3letter": "public/gazetteer/countries.json",
               "states": "public/gazetteer/usa-states.json"}


def _js_to_number(value: Any) -> Any:
    """JavaScript's Number(value) for what worldmap settings hold; None where it is NaN."""
    if value is None or isinstance(value, bool):
        return 0 if value is None else int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _js_number(value)
    return None


def _markers_layer() -> dict[str, Any]:
    """defaultMarkersConfig (geomap/layers/data/markersLayer.tsx) with defaultStyleConfig (geomap/style/types.ts)."""
    style = {
        "size": {"fixed": 5, "min": 2, "max": 15},
        "color": {"fixed": "dark-green"},
        "opacity": 0.4,
        "symbol": {"mode": "fixed", "fixed": "img/icons/marker/circle.svg"},
        "symbolAlign": {"horizontal": "center", "vertical": "center"},
        "textConfig": {"fontSize": 12, "textAlign": "center", "textBaseline": "middle", "offsetX": 0, "offsetY": 0},
        "rotation": {"fixed": 0, "mode": "mod", "min": -360, "max": 360},
    }
    return {"type": "markers", "name": "", "config": {"style": style, "showLegend": True},
            "location": {"mode": "auto"}, "tooltip": True}


def _worldmap_to_geomap(panel: dict[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """mapPanelChangedHandler and worldmapToGeomapOptions of public/app/plugins/panel/geomap/migrations.ts, which
    PanelModel runs when it loads a `grafana-worldmap-panel` (its autoMigrateAngular map)."""
    new = _carry(panel, "geomap")
    defaults: dict[str, Any] = {}
    layer = _markers_layer()
    view: dict[str, Any] = {"id": "zero"}
    options: dict[str, Any] = {
        "view": view,
        "controls": {"showZoom": True, "mouseWheelZoom": bool(panel.get("mouseWheelZoom"))},
        "basemap": {"type": "default", "name": "Basemap"},
        "layers": [layer],
        "tooltip": {"mode": "details"},
    }
    decimals = _js_to_number(panel.get("decimals"))
    if decimals:
        defaults["decimals"] = decimals
    style = layer["config"]["style"]
    for key, bound in (("circleMaxSize", "max"), ("circleMinSize", "min")):
        size = _js_to_number(panel.get(key))
        if size:
            style["size"][bound] = size
    reducer = _REDUCERS.get(str(panel.get("valueName"))) if panel.get("valueName") is not None else None
    location = panel.get("locationData")
    if reducer and isinstance(location, str) and location:
        new["transformations"] = [*new.get("transformations", []), {"id": "reduce", "options": {"reducers": [reducer]}}]
        if location in _GAZETTEERS:
            # `lookup` stays unset: the geomap then takes the first string field the reducer yields.
            layer["location"] = {"mode": "lookup", "gazetteer": _GAZETTEERS[location]}
        note(f"worldmap locationData {location!r} became a reduce transformation ({reducer})"
             + (f" and a lookup in {_GAZETTEERS[location]}" if location in _GAZETTEERS else ""))
    elif location:
        note(f"worldmap locationData {location!r} not carried over: valueName {panel.get('valueName')!r} is no "
             "reducer Grafana knows")
    if panel.get("thresholds") and panel.get("colors"):
        levels = [_js_number(part) for part in str(panel["thresholds"]).split(",")]
        steps: list[dict[str, Any]] = []
        for color in panel["colors"]:
            index = len(steps) - 1
            # -Infinity for the base step; JSON writes it as null, as Grafana saves it.
            steps.append({"value": None if index < 0 else (levels[index] if index < len(levels) else None),
                          "color": color})
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    zoom = _js_to_number(panel.get("initialZoom"))
    if zoom:
        view["zoom"] = zoom
    # mapCenters[...] replaces the id: an unknown or missing centre leaves none (undefined, not saved).
    center = _MAP_CENTERS.get(panel.get("mapCenter")) if isinstance(panel.get("mapCenter"), str) else None
    if center is None:
        del view["id"]
    else:
        view["id"] = center
    for key, axis in (("mapCenterLatitude", "lat"), ("mapCenterLongitude", "lon")):
        value = _js_to_number(panel.get(key)) if key in panel else None
        if value is not None:
            view[axis] = value
    new["fieldConfig"] = {"defaults": defaults, "overrides": []}
    new["options"] = options
    note("grafana-worldmap-panel (Angular) became geomap (Grafana's worldmap migration): "
         f"view {view}, mouseWheelZoom {options['controls']['mouseWheelZoom']}, marker size "
         f"{style['size']['min']}-{style['size']['max']}"
         + (f", decimals {defaults['decimals']}" if "decimals" in defaults else "")
         + (", thresholds " + ", ".join(f"{step['color']} from {step['value'] if step['value'] is not None else '-inf'}"
                                        for step in defaults["thresholds"]["steps"])
            if "thresholds" in defaults else ""))
    if panel.get("fieldConfig") not in (None, {}, {"defaults": {}, "overrides": []}):
        note(f"worldmap fieldConfig replaced by the geomap's, as Grafana replaces it: {panel['fieldConfig']!r}")
    _leftovers(panel, {"mouseWheelZoom", "decimals", "circleMaxSize", "circleMinSize", "valueName", "locationData",
                       "thresholds", "colors", "initialZoom", "mapCenter", "mapCenterLatitude", "mapCenterLongitude",
                       "options", "fieldConfig"}, note)
    return new


CONVERSIONS: dict[str, Callable[[dict[str, Any], Callable[[str], None]], dict[str, Any]]] = {
    "graph": _graph_to_timeseries,
    "singlestat": _singlestat_to_stat,
    "grafana-singlestat-panel": _singlestat_to_stat,
    "grafana-piechart-panel": _piechart,
    "natel-discrete-panel": _discrete_to_state_timeline,
    "table-old": _old_table_to_table,
    "grafana-worldmap-panel": _worldmap_to_geomap,
}
