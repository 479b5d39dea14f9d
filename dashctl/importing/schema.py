"""The numbered schemaVersion upgrades from 28 to 42 that Grafana runs when it loads an older dashboard.

dashctl writes schemaVersion 42, so Grafana will not run them on an imported dashboard: the import must, or the
dashboard would look different from the one Grafana showed. The steps follow `DashboardMigrator.updateSchema`
(public/app/features/dashboard/state/DashboardMigrator.ts), one function per step; the datasource steps (33, 36)
are the importer's datasource mapping. CloudWatch's step (34) follows the frontend's `migrateCloudWatchQueries`
with public/app/plugins/datasource/cloudwatch/migrations, as Grafana 12's backend port of it
(apps/dashboard/pkg/migration/schemaversion/v34.go) spells out its edge cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["upgrade_schema"]

Note = Callable[[str, str], None]


def upgrade_schema(dashboard: dict[str, Any], version: int, note: Note) -> None:
    """Apply, in place, the steps above `version` (before any Angular panel is converted, as Grafana does)."""
    variables = [v for v in (dashboard.get("templating") or {}).get("list") or [] if isinstance(v, dict)]
    if version < 29:
        for variable in variables:
            if variable.get("type") != "query":
                continue
            where = f"variable {variable.get('name')!r}"
            if variable.get("refresh") not in (1, 2):
                note(where, f"refresh {variable.get('refresh')!r} became 1 (on dashboard load; schemaVersion 29)")
                variable["refresh"] = 1
            if variable.get("options"):
                note(where, "saved options emptied: Grafana queries them (schemaVersion 29)")
                variable["options"] = []
    if version < 34:
        for panel in _panels(dashboard.get("panels") or []):
            where = f"panel {panel.get('title') or '#' + str(panel.get('id'))!r}"
            _cloudwatch_queries(panel, lambda what, where=where: note(where, what))
        _cloudwatch_annotations(dashboard, note)
    if version < 36:
        for variable in variables:
            if variable.get("type") == "query" and "datasource" in variable and variable["datasource"] is None:
                variable["datasource"] = "default"  # the importer maps the default datasource
    if version < 40 and "refresh" in dashboard and not isinstance(dashboard["refresh"], str):
        note("dashboard", f"refresh {dashboard['refresh']!r} became '' (schemaVersion 40)")
        dashboard["refresh"] = ""
    timepicker = dashboard.get("timepicker")
    if version < 41 and isinstance(timepicker, dict) and "time_options" in timepicker:
        del timepicker["time_options"]
        note("dashboard", "timepicker.time_options dropped: unused since Grafana 5 (schemaVersion 41)")
    steps = [
        (30, _value_mappings), (30, _tooltip_options), (31, _labels_to_fields_merge), (35, _x_axis_visible),
        (37, _legend), (38, _table_cell_options), (39, _time_series_table), (42, _hide_from_tooltip),
    ]
    active = [step for since, step in steps if version < since]
    for panel in _panels(dashboard.get("panels") or []):
        where = f"panel {panel.get('title') or '#' + str(panel.get('id'))!r}"
        for step in active:
            step(panel, lambda what, where=where: note(where, what))


def _panels(panels: list[Any]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        if isinstance(panel, dict):
            yield panel
            yield from _panels(panel.get("panels") or [])


def _is_cloudwatch_query(target: Any) -> bool:
    return isinstance(target, dict) and all(key in target for key in ("dimensions", "namespace", "region",
                                                                       "metricName"))


def _next_ref_id(targets: list[Any]) -> str:
    """getNextRefId: the first of A..Z, then AA..ZZ, that no query uses."""
    used = {target.get("refId") for target in targets if isinstance(target, dict)}
    letters = [chr(code) for code in range(ord("A"), ord("Z") + 1)]
    return next(ref for ref in letters + [a + b for a in letters for b in letters] if ref not in used)


def _cloudwatch_queries(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    """migrateCloudWatchQuery, then migrateMultipleStatsMetricsQuery: a query with several `statistics` becomes one
    query per statistic, the new ones appended with the next free refIds."""
    targets = panel.get("targets")
    if not isinstance(targets, list):
        return
    for target in list(targets):
        if not _is_cloudwatch_query(target):
            continue
        ref = target.get("refId")
        if "metricQueryType" not in target:
            target["metricQueryType"] = 0  # MetricQueryType.Search
            note(f"CloudWatch query {ref}: metricQueryType 0 (Search) written (schemaVersion 34)")
        if "metricEditorMode" not in target:
            # MetricEditorMode.Code (1) for Insights queries and for a query with an expression, else Builder (0).
            target["metricEditorMode"] = 1 if target["metricQueryType"] == 1 or target.get("expression") else 0
            note(f"CloudWatch query {ref}: metricEditorMode {target['metricEditorMode']} written (schemaVersion 34)")
        if "statistics" not in target:
            continue
        statistics = target.pop("statistics")
        if not isinstance(statistics, list) or not statistics:
            note(f"CloudWatch query {ref}: empty statistics {statistics!r} dropped (schemaVersion 34)")
            continue
        if statistics[0] is not None:
            target["statistic"] = statistics[0]
        added = []
        for statistic in statistics[1:]:
            copy = {key: value for key, value in target.items() if key != "statistic"}
            if statistic is not None:
                copy["statistic"] = statistic
            copy["refId"] = _next_ref_id(targets)
            targets.append(copy)
            added.append(f"{copy['refId']} ({statistic})")
        note(f"CloudWatch query {ref}: statistics {statistics!r} became statistic {statistics[0]!r}"
             + (f" and the new queries {', '.join(added)}" if added else "") + " (schemaVersion 34)")


def _cloudwatch_annotations(dashboard: dict[str, Any], note: Note) -> None:
    """migrateMultipleStatsAnnotationQuery: an annotation with several `statistics` becomes one per statistic,
    each named `<name> - <statistic>`, the new ones appended to the list."""
    annotations = dashboard.get("annotations")
    listed = annotations.get("list") if isinstance(annotations, dict) else None
    if not isinstance(listed, list):
        return
    for annotation in list(listed):
        if not isinstance(annotation, dict) or not all(
            key in annotation for key in ("dimensions", "namespace", "region", "prefixMatching", "statistics")
        ):
            continue
        where = f"annotation {annotation.get('name')!r}"
        name = annotation.get("name")
        statistics = annotation.pop("statistics")
        if not isinstance(statistics, list) or not statistics:
            note(where, f"empty CloudWatch statistics {statistics!r} dropped (schemaVersion 34)")
            continue
        copies = []
        for statistic in statistics:
            copy = dict(annotation)
            if statistic is not None:
                copy["statistic"] = statistic
            if len(statistics) > 1 and name:
                copy["name"] = f"{name} - {'null' if statistic is None else statistic}"
            copies.append(copy)
        annotation.clear()
        annotation.update(copies[0])
        listed.extend(copies[1:])
        note(where, f"CloudWatch statistics {statistics!r} became "
             + ", ".join(f"{copy.get('name')!r} ({copy.get('statistic')})" for copy in copies)
             + " (schemaVersion 34)")


def _number(value: Any) -> Any:
    """JavaScript's unary plus, for the values old mappings hold (numbers or numeric strings)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _active_color(text: Any, thresholds: Any) -> str | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    color = None
    for step in (thresholds or {}).get("steps") or []:
        if step.get("value") is None or (isinstance(step["value"], int | float) and value >= step["value"]):
            color = step.get("color")
    return color


def _upgrade_mappings(old: list[Any], thresholds: Any = None) -> list[dict[str, Any]]:
    """upgradeValueMappings: 6.x/7.x mappings (numeric `type`) to the current form; value maps merged into one."""
    values: dict[str, Any] = {}
    upgraded: list[dict[str, Any]] = []
    for mapping in old:
        if not isinstance(mapping, dict):
            continue
        if mapping.get("type") and mapping.get("options"):
            if mapping["type"] == "value":
                values.update(mapping["options"])
            else:
                upgraded.append(mapping)
            continue
        result = {"text": mapping.get("text")}
        color = _active_color(mapping.get("text"), thresholds)
        if color:
            result["color"] = color
        if mapping.get("type") == 1 and mapping.get("value") is not None:
            if mapping["value"] == "null":
                upgraded.append({"type": "special", "options": {"match": "null", "result": result}})
            else:
                values[str(mapping["value"])] = result
        elif mapping.get("type") == 2:
            upgraded.append({"type": "range", "options": {"from": _number(mapping.get("from")),
                                                          "to": _number(mapping.get("to")), "result": result}})
    if values:
        upgraded.insert(0, {"type": "value", "options": values})
    return upgraded


def _value_mappings(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    config = panel.get("fieldConfig")
    if not isinstance(config, dict):
        return
    defaults = config.get("defaults") or {}
    if defaults.get("mappings"):
        upgraded = _upgrade_mappings(defaults["mappings"], defaults.get("thresholds"))
        if upgraded != defaults["mappings"]:
            note("value mappings upgraded to the current form (schemaVersion 30)")
            defaults["mappings"] = upgraded
    for override in config.get("overrides") or []:
        for prop in (override or {}).get("properties") or []:
            if prop.get("id") == "mappings" and isinstance(prop.get("value"), list):
                prop["value"] = _upgrade_mappings(prop["value"])


def _tooltip_options(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    options = panel.get("options")
    if panel.get("type") in ("timeseries", "xychart") and isinstance(options, dict) and options.get("tooltipOptions"):
        options["tooltip"] = options.pop("tooltipOptions")
        note("options.tooltipOptions became options.tooltip (schemaVersion 30)")


def _labels_to_fields_merge(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    transformations = panel.get("transformations")
    if not isinstance(transformations, list) or not any(
        isinstance(t, dict) and t.get("id") == "labelsToFields" for t in transformations
    ):
        return
    upgraded = []
    for transformation in transformations:
        upgraded.append(transformation)
        if isinstance(transformation, dict) and transformation.get("id") == "labelsToFields":
            upgraded.append({"id": "merge", "options": {}})
    panel["transformations"] = upgraded
    note("a merge transformation added after labelsToFields (schemaVersion 31)")


def _x_axis_visible(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    config = panel.get("fieldConfig")
    if panel.get("type") != "timeseries" or not isinstance(config, dict):
        return
    if ((config.get("defaults") or {}).get("custom") or {}).get("axisPlacement") == "hidden":
        config["overrides"] = [*(config.get("overrides") or []), {
            "matcher": {"id": "byType", "options": "time"},
            "properties": [{"id": "custom.axisPlacement", "value": "auto"}],
        }]
        note("an override keeps the time axis visible (schemaVersion 35)")


def _legend(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    legend = (panel.get("options") or {}).get("legend") if isinstance(panel.get("options"), dict) else None
    if not isinstance(legend, dict):
        return
    if legend.get("displayMode") == "hidden" or legend.get("showLegend") is False:
        changed = legend.get("displayMode") != "list" or legend.get("showLegend") is not False
        legend["displayMode"] = "list"
        legend["showLegend"] = False
    else:
        changed = legend.get("showLegend") is not True
        legend["showLegend"] = True
    if changed:
        note("legend visibility normalised to options.legend.showLegend (schemaVersion 37)")


_GAUGE_MODES = {"basic": "basic", "gradient-gauge": "gradient", "lcd-gauge": "lcd"}
_BACKGROUND_MODES = {"color-background": "gradient", "color-background-solid": "basic"}


def _cell_options(display_mode: Any) -> dict[str, Any]:
    """migrateTableDisplayModeToCellOptions (@grafana/ui Table utils)."""
    if display_mode in _GAUGE_MODES:
        return {"type": "gauge", "mode": _GAUGE_MODES[display_mode]}
    if display_mode in _BACKGROUND_MODES:
        return {"type": "color-background", "mode": _BACKGROUND_MODES[display_mode]}
    if display_mode == "custom":
        return {"type": "auto"}
    return {"type": display_mode}


def _table_cell_options(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    config = panel.get("fieldConfig")
    if panel.get("type") != "table" or not isinstance(config, dict):
        return
    custom = (config.get("defaults") or {}).get("custom")
    changed = False
    if isinstance(custom, dict) and "displayMode" in custom:
        custom["cellOptions"] = _cell_options(custom.pop("displayMode"))
        changed = True
    for override in config.get("overrides") or []:
        for prop in (override or {}).get("properties") or []:
            if prop.get("id") == "custom.displayMode":
                prop["id"] = "custom.cellOptions"
                prop["value"] = _cell_options(prop.get("value"))
                changed = True
    if changed:
        note("table cell displayMode became cellOptions (schemaVersion 38)")


def _time_series_table(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    for transformation in panel.get("transformations") or []:
        options = transformation.get("options") if isinstance(transformation, dict) else None
        if transformation.get("id") == "timeSeriesTable" and isinstance(options, dict) and "refIdToStat" in options:
            transformation["options"] = {ref: {"stat": stat} for ref, stat in (options["refIdToStat"] or {}).items()}
            note("timeSeriesTable options became per-query settings (schemaVersion 39)")


def _hide_from_tooltip(panel: dict[str, Any], note: Callable[[str], None]) -> None:
    config = panel.get("fieldConfig")
    if not isinstance(config, dict):
        return
    for override in config.get("overrides") or []:
        for prop in (override or {}).get("properties") or []:
            value = prop.get("value")
            if prop.get("id") == "custom.hideFrom" and isinstance(value, dict) and value.get("viz") is True:
                if value.get("tooltip") is not True:
                    value["tooltip"] = True
                    note("a series hidden from the graph is hidden from the tooltip too (schemaVersion 42)")
