"""Round-trip comparison: does building an imported dashboard give back the dashboard Grafana would show?

Both sides are normalised only where Grafana itself treats values as equal: a null member and a missing one, a
default written or not (an empty description, `links: []`, `transparent: false`, an empty `fieldConfig`), a refId
Grafana would assign, a query's datasource inherited from its panel. `id`, `version`, `iteration`,
`pluginVersion` and `schemaVersion` may differ; datasource references are compared after the import's mapping
(logical names resolved for the environment, variables by name). Panels are compared in order, collapsed rows'
panels included, and the first difference of each panel is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashctl.dashboards.compile import spare_ref_ids

__all__ = ["Difference", "compare_dashboards"]

_VOLATILE = {"id", "version", "iteration", "pluginVersion", "schemaVersion", "__inputs", "__requires", "__elements"}
_DASHBOARD_DEFAULTS: dict[str, Any] = {
    "description": "", "refresh": "", "timepicker": {}, "links": [], "tags": [], "annotations": {"list": []},
    "templating": {"list": []}, "gnetId": None, "editable": True, "panels": [],
}
_PANEL_DEFAULTS: dict[str, Any] = {
    "description": "", "links": [], "transformations": [], "transparent": False, "hideTimeOverride": False,
    "interval": "", "repeat": "", "repeatDirection": "", "timeFrom": "", "timeShift": "", "options": {},
    "fieldConfig": {"defaults": {}, "overrides": []}, "targets": [], "collapsed": False, "panels": [],
}
_TARGET_DEFAULTS: dict[str, Any] = {"legendFormat": "", "interval": "", "hide": False}


@dataclass(frozen=True, kw_only=True)
class Difference:
    """The first place where the built dashboard differs from the expected one, within one panel (or the
    dashboard's own fields)."""

    where: str
    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.where}: {self.path}: expected {_short(self.expected)}, built {_short(self.actual)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def compare_dashboards(
    expected: Mapping[str, Any], built: Mapping[str, Any], *, datasources: Mapping[str, Mapping[str, str]] = {}
) -> list[Difference]:
    """The differences between two dashboard models: at most one per panel, plus one for the dashboard's own
    fields. `datasources` maps logical names to their {type, uid} in the environment the build used."""
    normal_expected = _dashboard(expected, datasources)
    normal_built = _dashboard(built, datasources)
    differences = []
    own_expected = {key: value for key, value in normal_expected.items() if key != "panels"}
    own_built = {key: value for key, value in normal_built.items() if key != "panels"}
    first = _first(own_expected, own_built, "")
    if first:
        differences.append(Difference(where="dashboard", path=first[0], expected=first[1], actual=first[2]))
    panels_expected = _flatten(normal_expected.get("panels", []))
    panels_built = _flatten(normal_built.get("panels", []))
    for index in range(max(len(panels_expected), len(panels_built))):
        if index >= len(panels_built):
            differences.append(Difference(where=_name(panels_expected[index], index), path="(panel)",
                                          expected="a panel", actual="nothing"))
            continue
        if index >= len(panels_expected):
            differences.append(Difference(where=_name(panels_built[index], index), path="(panel)",
                                          expected="nothing", actual="a panel"))
            continue
        first = _first(panels_expected[index], panels_built[index], "")
        if first:
            differences.append(Difference(where=_name(panels_expected[index], index), path=first[0],
                                          expected=first[1], actual=first[2]))
    return differences


def _name(panel: Mapping[str, Any], index: int) -> str:
    return f"panel {index + 1} {panel.get('title', '')!r} ({panel.get('type', '?')})"


def _flatten(panels: list[Any]) -> list[dict[str, Any]]:
    out = []
    for panel in panels:
        if isinstance(panel, dict) and panel.get("type") == "row":
            children = panel.get("panels", [])
            out.append({key: value for key, value in panel.items() if key != "panels"})
            out += _flatten(children)
        elif isinstance(panel, dict):
            out.append(panel)
    return out


def _first(expected: Any, actual: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                return f"{path}.{key}".lstrip("."), expected[key], "(missing)"
            if key not in expected:
                return f"{path}.{key}".lstrip("."), "(missing)", actual[key]
            found = _first(expected[key], actual[key], f"{path}.{key}")
            if found:
                return (found[0].lstrip("."), found[1], found[2])
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = _first(left, right, f"{path}[{index}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{path} length".lstrip("."), len(expected), len(actual)
        return None
    if expected != actual or type(expected) is not type(actual) and not _same_number(expected, actual):
        return (path.lstrip(".") or "(value)"), expected, actual
    return None


def _same_number(left: Any, right: Any) -> bool:
    numbers = (int, float)
    return isinstance(left, numbers) and isinstance(right, numbers) and not isinstance(left, bool) and left == right


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _strip_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_strip_nulls(item) for item in value]
    return value


def _without_defaults(data: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in _VOLATILE and defaults.get(key, _SENTINEL) != value}


_SENTINEL = object()


def _datasource(reference: Any, datasources: Mapping[str, Mapping[str, str]]) -> Any:
    if isinstance(reference, str):
        if reference.startswith("$"):
            return {"variable": reference.strip("${}").split(":")[0]}
        if reference in datasources:
            return dict(datasources[reference])
        return {"uid": reference}
    if isinstance(reference, dict):
        uid = reference.get("uid")
        if isinstance(uid, str) and uid.startswith("$"):
            return {"variable": uid.strip("${}").split(":")[0]}
        return dict(reference)
    return reference


def _dashboard(model: Mapping[str, Any], datasources: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    data = _strip_nulls(dict(model))
    data.pop("uid", None)
    if data.get("refresh") is False:
        data["refresh"] = ""
    for key in ("templating", "annotations"):
        items = (data.get(key) or {}).get("list") or []
        normal = []
        for item in items:
            item = dict(item)
            if "datasource" in item:
                item["datasource"] = _datasource(item["datasource"], datasources)
            normal.append(item)
        data[key] = {"list": normal}
    data["panels"] = [_panel(panel, datasources) for panel in data.get("panels") or []]
    return _without_defaults(data, _DASHBOARD_DEFAULTS)


def _panel(panel: dict[str, Any], datasources: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    panel = dict(panel)
    if panel.get("type") == "row":
        panel["panels"] = [_panel(child, datasources) for child in panel.get("panels") or []]
    own = _datasource(panel.get("datasource"), datasources)
    if own is not None:
        panel["datasource"] = own
    if isinstance(panel.get("fieldConfig"), dict):
        config = panel["fieldConfig"]
        panel["fieldConfig"] = {"defaults": config.get("defaults") or {}, "overrides": config.get("overrides") or []}
    targets = []
    letters = spare_ref_ids(panel.get("targets") or [])
    for target in panel.get("targets") or []:
        if not isinstance(target, dict):
            targets.append(target)
            continue
        target = {key: value for key, value in target.items() if _TARGET_DEFAULTS.get(key, _SENTINEL) != value}
        if not target.get("refId"):
            target["refId"] = next(letters)
        reference = _datasource(target.get("datasource"), datasources)
        target["datasource"] = reference if reference is not None else own
        if target["datasource"] is None:
            del target["datasource"]
        targets.append(target)
    panel["targets"] = targets
    return _without_defaults(panel, _PANEL_DEFAULTS)
