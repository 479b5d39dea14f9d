"""Objects seen as the fields a reviewer reads: `threshold: > 0.05`, `for: 10m`, `routing: sre-pagerduty`.

Every kind of object is projected into an ordered list of Fields; `dashctl.diff.compare` pairs the fields of
both sides by name. Sub-objects (a dashboard's panels and variables, a contact point's integrations, the routes of
a policy tree) are groups: a group head stands for the whole sub-object when it is added or removed, its member
fields are compared when it is on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashctl.diff.masking import Masked
from dashctl.diff.objects import (
    AlertRule,
    ContactPoint,
    Dashboard,
    Datasource,
    GrafanaObject,
    MuteTiming,
    Panel,
    PolicyTree,
    Route,
    RuleNode,
    Snapshot,
    Template,
)
from dashctl.diff.routing import route_rule

__all__ = [
    "Field",
    "GROUP",
    "ORDER",
    "POSITION",
    "TEXT",
    "VALUE",
    "contains_secret",
    "display",
    "object_fields",
    "panel_identities",
]

# Field styles: a plain value; text compared word by word (queries) or line by line; a panel position (a move,
# not a change); the order of sibling routes (only a reordering counts); the head of a group.
VALUE, TEXT, POSITION, ORDER, GROUP = "value", "text", "position", "order", "group"

_EVALUATORS = {
    "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "==", "ne": "!=",
}
_RANGES = {
    "within_range": ("> {0} and < {1}"),
    "within_range_included": (">= {0} and <= {1}"),
    "outside_range": ("< {0} or > {1}"),
    "outside_range_included": ("<= {0} or >= {1}"),
}
_QUERY_TEXT = ("expr", "query", "rawSql", "expression")
_ANNOTATION_ORDER = ("summary", "description", "runbook_url")


@dataclass(frozen=True, kw_only=True)
class Field:
    """One comparable field: `name` pairs it with the other side, `label` is printed, `value` compared."""

    name: str
    label: str
    value: Any
    style: str = VALUE
    group: str | None = None
    headline: bool = True


def display(value: Any) -> str:
    """A value as printed: strings as they are, numbers without a needless `.0`, structures as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, Masked):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (int,)):
        return str(value)
    return json.dumps(_plain(value), sort_keys=True, separators=(", ", ": "), ensure_ascii=False)


def contains_secret(value: Any) -> bool:
    if isinstance(value, Masked):
        return True
    if isinstance(value, Mapping):
        return any(contains_secret(item) for item in value.values())
    if isinstance(value, tuple):
        return any(contains_secret(item) for item in value)
    return False


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, Masked):
        return str(value)
    return value


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _flatten(value: Any, name: str, label: str, *, group: str | None, headline: bool = False) -> Iterator[Field]:
    """Leaf fields of a nested value (`jsonData.httpMethod`); lists of plain values stay whole."""
    if isinstance(value, Mapping) and not value and not name:
        return
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from _flatten(item, f"{name}.{key}" if name else key, f"{label}.{key}" if label else key,
                                group=group, headline=headline)
    elif isinstance(value, tuple) and any(isinstance(item, (Mapping, tuple)) for item in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{name}[{index}]", f"{label}[{index}]", group=group, headline=headline)
    else:
        yield Field(name=name, label=label, value=value, group=group, headline=headline)


def _prefixed(fields: Iterator[Field], name: str, label: str) -> Iterator[Field]:
    for item in fields:
        yield Field(name=f"{name}{item.name}", label=f"{label}{item.label}", value=item.value, style=item.style,
                    group=item.group, headline=item.headline)


def object_fields(
    item: GrafanaObject, snapshot: Snapshot, *, panel_names: Sequence[str] | None = None
) -> list[Field]:
    """The fields of one object; `panel_names` are the identities of a dashboard's panels (see panel_identities)."""
    if isinstance(item, AlertRule):
        return rule_fields(item, snapshot)
    if isinstance(item, Dashboard):
        return dashboard_fields(item, panel_names or [f"panel#{index}" for index in range(len(item.panels))])
    if isinstance(item, Datasource):
        return datasource_fields(item)
    if isinstance(item, ContactPoint):
        return contact_point_fields(item)
    if isinstance(item, PolicyTree):
        return policy_fields(item)
    if isinstance(item, Template):
        return [Field(name="template", label="template", value=item.template, style=TEXT)]
    if isinstance(item, MuteTiming):
        return list(_flatten(item.time_intervals, "time_intervals", "time_intervals", group=None, headline=True))
    return []


# ----------------------------------------------------------------------------------------------------------------
# Alert rules


def rule_fields(rule: AlertRule, snapshot: Snapshot) -> list[Field]:
    fields = [
        Field(name="title", label="title", value=rule.rule_title, headline=False),
        Field(name="folder", label="folder", value=rule.folder),
        Field(name="group", label="group", value=rule.group),
        Field(name="interval", label="evaluation interval", value=rule.interval, headline=False),
    ]
    # What decides firing and paging first, then the queries, then the words of the notification.
    thresholds = [node for node in rule.data if node.expression_type == "threshold"]
    queries = [node for node in rule.data if not node.is_expression]
    for node in rule.data:
        if node.is_expression:
            fields.extend(_node_fields(node, sole_threshold=len(thresholds) == 1))
    fields.append(Field(name="condition", label="condition", value=rule.condition, headline=False))
    fields.append(Field(name="for", label="for", value=rule.for_))
    fields.append(Field(name="keepFiringFor", label="keep firing for", value=rule.keep_firing_for,
                        headline=rule.keep_firing_for != "0s"))
    fields.append(Field(name="noDataState", label="no data state", value=rule.no_data_state, headline=False))
    fields.append(Field(name="execErrState", label="error state", value=rule.exec_err_state, headline=False))
    labels = dict(rule.labels)
    if "severity" in labels:
        fields.append(Field(name="label:severity", label="severity", value=labels.pop("severity")))
    fields.extend(Field(name=f"label:{key}", label=f"label {key}", value=labels[key]) for key in sorted(labels))
    routing = route_rule(rule, snapshot.policy(rule.environment, rule.org_id))
    if routing is not None:
        fields.append(Field(name="routing", label="routing", value=str(routing)))
    for node in queries:
        fields.extend(_node_fields(node, sole_threshold=False))
    annotations = dict(rule.annotations)
    for key in _ANNOTATION_ORDER:
        if key in annotations:
            fields.append(Field(name=f"annotation:{key}", label=key, value=annotations.pop(key),
                                style=TEXT, headline=key == "summary"))
    fields.extend(Field(name=f"annotation:{key}", label=f"annotation {key}", value=annotations[key], style=TEXT,
                        headline=False) for key in sorted(annotations))
    if rule.notification_settings:
        fields.extend(_flatten(rule.notification_settings, "notification_settings", "notification_settings",
                               group=None))
    fields.append(Field(name="paused", label="paused", value=rule.paused, headline=rule.paused))
    fields.extend(_flatten(rule.extra, "", "", group=None))
    return fields


def _node_fields(node: RuleNode, *, sole_threshold: bool) -> list[Field]:
    ref = node.ref_id
    model = dict(node.model)
    if not node.is_expression:
        name = f"query {ref}"
        text_key = next((key for key in _QUERY_TEXT if isinstance(model.get(key), str)), None)
        text = model.pop(text_key) if text_key else display(node.model)
        fields = [
            Field(name=name, label=name, value=text, style=TEXT),
            Field(name=f"{name}:datasource", label=f"{name} datasource", value=node.datasource_uid, headline=False),
        ]
        if node.relative_time_range is not None:
            fields.append(Field(name=f"{name}:range", label=f"{name} time range",
                                value=_time_range(node.relative_time_range), headline=False))
        if node.query_type:
            fields.append(Field(name=f"{name}:type", label=f"{name} query type", value=node.query_type,
                                headline=False))
        if text_key:
            fields.extend(_prefixed(_flatten(model, "", "", group=None), f"{name}:", f"{name} "))
        return fields
    kind = node.expression_type
    if kind == "threshold":
        label = "threshold" if sole_threshold else f"threshold {ref}"
        conditions = model.pop("conditions", ())
        first = conditions[0] if conditions and isinstance(conditions[0], Mapping) else {}
        fields = [Field(name=f"threshold:{ref}", label=label, value=_evaluator(first.get("evaluator")))]
        if "unloadEvaluator" in first:
            fields.append(Field(name=f"threshold:{ref}:recovery", label=f"recovery {label}",
                                value=_evaluator(first.get("unloadEvaluator"))))
        fields.append(Field(name=f"threshold:{ref}:input", label=f"{label} input",
                            value=str(model.pop("expression", "")), headline=False))
        model.pop("type", None)
        fields.extend(_prefixed(_flatten(model, "", "", group=None), f"threshold:{ref}:", f"{label} "))
        return fields
    if kind == "reduce":
        reducer = str(model.pop("reducer", ""))
        source = str(model.pop("expression", ""))
        model.pop("type", None)
        settings = model.pop("settings", None)
        value = f"{reducer}({source})"
        if isinstance(settings, Mapping) and settings.get("mode"):
            value += f", {settings['mode']}" + (f" {display(settings['replaceWithValue'])}"
                                                if "replaceWithValue" in settings else "")
        fields = [Field(name=f"reduce:{ref}", label=f"reduce {ref}", value=value, headline=False)]
        fields.extend(_prefixed(_flatten(model, "", "", group=None), f"reduce:{ref}:", f"reduce {ref} "))
        return fields
    if kind == "math":
        expression = str(model.pop("expression", ""))
        model.pop("type", None)
        fields = [Field(name=f"math:{ref}", label=f"math {ref}", value=expression, style=TEXT)]
        fields.extend(_prefixed(_flatten(model, "", "", group=None), f"math:{ref}:", f"math {ref} "))
        return fields
    label = f"expression {ref}"
    return list(_prefixed(_flatten(node.model, "", "", group=None, headline=True), f"{label}:", f"{label} "))


def _evaluator(evaluator: Any) -> str:
    if not isinstance(evaluator, Mapping):
        return "(none)"
    kind = str(evaluator.get("type", ""))
    params = [_number(param) for param in evaluator.get("params") or ()]
    if kind in _EVALUATORS and params:
        return f"{_EVALUATORS[kind]} {params[0]}"
    if kind in _RANGES and len(params) >= 2:
        return _RANGES[kind].format(*params)
    return f"{kind} {', '.join(params)}".strip()


def _time_range(time_range: tuple[int, int]) -> str:
    from dashctl.durations import canonical_duration

    start, end = time_range
    text = f"last {canonical_duration(start * 1000)}"
    return text if not end else f"{text} until {canonical_duration(end * 1000)} ago"


# ----------------------------------------------------------------------------------------------------------------
# Notifications


def contact_point_fields(point: ContactPoint) -> list[Field]:
    fields: list[Field] = []
    for integration in point.integrations:
        group = f"integration:{integration.uid}"
        label = integration.label
        fields.append(Field(name=group, label=label, value=integration.type, style=GROUP))
        fields.append(Field(name=f"{group}:type", label=f"{label} › type", value=integration.type, group=group))
        fields.extend(_prefixed(_flatten(integration.settings, "settings", "settings", group=group),
                                f"{group}:", f"{label} › "))
        fields.append(Field(name=f"{group}:disableResolveMessage", label=f"{label} › disableResolveMessage",
                            value=integration.disable_resolve_message, group=group))
    return fields


def policy_fields(tree: PolicyTree) -> list[Field]:
    fields: list[Field] = []
    _route_fields(tree.root, "root", None, fields)
    return fields


def _route_fields(route: Route, path: str, inherited: str | None, fields: list[Field]) -> None:
    receiver = route.receiver or inherited
    group = None if path == "root" else path
    if group is not None:
        continues = ", continue" if route.continue_ else ""
        fields.append(Field(name=path, label=f"route {path}", value=f"→ {receiver}{continues}", style=GROUP))
    prefix = f"route {path} › " if group is not None else "root › "
    fields.append(Field(name=f"{path}:receiver", label=f"{prefix}receiver", value=receiver, group=group))
    values: list[tuple[str, Any]] = [
        ("group_by", list(route.group_by) if route.group_by is not None else None),
        ("group_wait", route.group_wait),
        ("group_interval", route.group_interval),
        ("repeat_interval", route.repeat_interval),
        ("continue", route.continue_ if group is not None else None),
        ("mute_time_intervals", list(route.mute_time_intervals) or None),
        ("active_time_intervals", list(route.active_time_intervals) or None),
    ]
    for key, value in values:
        if value is not None:
            fields.append(Field(name=f"{path}:{key}", label=f"{prefix}{key}", value=_freeze_list(value),
                                group=group))
    fields.extend(_prefixed(_flatten(route.extra, "", "", group=group), f"{path}:", prefix))
    children = _child_paths(route, path)
    if len(children) > 1:
        fields.append(Field(name=f"{path}:order", label=f"{prefix}order of routes",
                            value=tuple(child for child, _ in children), style=ORDER, group=group, headline=False))
    for child_path, child in children:
        _route_fields(child, child_path, receiver, fields)


def _child_paths(route: Route, path: str) -> list[tuple[str, Route]]:
    seen: dict[str, int] = {}
    children = []
    for child in route.routes:
        selector = child.selector
        seen[selector] = seen.get(selector, 0) + 1
        suffix = f" #{seen[selector]}" if seen[selector] > 1 else ""
        children.append((f"{path} › {selector}{suffix}", child))
    return children


def _freeze_list(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# ----------------------------------------------------------------------------------------------------------------
# Dashboards and datasources


def panel_identities(before: Sequence[Panel], after: Sequence[Panel]) -> tuple[list[str], list[str]]:
    """Names pairing the panels of two versions of a dashboard.

    Panel ids are renumbered in reading order when a panel is inserted, so a panel is known by its title first
    (within its row when the title repeats); panels left over on both sides with the same id are one panel whose
    title changed.
    """
    names_before, names_after = _titled_names(before), _titled_names(after)
    left_before = {name for name in names_before if name not in set(names_after)}
    left_after = {name for name in names_after if name not in set(names_before)}
    by_id = {panel.id: index for index, panel in enumerate(after)
             if names_after[index] in left_after and panel.id is not None}
    for index, panel in enumerate(before):
        if names_before[index] in left_before and panel.id in by_id:
            target = by_id.pop(panel.id)
            names_before[index] = names_after[target]
    return names_before, names_after


def _titled_names(panels: Sequence[Panel]) -> list[str]:
    counts: dict[str, int] = {}
    for panel in panels:
        counts[panel.title] = counts.get(panel.title, 0) + 1
    names = []
    seen: dict[str, int] = {}
    for panel in panels:
        name = f"panel:{panel.title}"
        if counts[panel.title] > 1:
            qualified = f"panel:{panel.row or ''}/{panel.title}"
            seen[qualified] = seen.get(qualified, 0) + 1
            name = qualified if seen[qualified] == 1 else f"{qualified}#{seen[qualified]}"
        names.append(name)
    return names


def dashboard_fields(dashboard: Dashboard, panel_names: Sequence[str]) -> list[Field]:
    settings = dict(dashboard.settings)
    fields = [
        Field(name="title", label="title", value=dashboard.dashboard_title, headline=False),
        Field(name="folder", label="folder", value=dashboard.folder or "General"),
        Field(name="tags", label="tags", value=settings.pop("tags", ()), headline=False),
    ]
    fields.extend(_flatten(settings, "", "", group=None))
    for variable in dashboard.variables:
        group = f"variable:{variable.name}"
        label = f"variable ${variable.name}"
        fields.append(Field(name=group, label=label, value=variable.type, style=GROUP))
        fields.append(Field(name=f"{group}:type", label=f"{label} › type", value=variable.type, group=group))
        fields.extend(_prefixed(_flatten(variable.settings, "", "", group=group), f"{group}:", f"{label} › "))
    for name, panel in zip(panel_names, dashboard.panels, strict=True):
        fields.extend(_panel_fields(panel, name))
    return fields


def _panel_fields(panel: Panel, group: str) -> list[Field]:
    label = panel.label
    fields = [
        Field(name=group, label=label, value=panel.type, style=GROUP),
        Field(name=f"{group}:title", label=f"{label} › title", value=panel.title, group=group),
        Field(name=f"{group}:type", label=f"{label} › type", value=panel.type, group=group),
        Field(name=f"{group}:row", label=f"{label} › row", value=panel.row or "(none)", group=group),
    ]
    if panel.grid is not None:
        x, y, w, h = panel.grid
        fields.append(Field(name=f"{group}:position", label=label, value=f"x={x} y={y} w={w} h={h}",
                            style=POSITION, group=group))
    fields.extend(_prefixed(_flatten(panel.settings, "", "", group=group), f"{group}:", f"{label} › "))
    for target in panel.targets:
        query = f"query {target.ref_id}"
        if target.text is not None:
            fields.append(Field(name=f"{group}:{query}", label=f"{label} › {query}", value=target.text, style=TEXT,
                                group=group))
        fields.extend(_prefixed(_flatten(target.settings, "", "", group=group), f"{group}:{query}:",
                                f"{label} › {query} "))
    return fields


def datasource_fields(datasource: Datasource) -> list[Field]:
    settings = dict(datasource.settings)
    fields = [Field(name="name", label="name", value=datasource.name, headline=False)]
    for key in ("type", "url", "isDefault"):
        if key in settings:
            fields.append(Field(name=key, label=key, value=settings.pop(key)))
    fields.extend(_flatten(settings, "", "", group=None))
    return fields
