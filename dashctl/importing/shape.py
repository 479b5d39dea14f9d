"""The shape an imported dashboard must have before it can be migrated: objects and lists where Grafana's JSON
model (of any generation) has them, strings where the import reads names. Each problem names its path, so a
hand-edited export that went wrong is reported as precisely as a build error, never as a crash. What Grafana
itself tolerates (a `gridPos.x` of 24, an empty `maxDataPoints`, a schemaVersion written as a string) passes:
the import keeps the dashboard as Grafana shows it."""

from __future__ import annotations

from typing import Any

__all__ = ["shape_problems"]

# (A graph's `seriesOverrides` may hold odd entries: Grafana's conversion skips what has no alias, and so does
# dashctl's.)
_LISTS_OF_OBJECTS = ("targets", "transformations", "links", "styles", "valueMaps", "rangeMaps", "thresholds", "yaxes")
_OBJECTS = ("gridPos", "options", "fieldConfig", "legend", "tooltip", "aliasColors", "gauge", "sparkline", "xaxis",
            "libraryPanel", "datasource")


def shape_problems(model: Any) -> list[str]:
    """Every place where the dashboard is not shaped as Grafana's JSON, as `path: what is wrong`."""
    if not isinstance(model, dict):
        return [f"a dashboard must be a JSON object, not {_kind(model)}"]
    problems: list[str] = []
    if not isinstance(model.get("title"), str) or not model["title"].strip():
        problems.append(f"title: a dashboard needs a title (a string), not {_kind(model.get('title'))}")
    _strings(model, ("uid",), "", problems)
    for key in ("time", "timepicker"):
        if model.get(key) is not None and not isinstance(model[key], dict):
            problems.append(f"{key}: must be an object, not {_kind(model[key])}")
    _objects(model.get("links"), "links", problems)
    if model.get("tags") is not None and not isinstance(model["tags"], list):
        problems.append(f"tags: must be a list, not {_kind(model['tags'])}")
    for container in ("templating", "annotations"):
        value = model.get(container)
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(f"{container}: must be an object with a `list`, not {_kind(value)}")
        else:
            _objects(value.get("list"), f"{container}.list", problems)
    _objects(model.get("__inputs"), "__inputs", problems)
    for index, item in enumerate(model.get("__inputs") if isinstance(model.get("__inputs"), list) else []):
        if isinstance(item, dict):
            _strings(item, ("name", "type", "pluginId"), f"__inputs[{index}]", problems)
    for container in ("templating", "annotations"):
        items = model.get(container).get("list") if isinstance(model.get(container), dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("datasource"), dict):
                _strings(item["datasource"], ("type", "uid"), f"{container}.list[{index}].datasource", problems)
            if isinstance(item, dict) and container == "templating":
                _strings(item, ("name", "type"), f"templating.list[{index}]", problems)
    rows = model.get("rows")
    _objects(rows, "rows", problems)
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        if isinstance(row, dict):
            height = row.get("height")
            if height is not None and (not isinstance(height, int | float | str) or isinstance(height, bool)):
                problems.append(f"rows[{index}].height: must be a number or a string such as \"250px\", not "
                                f"{_kind(height)}")
            _strings(row, ("title", "repeat"), f"rows[{index}]", problems)
            _panels(row.get("panels"), f"rows[{index}].panels", problems)
    _panels(model.get("panels"), "panels", problems)
    return problems


def _panels(panels: Any, path: str, problems: list[str]) -> None:
    _objects(panels, path, problems)
    for index, panel in enumerate(panels if isinstance(panels, list) else []):
        if not isinstance(panel, dict):
            continue
        where = f"{path}[{index}]"
        for key in _LISTS_OF_OBJECTS:
            # A singlestat's `thresholds` is a string, a graph's a list of objects.
            if key == "thresholds" and isinstance(panel.get(key), str):
                continue
            _objects(panel.get(key), f"{where}.{key}", problems)
        for key in _OBJECTS:
            value = panel.get(key)
            legacy_name = key == "datasource" and isinstance(value, str)  # a datasource by name, before 8.3
            if value is not None and not isinstance(value, dict) and not legacy_name:
                problems.append(f"{where}.{key}: must be an object, not {_kind(value)}")
        for key, kinds, wanted in (("type", (str,), "a string"), ("title", (str,), "a string"),
                                   ("id", (int, float), "a number"), ("span", (int, float), "a number"),
                                   ("height", (int, float, str), "a number or a string such as \"250px\"")):
            value = panel.get(key)
            if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
                problems.append(f"{where}.{key}: must be {wanted}, not {_kind(value)}")
        if isinstance(panel.get("datasource"), dict):
            _strings(panel["datasource"], ("type", "uid"), f"{where}.datasource", problems)
        for index_target, target in enumerate(panel.get("targets") if isinstance(panel.get("targets"), list) else []):
            if not isinstance(target, dict):
                continue
            _strings(target, ("refId",), f"{where}.targets[{index_target}]", problems)
            if isinstance(target.get("datasource"), dict):
                _strings(target["datasource"], ("type", "uid"), f"{where}.targets[{index_target}].datasource",
                         problems)
        config = panel.get("fieldConfig")
        if isinstance(config, dict):
            defaults = config.get("defaults")
            if defaults is not None and not isinstance(defaults, dict):
                problems.append(f"{where}.fieldConfig.defaults: must be an object, not {_kind(defaults)}")
            elif isinstance(defaults, dict) and defaults.get("thresholds") is not None:
                thresholds = defaults["thresholds"]
                if not isinstance(thresholds, dict):
                    problems.append(f"{where}.fieldConfig.defaults.thresholds: must be an object, not "
                                    f"{_kind(thresholds)}")
                else:
                    _objects(thresholds.get("steps"), f"{where}.fieldConfig.defaults.thresholds.steps", problems)
            _objects(config.get("overrides"), f"{where}.fieldConfig.overrides", problems)
        if panel.get("type") == "row" or "panels" in panel:
            _panels(panel.get("panels"), f"{where}.panels", problems)


def _strings(value: dict[str, Any], keys: tuple[str, ...], path: str, problems: list[str]) -> None:
    for key in keys:
        if value.get(key) is not None and not isinstance(value[key], str):
            problems.append(f"{path + '.' if path else ''}{key}: must be a string, not {_kind(value[key])}")


def _objects(value: Any, path: str, problems: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        problems.append(f"{path}: must be a list, not {_kind(value)}")
        return
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(f"{path}[{index}]: must be an object, not {_kind(item)}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
