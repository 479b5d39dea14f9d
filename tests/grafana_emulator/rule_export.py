"""Alert rules exported for file provisioning (spec §6.6): `GET /api/v1/provisioning/alert-rules/export` and the
single-rule and single-group forms, from the stored rules, as Grafana's `RouteGetAlertRulesExport`,
`AlertRuleExportFromAlertRule` and `exportResponse` (pkg/services/ngalert/api/) write them."""

from __future__ import annotations

import json
from typing import Any

import yaml

from .bodies import ApiError, Reply, empty, legacy
from .call import Call
from .formats import format_prometheus_duration, parse_prometheus_duration
from .state import GroupRecord, OrgStore


def export_rules(call: Call) -> Reply:
    """Every rule, the rules of some folders (`folderUid`, repeatable), one group (`group` with one folder) or one
    rule (`ruleUid`); 404 with no body when nothing matches."""
    folder_uids = call.all("folderUid")
    group = call.first("group") or ""
    rule_uid = call.first("ruleUid") or ""
    if rule_uid:
        if group or folder_uids:
            raise legacy(400, "group and folder should not be specified when a single rule is requested")
        return _single_rule(call, rule_uid)
    if group:
        if len(folder_uids) != 1:
            raise legacy(400, "group name must be specified together with a single folder_uid parameter. "
                         f"Got {len(folder_uids)}")
        return _single_group(call, folder_uids[0], group)
    org = call.store
    groups = [g for g in org.groups.values() if not folder_uids or g.folder_uid in folder_uids]
    if not groups:
        raise empty(404)
    return _response(call, [_group_export(org, g, g.rule_uids) for g in sorted(groups, key=_order)])


def export_rule(call: Call) -> Reply:
    """`GET /api/v1/provisioning/alert-rules/:uid/export`."""
    return _single_rule(call, call.params["uid"])


def export_group(call: Call) -> Reply:
    """`GET /api/v1/provisioning/folder/:folderUid/rule-groups/:group/export`."""
    return _single_group(call, call.params["folder_uid"], call.params["group"])


def _single_rule(call: Call, uid: str) -> Reply:
    org = call.store
    rule = org.rules.get(uid)
    if rule is None:
        raise empty(404)
    group = org.groups[(rule["folderUID"], rule["ruleGroup"])]
    return _response(call, [_group_export(org, group, [uid])])


def _single_group(call: Call, folder_uid: str, title: str) -> Reply:
    org = call.store
    group = org.groups.get((folder_uid, title))
    if group is None:
        raise empty(404)
    return _response(call, [_group_export(org, group, group.rule_uids)])


def _order(group: GroupRecord) -> tuple[str, str]:
    # The store lists rules by namespace (folder) uid, then group; the export keeps that order.
    return group.folder_uid, group.title


def _fullpath(org: OrgStore, folder_uid: str) -> str:
    """The folder's titles from the root, joined by "/", a "/" inside a title escaped as "\\/"."""
    chain = [*org.folder_ancestors(folder_uid), org.folders[folder_uid]] if folder_uid in org.folders else []
    return "/".join(folder.title.replace("/", "\\/") for folder in chain)


def _escaped(text: str) -> str:
    """addEscapeCharactersToString: file provisioning expands `$VAR`, so a literal `$` is exported as `$$`."""
    return text.replace("$", "$$")


def _group_export(org: OrgStore, group: GroupRecord, uids: list[str]) -> dict[str, Any]:
    return {
        "orgId": org.id,
        "name": _escaped(group.title),
        "folder": _escaped(_fullpath(org, group.folder_uid)),
        "interval": format_prometheus_duration(group.interval * 1000),
        "rules": [_rule_export(org.rules[uid]) for uid in uids],
    }


def _rule_export(rule: dict[str, Any]) -> dict[str, Any]:
    """AlertRuleExport: empty condition and states, zero durations and empty maps are omitted."""
    body: dict[str, Any] = {"uid": rule["uid"], "title": _escaped(rule["title"])}
    if rule["condition"]:
        body["condition"] = rule["condition"]
    body["data"] = [_query_export(query) for query in rule["data"]]
    for key in ("noDataState", "execErrState"):
        if rule[key]:
            body[key] = rule[key]
    for key, stored in (("for", "for"), ("keepFiringFor", "keep_firing_for")):
        if parse_prometheus_duration(rule[stored]):
            body[key] = rule[stored]
    if rule["annotations"]:
        body["annotations"] = dict(rule["annotations"])  # annotations are templates: not escaped
    if rule["labels"]:
        body["labels"] = {key: _escaped(value) for key, value in rule["labels"].items()}
    body["isPaused"] = rule["isPaused"]
    settings = rule.get("notification_settings")
    if settings:
        body["notification_settings"] = {
            key: ([_escaped(item) for item in value] if key in ("group_by", "mute_time_intervals")
                  else _escaped(value) if key == "receiver" else value)
            for key, value in settings.items() if value not in (None, "", [])
        }
    if rule.get("record"):
        body["record"] = rule["record"]
    if rule.get("missingSeriesEvalsToResolve"):
        body["missing_series_evals_to_resolve"] = rule["missingSeriesEvalsToResolve"]
    return body


def _query_export(query: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"refId": query["refId"]}
    if query["queryType"]:
        body["queryType"] = query["queryType"]
    span = query["relativeTimeRange"]
    body["relativeTimeRange"] = {"from": int(span["from"]), "to": int(span["to"])}
    body.update(datasourceUid=query["datasourceUid"], model=query["model"])
    return body


def _response(call: Call, groups: list[dict[str, Any]]) -> Reply:
    """exportResponse: YAML unless `Accept` names json, `format=` (yaml, json) deciding over both; `download`
    adds an attachment header. HCL is not emulated."""
    accept = call.headers.get("Accept") or ""
    fmt = "json" if "json" in accept else "yaml"
    if call.first("format") in ("yaml", "json"):
        fmt = call.first("format")
    elif call.first("format") == "hcl":
        raise ApiError(Reply(status=501, body={"message": "the emulator does not write HCL"}))
    export = {"apiVersion": 1, "groups": groups}
    headers = {"Content-Disposition": f"attachment;filename=export.{fmt}"} if call.flag("download") else {}
    if fmt == "json":
        return Reply(raw=json.dumps(export, separators=(",", ":")).encode(), headers=headers)
    return Reply(raw=_yaml(export).encode(), content_type="text/yaml", headers=headers)


def _yaml(export: dict[str, Any]) -> str:
    # yaml.v3 omits a zero struct marked omitempty: an expression's relativeTimeRange {0, 0} is not written.
    trimmed = json.loads(json.dumps(export))
    for group in trimmed["groups"]:
        for rule in group["rules"]:
            for query in rule["data"]:
                if query.get("relativeTimeRange") == {"from": 0, "to": 0}:
                    del query["relativeTimeRange"]
    return yaml.safe_dump(trimmed, sort_keys=False, indent=4, allow_unicode=True)
