"""Checks of a dashboard written as a plain dict (the escape hatch of docs/authoring.md) before it is compiled.

Grafana's dashboard JSON schema (`Dashboard`, `Panel`, `RowPanel`, `GridPos` in the schema of
grafana/grafana's `kinds/dashboard`) is the authority; dashctl checks the structure that schema requires of the
members it knows: their JSON types (null counts as absent: the compiler drops it), a panel's `type`, a `gridPos`
of four whole numbers within the 24-column grid, no row inside a row. Every dashboard of the public corpus the
tests use (Grafana's own exports and jsonnet mixins) passes. It does not ship the schema or need `jsonschema` at run time; the test suite validates
compiled plain-dict dashboards against the full schema. Members the schema does not know are left to the compiler,
which keeps only what Grafana keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["check_plain_dashboard"]

_DASHBOARD_MEMBERS: dict[str, tuple[type, ...]] = {
    "annotations": (dict,),
    "description": (str,),
    "editable": (bool,),
    "fiscalYearStartMonth": (int,),
    "graphTooltip": (int,),
    "id": (int,),
    "links": (list,),
    "liveNow": (bool,),
    "panels": (list,),
    "refresh": (str, bool),
    "schemaVersion": (int,),
    "tags": (list,),
    "templating": (dict,),
    "time": (dict,),
    "timepicker": (dict,),
    "timezone": (str,),
    "title": (str,),
    "uid": (str,),
    "version": (int,),
    "weekStart": (str,),
}
_PANEL_MEMBERS: dict[str, tuple[type, ...]] = {
    "collapsed": (bool,),
    "datasource": (dict, str),  # a str is a logical datasource name dashctl resolves
    "description": (str,),
    "fieldConfig": (dict,),
    "gridPos": (dict,),
    "id": (int,),
    "interval": (str,),
    "links": (list,),
    "maxDataPoints": (int, float),
    "options": (dict,),
    "panels": (list,),
    "repeat": (str,),
    "targets": (list,),
    "timeFrom": (str,),
    "timeShift": (str,),
    "title": (str,),
    "transformations": (list,),
    "transparent": (bool,),
    "type": (str,),
}
_GRID_COLUMNS = 24


def check_plain_dashboard(dashboard: Mapping[str, Any]) -> list[str]:
    """Every structural problem of a dashboard dict, each as `path: what is wrong`; empty when it is sound."""
    problems: list[str] = []
    _members(dashboard, _DASHBOARD_MEMBERS, "", problems)
    _list_of(dashboard.get("tags"), str, "tags", "a string", problems)
    _list_of(dashboard.get("links"), dict, "links", "an object", problems)
    time = dashboard.get("time")
    if isinstance(time, dict):
        for key in ("from", "to"):
            if not isinstance(time.get(key), str):
                problems.append(f"time.{key}: must be a string such as \"now-6h\" or \"now\"")
    for container in ("templating", "annotations"):
        value = dashboard.get(container)
        if isinstance(value, dict) and "list" in value:
            _list_of(value["list"], dict, f"{container}.list", "an object", problems)
    templating = dashboard.get("templating")
    for index, variable in enumerate(templating.get("list") or [] if isinstance(templating, dict) else []):
        if isinstance(variable, dict):
            for key in ("name", "type"):
                if not isinstance(variable.get(key), str):
                    problems.append(f"templating.list[{index}].{key}: a variable needs a {key} (a string)")
    panels = dashboard.get("panels")
    if isinstance(panels, list):
        _panels(panels, "panels", problems, nested=False)
    return problems


def _panels(panels: list[Any], path: str, problems: list[str], *, nested: bool) -> None:
    for index, panel in enumerate(panels):
        where = f"{path}[{index}]"
        if not isinstance(panel, dict):
            problems.append(f"{where}: a panel must be an object, not {_kind(panel)}")
            continue
        _members(panel, _PANEL_MEMBERS, f"{where}.", problems)
        if not isinstance(panel.get("type"), str) or not panel.get("type"):
            problems.append(f"{where}.type: every panel needs a type (\"timeseries\", \"stat\", \"row\", ...)")
        _list_of(panel.get("targets"), dict, f"{where}.targets", "an object", problems)
        _grid(panel.get("gridPos"), f"{where}.gridPos", problems)
        if panel.get("type") == "row":
            if nested:
                problems.append(f"{where}: a row cannot hold another row")
            elif isinstance(panel.get("panels"), list):
                _panels(panel["panels"], f"{where}.panels", problems, nested=True)


def _grid(grid: Any, path: str, problems: list[str]) -> None:
    if not isinstance(grid, dict):
        return
    for key in ("h", "w", "x", "y"):
        value = grid.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"{path}.{key}: must be a whole number of grid units, 0 or more, not {_kind(value)}")
    # The schema's bounds of the 24-column grid; a zero width (rows written by jsonnet mixins) Grafana tolerates.
    w, x = grid.get("w"), grid.get("x")
    if isinstance(w, int) and w > _GRID_COLUMNS:
        problems.append(f"{path}.w: {w} is wider than the {_GRID_COLUMNS}-column grid")
    if isinstance(x, int) and x >= _GRID_COLUMNS:
        problems.append(f"{path}.x: {x} is right of the {_GRID_COLUMNS}-column grid (0 to {_GRID_COLUMNS - 1})")


def _members(value: Mapping[str, Any], members: dict[str, tuple[type, ...]], prefix: str, problems: list[str]) -> None:
    for key, types in members.items():
        member = value.get(key)
        if member is None:
            continue  # absent, or null, which the compiler drops as it does grafanalib's
        if not isinstance(member, types) or (isinstance(member, bool) and bool not in types):
            wanted = " or ".join(_NAMES[kind] for kind in types)
            problems.append(f"{prefix}{key}: must be {wanted}, not {_kind(member)}")


def _list_of(value: Any, kind: type, path: str, wanted: str, problems: list[str]) -> None:
    if not isinstance(value, list):
        return
    for index, item in enumerate(value):
        if not isinstance(item, kind):
            problems.append(f"{path}[{index}]: must be {wanted}, not {_kind(item)}")


_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "an integer",
          float: "a number", type(None): "null"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    for kind, name in _NAMES.items():
        if isinstance(value, kind):
            return name if kind is not str else repr(value)
    return type(value).__name__
