"""Read the objects of a build output: whatever ConfigMap or Secret of `<env>/` carries Grafana files.

The files are recognised by content, not by name, so output written by an older dashctl (or by hand) reads too:
a data key ending `.json` holding a dashboard model is a dashboard; a `.yaml`/`.yml` (or `.json`) document with
`datasources` or `deleteDatasources` is datasource provisioning; one with any alerting key (`groups`,
`contactPoints`, `policies`, `deleteRules`...) is alerting provisioning. Secret data is base64. What cannot be
read is a warning, not an error: a diff should still show everything else.

Fields that Grafana or the build make volatile are dropped here: a dashboard's `id`, `version` and `iteration`,
panel `pluginVersion`, variables' `current` and `options` (Grafana fills them at load time), a rule's `id`,
`updated` and `version`, and the query-model defaults Grafana adds to rules (`intervalMs: 1000`,
`maxDataPoints: 43200`, the `refId` and `datasource` it copies into the model).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any

from dashctl.diff.masking import is_secret_key, mask_tree
from dashctl.diff.objects import (
    AlertRule,
    ContactPoint,
    Dashboard,
    Datasource,
    Deletion,
    GrafanaObject,
    Integration,
    Matcher,
    MuteTiming,
    ObjectKey,
    Panel,
    PolicyTree,
    Route,
    RuleNode,
    Snapshot,
    Target,
    Template,
    Variable,
    freeze,
    org_key,
)
from dashctl.durations import canonical_duration

__all__ = ["ALERTING_KEYS", "extract_snapshot"]

ALERTING_KEYS = frozenset({
    "groups", "contactPoints", "policies", "templates", "muteTimes", "deleteRules", "deleteContactPoints",
    "deleteTemplates", "deleteMuteTimes", "resetPolicies",
})
DATASOURCE_KEYS = frozenset({"datasources", "deleteDatasources"})
FOLDER_ANNOTATIONS = ("grafana_folder", "k8s-sidecar-target-directory")
# Keys left out of an object's generic `settings`: volatile ones, and those read into fields of their own.
_DASHBOARD_OWN = ("id", "version", "iteration", "panels", "templating", "uid", "title")
_PANEL_OWN = ("id", "gridPos", "targets", "panels", "pluginVersion", "title", "type")
_VARIABLE_OWN = ("current", "options", "name", "type")
# What Grafana's export adds to a rule and a provisioning file never needs.
_RULE_VOLATILE = ("id", "updated", "version", "namespace_uid", "rule_group")
# Model entries Grafana fills in itself when it saves a rule (pkg/services/ngalert/models/alert_query.go).
_MODEL_DEFAULTS = {"intervalMs": 1000, "maxDataPoints": 43200, "hide": False}
_TARGET_TEXT = ("expr", "query", "rawSql", "expression", "queryText")
_DELETIONS = {
    "deleteRules": "uid",
    "deleteContactPoints": "uid",
    "deleteTemplates": "name",
    "deleteMuteTimes": "name",
    "deleteDatasources": "name",
}


def extract_snapshot(files: Mapping[str, bytes], environments: Iterable[str], *, origin: str) -> Snapshot:
    """The objects of `environments` in an output tree (paths relative to the output directory).

    `origin` names the side in warnings ("origin/main", "the working tree").
    """
    wanted = tuple(sorted(set(environments)))
    reader = _Reader(origin)
    for path in sorted(files):
        environment, _, name = path.partition("/")
        if environment not in wanted or "/" in name or not name.endswith((".yaml", ".yml", ".json")):
            continue
        reader.read_file(environment, path, files[path])
    return reader.snapshot(wanted)


class _Reader:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.objects: dict[ObjectKey, GrafanaObject] = {}
        self.warnings: list[str] = []

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where} ({self.origin}): {message}")

    def snapshot(self, environments: tuple[str, ...]) -> Snapshot:
        return Snapshot(environments=environments, objects=self.objects, warnings=tuple(self.warnings))

    def add(self, item: GrafanaObject, where: str) -> None:
        key = item.object_key
        if key in self.objects and self.objects[key] != item:
            # Grafana reads the files in name order, so the later file wins (as for the policy tree).
            self.warn(where, f"{key.kind} {key.key!r} is also defined in {self.objects[key].source}; this one wins")
        self.objects[key] = item

    # -- files ---------------------------------------------------------------------------------------------------

    def read_file(self, environment: str, path: str, data: bytes) -> None:
        try:
            documents = _load_documents(data.decode("utf-8"))
        except Exception as error:  # yaml.YAMLError, UnicodeDecodeError: this file is broken, the others count
            self.warn(path, f"not readable YAML: {_first_line(error)}")
            return
        for document in documents:
            if not isinstance(document, dict) or document.get("kind") not in ("ConfigMap", "Secret"):
                continue
            metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
            annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
            for key, text in sorted(self._entries(document, path).items()):
                self.read_entry(environment, f"{path}: {key}", key, text, annotations)

    def _entries(self, document: dict[str, Any], path: str) -> dict[str, str]:
        entries: dict[str, str] = {}
        data = document.get("data") if isinstance(document.get("data"), dict) else {}
        for key, value in data.items():
            if not isinstance(value, str):
                continue
            if document["kind"] == "Secret":
                try:
                    value = base64.b64decode(value, validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    self.warn(f"{path}: {key}", "Secret data is not base64 of UTF-8 text")
                    continue
            entries[str(key)] = value
        string_data = document.get("stringData") if isinstance(document.get("stringData"), dict) else {}
        entries.update({str(key): value for key, value in string_data.items() if isinstance(value, str)})
        return entries

    def read_entry(
        self, environment: str, where: str, key: str, text: str, annotations: Mapping[str, Any]
    ) -> None:
        if not key.endswith((".json", ".yaml", ".yml")):
            return
        try:
            if key.endswith(".json"):
                content = json.loads(text)
            else:
                from dashctl.encoding import load_yaml

                content = load_yaml(text)
        except Exception as error:  # a broken entry is reported and skipped, the rest is still compared
            self.warn(where, f"cannot parse: {_first_line(error)}")
            return
        if not isinstance(content, dict):
            return
        if ALERTING_KEYS & content.keys():
            self.read_alerting(environment, where, content)
        if DATASOURCE_KEYS & content.keys():
            self.read_datasources(environment, where, content)
        if key.endswith(".json") and not (ALERTING_KEYS | DATASOURCE_KEYS) & content.keys():
            if "uid" in content or "panels" in content:
                folder = next((str(annotations[name]) for name in FOLDER_ANNOTATIONS if annotations.get(name)), None)
                fallback = key.split(".", 1)[0]
                self.add(_dashboard(environment, where, content, folder, fallback), where)

    # -- alerting ------------------------------------------------------------------------------------------------

    def read_alerting(self, environment: str, where: str, content: dict[str, Any]) -> None:
        for group in _dicts(content.get("groups")):
            for rule in _dicts(group.get("rules")):
                if not isinstance(rule.get("uid"), str) or not rule["uid"]:
                    self.warn(where, f"a rule of group {group.get('name')!r} has no uid; skipped")
                    continue
                self.add(_rule(environment, where, group, rule), where)
        for point in _dicts(content.get("contactPoints")):
            if not point.get("name"):
                self.warn(where, "a contact point has no name; skipped")
                continue
            self.add(_contact_point(environment, where, point), where)
        for policy in _dicts(content.get("policies")):
            org = _org(policy)
            self.add(PolicyTree(environment=environment, source=where, org_id=org, root=_route(policy)), where)
        for template in _dicts(content.get("templates")):
            if template.get("name"):
                self.add(Template(environment=environment, source=where, name=str(template["name"]),
                                  org_id=_org(template), template=str(template.get("template", ""))), where)
        for timing in _dicts(content.get("muteTimes")):
            if timing.get("name"):
                self.add(MuteTiming(environment=environment, source=where, name=str(timing["name"]),
                                    org_id=_org(timing), time_intervals=freeze(timing.get("time_intervals") or [])),
                         where)
        self.read_deletions(environment, where, content)
        for org in content.get("resetPolicies") or []:
            self.add(Deletion(environment=environment, source=where, list_name="resetPolicies", name=f"org-{org}"),
                     where)

    def read_deletions(self, environment: str, where: str, content: dict[str, Any]) -> None:
        for list_name, attribute in _DELETIONS.items():
            for entry in _dicts(content.get(list_name)):
                name = entry.get(attribute)
                if name:
                    self.add(Deletion(environment=environment, source=where, list_name=list_name,
                                      name=org_key(str(name), _org(entry))), where)

    # -- datasources ---------------------------------------------------------------------------------------------

    def read_datasources(self, environment: str, where: str, content: dict[str, Any]) -> None:
        for datasource in _dicts(content.get("datasources")):
            if not datasource.get("name") and not datasource.get("uid"):
                self.warn(where, "a datasource has neither name nor uid; skipped")
                continue
            settings = {key: value for key, value in datasource.items() if key not in ("uid", "name", "orgId")}
            self.add(
                Datasource(environment=environment, source=where, uid=datasource.get("uid"),
                           name=str(datasource.get("name") or datasource.get("uid")), org_id=_org(datasource),
                           settings=freeze(_mask_datasource(settings))),
                where,
            )
        self.read_deletions(environment, where, content)


def _load_documents(text: str) -> list[Any]:
    import yaml

    return list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _org(entry: Mapping[str, Any]) -> int:
    value = entry.get("orgId", 1)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def _duration(value: Any, default: str) -> str:
    if value in (None, ""):
        return default
    try:
        return canonical_duration(value) if isinstance(value, str) else canonical_duration(int(value) * 1000)
    except (ValueError, TypeError):
        return str(value)


def _rule(environment: str, where: str, group: dict[str, Any], rule: dict[str, Any]) -> AlertRule:
    known = {"uid", "title", "condition", "data", "for", "keepFiringFor", "noDataState", "execErrState", "labels",
             "annotations", "isPaused", "notification_settings", "orgId"}
    extra = {key: value for key, value in rule.items() if key not in known and key not in _RULE_VOLATILE}
    settings = rule.get("notification_settings")
    return AlertRule(
        environment=environment,
        source=where,
        uid=rule["uid"],
        org_id=_org(group),
        rule_title=str(rule.get("title", "")),
        folder=str(group.get("folder", "")),
        group=str(group.get("name", "")),
        interval=_duration(group.get("interval"), ""),
        condition=str(rule.get("condition", "")),
        data=tuple(_rule_node(node) for node in _dicts(rule.get("data"))),
        for_=_duration(rule.get("for"), "0s"),
        keep_firing_for=_duration(rule.get("keepFiringFor"), "0s"),
        no_data_state=str(rule.get("noDataState") or "NoData"),
        exec_err_state=str(rule.get("execErrState") or "Alerting"),
        labels=freeze({str(k): str(v) for k, v in (rule.get("labels") or {}).items()}),
        annotations=freeze({str(k): str(v) for k, v in (rule.get("annotations") or {}).items()}),
        paused=bool(rule.get("isPaused", False)),
        notification_settings=freeze(settings) if isinstance(settings, dict) and settings else None,
        extra=freeze(extra),
    )


def _rule_node(node: dict[str, Any]) -> RuleNode:
    model = dict(node.get("model") or {}) if isinstance(node.get("model"), dict) else {}
    ref_id = str(node.get("refId") or model.get("refId") or "")
    model.pop("refId", None)
    model.pop("datasource", None)
    for key, default in _MODEL_DEFAULTS.items():
        if model.get(key) == default:
            model.pop(key)
    time_range = node.get("relativeTimeRange")
    relative = None
    if isinstance(time_range, dict):
        relative = (int(time_range.get("from") or 0), int(time_range.get("to") or 0))
    return RuleNode(
        ref_id=ref_id,
        datasource_uid=str(node.get("datasourceUid", "")),
        query_type=str(node.get("queryType") or ""),
        relative_time_range=relative,
        model=freeze(model),
    )


def _contact_point(environment: str, where: str, point: dict[str, Any]) -> ContactPoint:
    integrations = []
    for index, receiver in enumerate(_dicts(point.get("receivers"))):
        kind = str(receiver.get("type", "unknown"))
        settings = receiver.get("settings") if isinstance(receiver.get("settings"), dict) else {}
        secure = receiver.get("secureSettings") if isinstance(receiver.get("secureSettings"), dict) else {}
        masked = mask_tree(settings, secret_key=is_secret_key)
        if secure:
            masked["secureSettings"] = mask_tree(secure, secret=True)
        integrations.append(
            Integration(
                uid=str(receiver.get("uid") or f"{kind}[{index}]"),
                type=kind,
                settings=freeze(masked),
                disable_resolve_message=bool(receiver.get("disableResolveMessage", False)),
            )
        )
    return ContactPoint(environment=environment, source=where, name=str(point["name"]), org_id=_org(point),
                        integrations=tuple(integrations))


def _route(entry: dict[str, Any]) -> Route:
    known = {"receiver", "object_matchers", "matchers", "match", "match_re", "continue", "group_by", "group_wait",
             "group_interval", "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes", "orgId"}
    group_by = entry.get("group_by")
    return Route(
        receiver=str(entry["receiver"]) if entry.get("receiver") else None,
        matchers=tuple(_matchers(entry)),
        continue_=bool(entry.get("continue", False)),
        group_by=tuple(str(label) for label in group_by) if isinstance(group_by, list) else None,
        group_wait=_optional_duration(entry.get("group_wait")),
        group_interval=_optional_duration(entry.get("group_interval")),
        repeat_interval=_optional_duration(entry.get("repeat_interval")),
        mute_time_intervals=tuple(str(name) for name in entry.get("mute_time_intervals") or []),
        active_time_intervals=tuple(str(name) for name in entry.get("active_time_intervals") or []),
        routes=tuple(_route(child) for child in _dicts(entry.get("routes"))),
        extra=freeze({key: value for key, value in entry.items() if key not in known}),
    )


def _optional_duration(value: Any) -> str | None:
    return None if value in (None, "") else _duration(value, "")


def _matchers(entry: dict[str, Any]) -> list[Matcher]:
    from dashctl.diff.routing import parse_matcher

    found = []
    for item in entry.get("object_matchers") or []:
        if isinstance(item, (list, tuple)) and len(item) == 3:
            found.append(Matcher(label=str(item[0]), op=str(item[1]), value=str(item[2])))
    for item in entry.get("matchers") or []:
        matcher = parse_matcher(str(item))
        if matcher is not None:
            found.append(matcher)
    for label, value in (entry.get("match") or {}).items():
        found.append(Matcher(label=str(label), op="=", value=str(value)))
    for label, value in (entry.get("match_re") or {}).items():
        found.append(Matcher(label=str(label), op="=~", value=str(value)))
    return found


def _mask_datasource(settings: dict[str, Any]) -> dict[str, Any]:
    """secureJsonData is secret through and through; so are the legacy top-level password fields."""
    return mask_tree(settings, secret_key=lambda key: key in ("secureJsonData", "password", "basicAuthPassword"))


def _dashboard(
    environment: str, where: str, model: dict[str, Any], folder: str | None, fallback_uid: str
) -> Dashboard:
    panels: list[Panel] = []
    row: str | None = None
    for panel in _dicts(model.get("panels")):
        if panel.get("type") == "row":
            row = str(panel.get("title", ""))
            panels.append(_panel(panel, None))
            panels.extend(_panel(child, row) for child in _dicts(panel.get("panels")))
        else:
            panels.append(_panel(panel, row))
    templating = model.get("templating") if isinstance(model.get("templating"), dict) else {}
    variables = tuple(
        Variable(name=str(item.get("name", "")), type=str(item.get("type", "")),
                 settings=freeze({k: v for k, v in item.items() if k not in _VARIABLE_OWN}))
        for item in _dicts(templating.get("list"))
    )
    settings = {key: value for key, value in model.items() if key not in _DASHBOARD_OWN}
    return Dashboard(
        environment=environment,
        source=where,
        uid=str(model.get("uid") or fallback_uid),
        dashboard_title=str(model.get("title", "")),
        folder=folder,
        panels=tuple(panels),
        variables=variables,
        settings=freeze(settings),
    )


def _panel(panel: dict[str, Any], row: str | None) -> Panel:
    grid = panel.get("gridPos") if isinstance(panel.get("gridPos"), dict) else None
    position = None
    if grid is not None:
        position = tuple(int(grid.get(axis) or 0) for axis in ("x", "y", "w", "h"))
    targets = []
    for index, target in enumerate(_dicts(panel.get("targets"))):
        text_key = next((key for key in _TARGET_TEXT if isinstance(target.get(key), str)), None)
        rest = {key: value for key, value in target.items() if key not in ("refId", text_key)}
        targets.append(Target(ref_id=str(target.get("refId") or f"#{index + 1}"),
                              text=target.get(text_key) if text_key else None, settings=freeze(rest)))
    settings = {key: value for key, value in panel.items() if key not in _PANEL_OWN}
    identifier = panel.get("id")
    return Panel(
        id=identifier if isinstance(identifier, int) and not isinstance(identifier, bool) else None,
        title=str(panel.get("title", "")),
        type=str(panel.get("type", "")),
        row=row,
        grid=position,  # type: ignore[arg-type]
        targets=tuple(targets),
        settings=freeze(settings),
    )
