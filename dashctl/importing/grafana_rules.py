"""Grafana-managed alert rules in Grafana's provisioning format (`GET /api/v1/provisioning/alert-rules/export`,
and the files `dashctl build` writes) as rule drafts.

A rule's `data` is a small pipeline of nodes (pkg/services/ngalert/models/alert_query.go): datasource queries and
server-side expressions (`reduce`, `threshold`, `math`, in `__expr__` models). The usual shapes map onto dashctl's
`Threshold`: query A, reduce B, threshold C on B (`Threshold(above=..., reduce=...)`), or a threshold straight on a
query (`reduce=None`). Any other pipeline keeps its nodes (`queries=[PromQL, Reduce, Math, ...]`) and its condition
(a `Math`, or a `Threshold(input=...)`). Datasource uids become the project's logical names through the
environment's datasources; a node dashctl cannot express (classic conditions, resample, a reducer or threshold type
it does not know, a query of another kind of datasource) makes the rule not importable, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from dashctl.alerts.model import REDUCERS, LogQL, Math, PromQL, Reduce, Threshold
from dashctl.durations import canonical_duration
from dashctl.errors import DashctlError
from dashctl.importing.rule_draft import (
    NoteKind,
    RuleDraft,
    check_imported_query,
    format_number,
    map_severity,
    read_duration,
)
from dashctl.importing.sources import plain_folder_title
from dashctl.project.environment import DatasourceRef

__all__ = ["EXPRESSION_UIDS", "grafana_drafts"]

EXPRESSION_UIDS = frozenset({"__expr__", "-100"})
"""The datasource uids of server-side expressions (the second is the legacy form)."""

_LANGUAGES = {"prometheus": "PromQL", "loki": "LogQL"}
_QUERY_CLASSES = {"PromQL": PromQL, "LogQL": LogQL}
_THRESHOLDS = {"gt": "above", "lt": "below", "within_range": "within", "outside_range": "outside"}
_MATH_THRESHOLDS = {"gte": ">=", "lte": "<=", "eq": "==", "ne": "!="}
_INSTANT_INTERVAL_MS = 1000
_MAX_DATA_POINTS = 43200
_DEFAULT_INSTANT_WINDOW_S = 600
_KNOWN_RULE_KEYS = frozenset(
    {"uid", "title", "condition", "data", "for", "keepFiringFor", "noDataState", "execErrState", "labels",
     "annotations", "isPaused", "dashboardUid", "panelId", "orgId", "notification_settings"}
)  # fmt: skip


def grafana_drafts(
    groups: Any,
    *,
    datasources: Mapping[str, DatasourceRef],
    folder: str | None,
    unescape: bool,
    aliases: Mapping[str, str] | None = None,
) -> Iterator[tuple[RuleDraft | None, str, tuple[tuple[NoteKind, str], ...]]]:
    """Each rule of the provisioning `groups` as (draft or None, subject, notes).

    `datasources` maps the project's logical names to uid and type; `unescape` undoes the `$$` that file
    provisioning needs (in Grafana's export and in the files `dashctl build` wrote) in group names, folders, titles
    and label values, the fields Grafana's export escapes.
    """
    if not isinstance(groups, list):
        raise DashctlError("`groups` is not a list")
    by_uid = {ref.uid: (logical, ref.type) for logical, ref in sorted(datasources.items())}
    # Another Grafana's uids (`aliases`: uid -> logical name) count as the environment's, reported as changed.
    renamed = {uid: logical for uid, logical in (aliases or {}).items()
               if uid not in by_uid and logical in datasources}
    by_uid |= {uid: (logical, datasources[logical].type) for uid, logical in renamed.items()}
    for group in groups:
        if not isinstance(group, Mapping) or not isinstance(group.get("name"), str):
            raise DashctlError("a group has no name")
        name = _text(group["name"], unescape)
        group_folder, folder_note = (folder, None) if folder else _folder_title(
            _text(group.get("folder") or "Imported", unescape))
        interval = read_duration(group.get("interval") or "1m", f"group {name!r} interval")
        for rule in group.get("rules") or []:
            if not isinstance(rule, Mapping):
                raise DashctlError(f"group {name!r} holds a rule that is not a mapping")
            title = _text(rule.get("title"), unescape)
            subject = f"{name}/{title}"
            if rule.get("record"):
                yield None, subject, (("not-imported", "a Grafana recording rule: dashctl models alert rules only"),)
                continue
            try:
                draft = _draft(rule, title=title, group=name, folder=group_folder, interval=interval,
                               by_uid=by_uid, unescape=unescape)
            except DashctlError as error:
                yield None, subject, (("not-imported", str(error)),)
                continue
            moved = sorted({(uid, renamed[uid]) for uid in _datasource_uids(rule) if uid in renamed})
            notes = tuple(("changed", f"datasource uid {uid!r} of the source Grafana became {logical!r}")
                          for uid, logical in moved) + ((("changed", folder_note),) if folder_note else ())
            yield draft, subject, notes + tuple(draft.notes)


def _folder_title(path: str) -> tuple[str, str | None]:
    """The folder title of Grafana's folder full path (titles joined by "/", a "/" in a title escaped as "\\/"),
    and what changed: dashctl files rules by one title, without "/" or "\\" (the sidecar makes paths of them)."""
    parts = re.split(r"(?<!\\)/", path)
    title = parts[-1].replace("\\/", "/")
    plain = plain_folder_title(title)
    if len(parts) == 1 and plain == title:
        return title, None
    return plain, (f"folder {path!r} became {plain!r}: dashctl files rules in one folder by its title, "
                   "which may hold no '/' or '\\'" + (" (the folder is nested in Grafana)" if len(parts) > 1 else ""))


def _datasource_uids(rule: Mapping[str, Any]) -> set[str]:
    return {str(node.get("datasourceUid")) for node in rule.get("data") or [] if isinstance(node, Mapping)}


def _text(value: Any, unescape: bool) -> str:
    text = "" if value is None else str(value)
    return text.replace("$$", "$") if unescape else text


def _draft(
    rule: Mapping[str, Any],
    *,
    title: str,
    group: str,
    folder: str,
    interval: str,
    by_uid: Mapping[str, tuple[str, str]],
    unescape: bool,
) -> RuleDraft:
    notes: list[tuple[NoteKind, str]] = []
    data = rule.get("data")
    if not isinstance(data, list) or not data:
        raise DashctlError("the rule has no data")
    nodes = {str(node.get("refId")): node for node in data if isinstance(node, Mapping)}
    condition_ref = str(rule.get("condition") or "")
    if condition_ref not in nodes:
        raise DashctlError(f"the condition {condition_ref!r} names no node of data")
    built: dict[str, Any] = {}
    for ref, node in nodes.items():
        if ref != condition_ref:
            built[ref] = _node(ref, node, by_uid, notes)
    queries, condition = _condition(condition_ref, nodes[condition_ref], built, notes)
    # The order in which the AlertRule lists its nodes (`AlertRule.data`), by their refIds in the source.
    if isinstance(condition, Threshold) and condition.reduce is not None:
        reduce_node = built[str(nodes[condition_ref]["model"].get("expression"))]
        refs = (reduce_node.input, reduce_node.ref_id, condition_ref)
    else:
        refs = (*built, condition_ref)
    labels = {str(k): _text(v, unescape) for k, v in (rule.get("labels") or {}).items()}
    severity, severity_note = map_severity(labels.pop("severity", None))
    if severity_note:
        notes.append(("changed", severity_note))
    annotations = {str(k): str(v) for k, v in (rule.get("annotations") or {}).items()}
    for reserved in ("__dashboardUid__", "__panelId__"):
        annotations.pop(reserved, None)
    fields: dict[str, Any] = {"severity": severity, "condition": condition, **queries}
    team = labels.pop("team", None)
    if team:
        fields["team"] = team
    for key, name in (("for", "for_"), ("keepFiringFor", "keep_firing_for")):
        if rule.get(key) not in (None, ""):
            fields[name] = read_duration(rule[key], key)
    for key, name in (("noDataState", "no_data_state"), ("execErrState", "exec_err_state")):
        if rule.get(key):
            fields[name] = str(rule[key])
    for key in ("summary", "description", "runbook_url"):
        if key in annotations:
            fields[key] = annotations.pop(key)
    fields["labels"] = labels
    fields["annotations"] = annotations
    if rule.get("isPaused"):
        fields["paused"] = True
    if rule.get("dashboardUid") and rule.get("panelId") is not None:
        fields["dashboard"] = (str(rule["dashboardUid"]), int(rule["panelId"]))
    if rule.get("notification_settings"):
        notes.append(("changed", "notification_settings dropped: dashctl routes alerts with its notification "
                      "policy tree (docs/alerts.md)"))
    unknown = sorted(set(rule) - _KNOWN_RULE_KEYS)
    if unknown:
        notes.append(("changed", f"{', '.join(unknown)} dropped: dashctl's AlertRule has no such field"))
    uid = rule.get("uid") if isinstance(rule.get("uid"), str) else None
    return RuleDraft(group=group, folder=folder, interval=interval, name=title, fields=fields, uid=uid,
                     refs=refs, notes=tuple(notes))


def _node(ref: str, node: Mapping[str, Any], by_uid: Mapping[str, tuple[str, str]],
          notes: list[tuple[NoteKind, str]]) -> Any:
    model = node.get("model") or {}
    if str(node.get("datasourceUid")) not in EXPRESSION_UIDS:
        return _query(ref, node, model, by_uid, notes)
    kind = model.get("type")
    if kind == "reduce":
        reducer = str(model.get("reducer") or "last")
        if reducer not in REDUCERS:
            raise DashctlError(f"reduce {ref} uses reducer {reducer!r}; dashctl knows {', '.join(REDUCERS)}")
        mode = (model.get("settings") or {}).get("mode")
        if mode:
            notes.append(("changed", f"reduce {ref}: mode {mode!r} dropped (dashctl reduces strictly)"))
        return Reduce(ref_id=ref, input=str(model.get("expression")), reducer=reducer)
    if kind == "math":
        return Math(ref_id=ref, expression=str(model.get("expression")))
    raise DashctlError(f"node {ref} is a {kind!r} expression, which dashctl's alert model cannot express as an "
                       "intermediate step (reduce and math can)")


def _query(ref: str, node: Mapping[str, Any], model: Mapping[str, Any], by_uid: Mapping[str, tuple[str, str]],
           notes: list[tuple[NoteKind, str]]) -> PromQL | LogQL:
    uid = str(node.get("datasourceUid"))
    expr = model.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        raise DashctlError(f"query {ref} has no PromQL or LogQL expr (datasource {uid!r} is of another kind)")
    logical, kind = by_uid.get(uid, (None, None))
    language = _LANGUAGES.get(kind or "")
    if language is None:
        language = "LogQL" if node.get("queryType") or model.get("queryType") else "PromQL"
        logical = None
        notes.append(("attention", f"query {ref}: datasource uid {uid!r} is none of the environment's; it reads "
                      f"{language}, so it uses the default {language} datasource"))
    experimental = check_imported_query(expr, language)
    if experimental:
        notes.append(("attention", f"query {ref}: {experimental}"))
    cls = _QUERY_CLASSES[language]
    window = int((node.get("relativeTimeRange") or {}).get("from") or _DEFAULT_INSTANT_WINDOW_S)
    if (node.get("relativeTimeRange") or {}).get("to"):
        notes.append(("changed", f"query {ref}: its time range now ends at the evaluation time, not "
                      f"{node['relativeTimeRange']['to']}s before it (dashctl's queries look back from now)"))
    instant = model.get("instant", True) if language == "PromQL" else model.get("queryType", "instant") == "instant"
    if language == "PromQL" and model.get("range") and not model.get("instant"):
        instant = False
    options: dict[str, Any] = {"expr": expr, "ref_id": ref}
    if logical is not None and logical != cls.default_datasource:
        options["datasource"] = logical
    if not instant:
        step_ms = int(model.get("intervalMs") or 60_000)
        options["range"] = canonical_duration(window * 1000)
        options["step"] = canonical_duration(step_ms)
    elif window != _DEFAULT_INSTANT_WINDOW_S:
        notes.append(("changed", f"query {ref}: its time range of {window}s became 10m, dashctl's for instant "
                      "queries (it matters only to $__range)"))
    extras = sorted(set(model) - {"refId", "expr", "intervalMs", "maxDataPoints", "instant", "range", "queryType",
                                  "datasource", "editorMode", "legendFormat", "exemplar", "interval", "hide"})
    if extras:
        notes.append(("changed", f"query {ref}: model fields {', '.join(extras)} dropped"))
    return cls(**options)


def _condition(ref: str, node: Mapping[str, Any], built: dict[str, Any],
               notes: list[tuple[NoteKind, str]]) -> tuple[dict[str, Any], Threshold | Math]:
    model = node.get("model") or {}
    kind = model.get("type")
    if str(node.get("datasourceUid")) not in EXPRESSION_UIDS:
        raise DashctlError(f"the condition {ref} is a datasource query; dashctl's condition is a threshold or math")
    if kind == "math":
        return _queries(built), Math(expression=str(model.get("expression")))
    if kind != "threshold":
        raise DashctlError(f"the condition {ref} is a {kind!r} expression; dashctl's condition is a threshold "
                           "or math (classic conditions: rewrite as reduce + threshold)")
    conditions = model.get("conditions") or []
    evaluator = (conditions[0].get("evaluator") if conditions else None) or {}
    if conditions and (conditions[0] or {}).get("unloadEvaluator"):
        notes.append(("changed", f"threshold {ref}: its recovery threshold dropped (dashctl has none)"))
    kind, params = str(evaluator.get("type")), [float(p) for p in evaluator.get("params") or []]
    source = str(model.get("expression"))
    if kind in _MATH_THRESHOLDS:
        return _queries(built), Math(expression=f"${source} {_MATH_THRESHOLDS[kind]} {format_number(params[0])}")
    if kind not in _THRESHOLDS or not params:
        raise DashctlError(f"threshold {ref} has evaluator {kind!r}, which dashctl does not know")
    value: Any = params[0] if kind in ("gt", "lt") else (params[0], params[1])
    argument = {_THRESHOLDS[kind]: value}
    reduce_node = built.get(source)
    # The shape Grafana's editor builds, A -> reduce B -> threshold C, is Threshold(reduce=...) on query A.
    if (isinstance(reduce_node, Reduce) and len(built) == 2
            and isinstance(built.get(reduce_node.input), (PromQL, LogQL))):
        # The query becomes A, so the nodes are A, B, C as dashctl and Grafana's editor name them.
        query = replace(built[reduce_node.input], ref_id="A")
        return {"query": query}, Threshold(**argument, reduce=reduce_node.reducer)
    if isinstance(reduce_node, (PromQL, LogQL)) and len(built) == 1:
        return {"query": replace(reduce_node, ref_id="A")}, Threshold(**argument, reduce=None)
    return _queries(built), Threshold(**argument, reduce=None, input=source)


def _queries(built: dict[str, Any]) -> dict[str, Any]:
    nodes = list(built.values())
    return {"query": nodes[0]} if len(nodes) == 1 else {"queries": nodes}
