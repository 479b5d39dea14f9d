"""What a preview consists of: the build of one environment, renamed into the preview's own namespace of uids."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dashctl.compiler.pipeline import EnvironmentBuild
from dashctl.durations import parse_duration
from dashctl.preview.naming import preview_folder_uid, preview_title, preview_uid

__all__ = ["PREVIEW_TAG", "PreviewDashboard", "PreviewPlan", "PreviewRuleGroup", "plan_preview", "preview_tag"]

PREVIEW_TAG = "dashctl-preview"
# Datasource uids that are not datasources Grafana stores: expressions, the built-in Grafana source, mixed.
_BUILT_IN = {"__expr__", "-100", "grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"}


@dataclass(frozen=True, kw_only=True)
class PreviewDashboard:
    original_uid: str
    uid: str
    title: str
    model: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class PreviewRuleGroup:
    """A rule group in the REST shape: interval in seconds, rules as ProvisionedAlertRule dicts, all paused."""

    name: str
    interval: int
    rules: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, kw_only=True)
class PreviewPlan:
    name: str
    environment: str
    folder_uid: str
    folder_title: str
    dashboards: tuple[PreviewDashboard, ...]
    rule_groups: tuple[PreviewRuleGroup, ...]
    datasource_uids: Mapping[str, tuple[str, ...]]  # uid -> what uses it

    @property
    def size(self) -> int:
        return len(self.dashboards) + len(self.rule_groups)


def plan_preview(build: EnvironmentBuild, name: str) -> PreviewPlan:
    """Rename the environment's dashboards and alert rules for preview `name`."""
    folder_uid = preview_folder_uid(name)
    renames = {compiled.uid: preview_uid(name, compiled.uid) for compiled in build.dashboards}
    users: dict[str, set[str]] = {}
    dashboards = []
    for compiled in build.dashboards:
        model = _rename(dict(compiled.model), renames)
        model.update(uid=renames[compiled.uid], title=preview_title(name, compiled.title), id=None)
        model["tags"] = sorted({*model.get("tags", []), PREVIEW_TAG, preview_tag(name)})
        model["links"] = [_preview_link(link, name) for link in model.get("links", [])]
        for uid in _datasource_uids(model):
            users.setdefault(uid, set()).add(f"dashboard {compiled.uid!r}")
        dashboards.append(
            PreviewDashboard(original_uid=compiled.uid, uid=model["uid"], title=model["title"], model=model)
        )
    groups = []
    alerting = build.extras.get("alerts")
    for group in alerting.groups if alerting is not None else ():
        # One preview folder holds every group, so the original folder goes into the group's name.
        group_name = f"{group.folder} - {group.name}"
        rules = []
        for compiled in group.rules:
            converted = _rule(
                _unescaped(compiled.provisioning), name=name, folder_uid=folder_uid, group=group_name, renames=renames
            )
            for query in converted["data"]:
                if query.get("datasourceUid") not in _BUILT_IN:
                    users.setdefault(query["datasourceUid"], set()).add(f"alert rule {compiled.uid!r}")
            rules.append(converted)
        interval = parse_duration(str(group.interval)) // 1000
        groups.append(PreviewRuleGroup(name=group_name, interval=interval, rules=tuple(rules)))
    return PreviewPlan(
        name=name,
        environment=build.environment.name,
        folder_uid=folder_uid,
        folder_title=f"Preview: {name}",
        dashboards=tuple(dashboards),
        rule_groups=tuple(groups),
        datasource_uids={uid: tuple(sorted(what)) for uid, what in sorted(users.items())},
    )


def _rename(model: dict[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    """Point links between previewed dashboards (`/d/<uid>`) at the preview copies."""
    if not renames:
        return model
    text = json.dumps(model, sort_keys=True)
    pattern = re.compile(r"/d/(" + "|".join(re.escape(uid) for uid in sorted(renames, key=len, reverse=True)) + r")(?=[/?#\"\\]|$)")
    return json.loads(pattern.sub(lambda match: f"/d/{renames[match.group(1)]}", text))


def preview_tag(name: str) -> str:
    """The tag every dashboard of preview `name` carries, so tag-based links stay inside the preview."""
    return f"{PREVIEW_TAG}:{name}"


def _preview_link(link: Any, name: str) -> Any:
    """A `dashboards` link lists dashboards by tag (AND): adding the preview's tag keeps it to the preview copies."""
    if isinstance(link, dict) and link.get("type") == "dashboards":
        return {**link, "tags": sorted({*link.get("tags", []), preview_tag(name)})}
    return link


def _unescaped(rule: Mapping[str, Any]) -> dict[str, Any]:
    """The rule as Grafana holds it after reading the file: `$$` in title and labels is a single `$` again.

    The API does not expand variables, so what the file escapes for Grafana's file reader is sent plain.
    """
    from dashctl.alerts.interpolation import unescape_value

    rule = dict(rule)
    rule["title"] = unescape_value(rule["title"])
    rule["labels"] = {key: unescape_value(value) for key, value in (rule.get("labels") or {}).items()}
    return rule


def _datasource_uids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        reference = value.get("datasource")
        if isinstance(reference, dict):
            uid = reference.get("uid")
            if isinstance(uid, str) and uid not in _BUILT_IN and not uid.startswith("$"):
                yield uid
        for item in value.values():
            yield from _datasource_uids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _datasource_uids(item)


def _rule(rule: Mapping[str, Any], *, name: str, folder_uid: str, group: str, renames: Mapping[str, str]) -> dict[str, Any]:
    """A file-provisioning rule as the REST API's ProvisionedAlertRule, renamed and paused."""
    annotations = dict(rule.get("annotations") or {})
    dashboard_uid = annotations.get("__dashboardUid__") or rule.get("dashboardUid")
    if dashboard_uid in renames:
        annotations["__dashboardUid__"] = renames[dashboard_uid]
    elif dashboard_uid:
        # The dashboard is not part of this preview; a link to the deployed one would mislead.
        annotations.pop("__dashboardUid__", None)
        annotations.pop("__panelId__", None)
    if rule.get("panelId") is not None and dashboard_uid in renames:
        annotations["__panelId__"] = str(rule["panelId"])
    converted: dict[str, Any] = {
        "uid": preview_uid(name, rule["uid"]),
        "title": preview_title(name, rule["title"]),
        "folderUID": folder_uid,
        "ruleGroup": group,
        "orgID": 1,
        "condition": rule["condition"],
        "data": [dict(query) for query in rule["data"]],
        "noDataState": rule.get("noDataState", "NoData"),
        "execErrState": rule.get("execErrState", "Error"),
        "for": rule.get("for", "0s"),
        "keep_firing_for": rule.get("keepFiringFor", rule.get("keep_firing_for", "0s")),
        "labels": dict(rule.get("labels") or {}),
        "annotations": annotations,
        # Paused: a preview must never notify anyone, whatever its routing says.
        "isPaused": True,
    }
    return converted
