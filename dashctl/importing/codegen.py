"""Python source for an imported dashboard, in the project's authoring style.

One `@dashboard(uid=..., folder=..., layout="manual")` function per file, returning the typed escape hatch of
`dashctl.dashboards.generic` (a `Dashboard` of `Row`s and `Panel`s with `Target`s: the panel types grafanalib covers
would gain its defaults, and the round trip must give back the dashboard as it was) and grafanalib's `GridPos` and
`Time`. One panel per block, queries as plain strings, typed fields where the model has them; the plugin's own
`options` and `fieldConfig` as Python literals.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import Any

from dashctl.dashboards.generic import UNVALIDATED

__all__ = ["definition_name", "function_name", "render_definition", "render_literal"]

_WIDTH = 116  # the project line length (120) less a margin
_PANEL_FIELDS = (
    ("type", "type"), ("title", "title"), ("description", "description"), ("datasource", "datasource"),
    ("gridPos", "grid_pos"), ("targets", "targets"), ("options", "options"), ("fieldConfig", "field_config"),
    ("transformations", "transformations"), ("links", "links"), ("repeat", "repeat"),
    ("repeatDirection", "repeat_direction"),
)
_ROW_FIELDS = (("title", "title"), ("collapsed", "collapsed"), ("gridPos", "grid_pos"), ("repeat", "repeat"),
               ("datasource", "datasource"))
_TARGET_FIELDS = (("refId", "ref_id"), ("expr", "expr"), ("legendFormat", "legend_format"),
                  ("datasource", "datasource"))
_VARIABLE_FIELDS = (
    ("name", "name"), ("type", "type"), ("label", "label"), ("description", "description"), ("query", "query"),
    ("datasource", "datasource"), ("definition", "definition"), ("regex", "regex"), ("refresh", "refresh"),
    ("sort", "sort"), ("multi", "multi"), ("includeAll", "include_all"), ("allValue", "all_value"), ("hide", "hide"),
    ("current", "current"), ("options", "options"),
)
_DASHBOARD_FIELDS = (
    ("title", "title"), ("description", "description"), ("tags", "tags"), ("time", "time"),
    ("timezone", "timezone"), ("refresh", "refresh"), ("timepicker", "timepicker"), ("graphTooltip", "graph_tooltip"),
    ("editable", "editable"),
)
_DROPPED = {"id", "uid", "version", "iteration", "schemaVersion", "pluginVersion"}


_READABLE_UID = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")
_GENERATED_UID = re.compile(r"^[0-9a-f]{12,}$|[0-9]{4,}")


def definition_name(uid: str, title: str | None) -> str:
    """The name of an imported definition (its file and function): the uid when people chose it
    (`node-exporter-full`), else the title (Grafana's generated uids such as `rYdddlPWk` read as nothing)."""
    if _READABLE_UID.match(uid) and not _GENERATED_UID.search(uid) or not title:
        return function_name(uid)
    return function_name(title)


def function_name(text: str) -> str:
    """A Python identifier from a uid or title."""
    name = re.sub(r"\W+", "_", text.lower()).strip("_") or "dashboard"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"dashboard_{name}"
    return name


def render_definition(
    model: dict[str, Any], *, uid: str, folder: str | None, origin: str, notes: list[str] = (), name: str | None = None,
    undefined_variables: Mapping[str, str] | None = None,
) -> str:
    """The source of one definition file for the (migrated, datasource-mapped) dashboard `model`.

    `undefined_variables` (name -> where it is first used) become `allow_undefined_variables`, with a comment;
    a query marked `UNVALIDATED` (dashctl.dashboards.generic) becomes `Target(unvalidated=reason)`, with one."""
    title = model.get("title") or uid
    header = [f'"""{_docstring(title)}: imported by `dashctl import` from {_docstring(origin)}.']
    if notes:
        header.append("")
        header.append("Import notes (see docs/import.md):")
        header += [f"- {_docstring(text)}" for text in notes]
    header.append('"""')
    decorator_args = [f"uid={_string(uid)}"]
    if folder:
        decorator_args.append(f"folder={_string(folder)}")
    decorator_args.append('layout="manual"')
    allowance: list[str] = []
    if undefined_variables:
        names = sorted(undefined_variables)
        listed = ", ".join(_string(name) for name in names) + ("," if len(names) == 1 else "")
        decorator_args.append(f"allow_undefined_variables=({listed})")
        allowance = ["# Used, but no template variable of the original defines them (Grafana leaves them as "
                     "written):"]
        allowance += [f"# ${name} in {undefined_variables[name]}" for name in names]
    body = _call("Dashboard", _dashboard_arguments(model), 1)
    grafanalib = [name for name in ("GridPos", "Time") if f"{name}(" in body]
    generic = [name for name in ("Dashboard", "Panel", "Row", "Target", "Variable") if f"{name}(" in body]
    lines = [
        *header,
        "",
        *([f"from grafanalib.core import {', '.join(grafanalib)}", ""] if grafanalib else []),
        f"from dashctl.dashboards.generic import {', '.join(generic)}",
        "from dashctl.definitions import dashboard",
        "",
        "",
        *allowance,
        _decorator(decorator_args),
        f"def {name or definition_name(uid, model.get('title'))}(env):",
        f"    return {body}",
        "",
    ]
    return "\n".join(lines)


def _decorator(args: list[str]) -> str:
    flat = f"@dashboard({', '.join(args)})"
    if len(flat) <= _WIDTH:
        return flat
    return "@dashboard(\n" + "".join(f"    {arg},\n" for arg in args) + ")"


def _docstring(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"""', "'''")


def _dashboard_arguments(model: dict[str, Any]) -> list[tuple[str, str]]:
    args: list[tuple[str, Any]] = []
    for key, name in _DASHBOARD_FIELDS:
        if key in model and model[key] is not None:
            args.append((name, _Time(model[key]) if key == "time" and _is_time(model[key]) else model[key]))
    for key, name in (("templating", "templating"), ("annotations", "annotations")):
        items = (model.get(key) or {}).get("list") if isinstance(model.get(key), dict) else None
        if items and key == "templating":
            items = [_Code(_variable(item, 3)) if _is_variable(item) else item for item in items]
        if items:
            args.append((name, items))
    if model.get("links"):
        args.append(("links", model["links"]))
    handled = {key for key, _ in _DASHBOARD_FIELDS} | {"templating", "annotations", "links", "panels"} | _DROPPED
    extra = _extra(model, handled)
    if extra:
        args.append(("extra", extra))
    args.append(("panels", _Panels(model.get("panels") or [])))
    return [(name, value) for name, value in args]


def _extra(data: dict[str, Any], handled: set[str]) -> dict[str, Any]:
    """The members without a typed field; a null is left out (Grafana reads it as absent, the build drops it)."""
    return {key: value for key, value in data.items() if key not in handled and value is not None}


def _is_time(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"from", "to"} and all(isinstance(v, str) for v in value.values())


class _Time:
    def __init__(self, value: dict[str, str]) -> None:
        self.value = value


class _Panels:
    def __init__(self, panels: list[dict[str, Any]]) -> None:
        self.panels = panels


class _Code:
    """Source text written as it is (an already rendered call), with an optional comment line above it."""

    def __init__(self, text: str, comment: str | None = None) -> None:
        self.text = text
        self.comment = comment


def _suppression(panel: dict[str, Any]) -> str | None:
    """A lint suppression for what an imported panel faithfully keeps: a data panel without a (visible) query is
    an error of `dashctl lint` (panel/no-targets), yet it is what the team's Grafana shows today."""
    from dashctl.lint.panel_types import DATA_PANEL_TYPES

    if panel.get("type") not in DATA_PANEL_TYPES or "libraryPanel" in panel:
        return None
    targets = [target for target in panel.get("targets") or [] if isinstance(target, dict)]
    if targets and not all(target.get("hide") for target in targets):
        return None
    return "# dashctl-lint: ignore[panel/no-targets] reason: imported as it was, the original panel has no query"


def _panel(panel: dict[str, Any], indent: int) -> str:
    is_row = panel.get("type") == "row"
    fields = _ROW_FIELDS if is_row else _PANEL_FIELDS
    args: list[tuple[str, Any]] = []
    for key, name in fields:
        if key not in panel or panel[key] is None:
            continue
        value = panel[key]
        if key == "gridPos" and _is_grid(value):
            value = _Code("GridPos(" + ", ".join(f"{k}={value[k]!r}" for k in ("h", "w", "x", "y")) + ")")
        elif key == "targets" and isinstance(value, list):
            value = [_Code(_target(target, indent + 2, panel.get("datasource")), _unvalidated_comment(target))
                     if isinstance(target, dict) else target for target in value]
        args.append((name, value))
    if is_row and panel.get("panels"):
        args.append(("panels", [_Code(_panel(child, indent + 2), _suppression(child)) for child in panel["panels"]]))
    handled = {key for key, _ in fields} | _DROPPED | ({"type", "panels"} if is_row else set())
    extra = _extra(panel, handled)
    if extra:
        args.append(("extra", extra))
    return _call("Row" if is_row else "Panel", args, indent)


def _is_variable(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("type"), str)


def _variable(variable: dict[str, Any], indent: int) -> str:
    args: list[tuple[str, Any]] = [
        (name, variable[key]) for key, name in _VARIABLE_FIELDS if variable.get(key) is not None
    ]
    extra = _extra(variable, {key for key, _ in _VARIABLE_FIELDS})
    if extra:
        args.append(("extra", extra))
    return _call("Variable", args, indent)


def _is_grid(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"h", "w", "x", "y"} and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    )


def _target(target: dict[str, Any], indent: int, panel_datasource: Any) -> str:
    # A query without a datasource uses its panel's, so the same datasource on both is said once, on the panel.
    omitted = {"datasource"} if panel_datasource is not None and target.get("datasource") == panel_datasource else set()
    args: list[tuple[str, Any]] = [
        (name, target[key]) for key, name in _TARGET_FIELDS if target.get(key) is not None and key not in omitted
    ]
    extra = _extra(target, {key for key, _ in _TARGET_FIELDS} | {UNVALIDATED})
    if extra:
        args.append(("extra", extra))
    if target.get(UNVALIDATED):
        args.append(("unvalidated", target[UNVALIDATED]))
    return _call("Target", args, indent)


def _unvalidated_comment(target: dict[str, Any]) -> str | None:
    if not target.get(UNVALIDATED):
        return None
    return "# Not validated, kept as it is: the original query is invalid (Grafana shows the panel's error)"


def _call(name: str, args: list[tuple[str, Any]], indent: int) -> str:
    rendered = [(key, render_literal(value, indent + 1)) for key, value in args]
    flat = f"{name}(" + ", ".join(f"{key}={text}" for key, text in rendered) + ")"
    if "\n" not in flat and len(flat) + indent * 4 <= _WIDTH:
        return flat
    pad = "    " * (indent + 1)
    inner = "".join(f"{pad}{key}={text},\n" for key, text in rendered)
    return f"{name}(\n{inner}{'    ' * indent})"


def render_literal(value: Any, indent: int = 0) -> str:
    """`value` (JSON data) as a Python literal, wrapped one item a line when it does not fit."""
    if isinstance(value, _Code):
        return value.text
    if isinstance(value, _Time):
        return f"Time({_string(value.value['from'])}, {_string(value.value['to'])})"
    if isinstance(value, _Panels):
        return _sequence("[", "]", [_Code(_panel(panel, indent + 1), _suppression(panel)) for panel in value.panels],
                         indent, force=True)
    if isinstance(value, dict):
        items = [(render_literal(key, indent + 1), render_literal(item, indent + 1)) for key, item in value.items()]
        flat = "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
        if "\n" not in flat and len(flat) + indent * 4 <= _WIDTH:
            return flat
        pad = "    " * (indent + 1)
        return "{\n" + "".join(f"{pad}{k}: {v},\n" for k, v in items) + "    " * indent + "}"
    if isinstance(value, list | tuple):
        return _sequence("[", "]", list(value), indent)
    if isinstance(value, str):
        return _string(value)
    return repr(value)


def _string(text: str) -> str:
    """A string literal in double quotes, the project's style, unless the text holds a double quote itself (a
    PromQL label matcher reads best in single quotes then)."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        return '"' + literal[1:-1] + '"'
    return literal


def _sequence(open_: str, close: str, items: list[Any], indent: int, *, force: bool = False) -> str:
    rendered = [render_literal(item, indent + 1) for item in items]
    comments = [item.comment if isinstance(item, _Code) else None for item in items]
    flat = open_ + ", ".join(rendered) + close
    if not force and not any(comments) and "\n" not in flat and len(flat) + indent * 4 <= _WIDTH:
        return flat
    if not rendered:
        return open_ + close
    pad = "    " * (indent + 1)
    lines = "".join(
        (f"{pad}{comment}\n" if comment else "") + f"{pad}{text},\n" for text, comment in zip(rendered, comments)
    )
    return open_ + "\n" + lines + "    " * indent + close
