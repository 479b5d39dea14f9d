"""Import alert rules: Grafana's provisioning export, Prometheus rule files and `PrometheusRule` resources.

    kind = detect_alert_document(document)            # None: not an alert document
    result = import_alert_document(document, source="rules.yaml", datasources=env.datasources)
    result.source_code, result.test_code, result.notes

`import_alert_document` turns every alerting rule into a validated `AlertRule` of dashctl's model and renders them
as Python in the project's authoring style (`@rule_group` functions, docs/alerts.md), with a unit-test skeleton.
What it changed, what it could not import and why (recording rules, nodes the model has no place for), and what
needs a look (a placeholder runbook) are `notes`, one per fact. Uids are stable: a Grafana rule keeps its uid; a
Prometheus rule gets its alert name in kebab case (with the group, then a short hash of the rule, when two rules
would share one). Titles are the alert names; where a folder would hold one title twice, the later rules get their
severity (then a number) in parentheses, as Grafana wants titles unique within a folder.

Kinds: `grafana-export` (`apiVersion` + `groups` of rules with `data`, YAML or JSON, with or without the
Kubernetes ConfigMap that `dashctl build` wraps them in), `prometheus-rules` (`groups` of `alert`/`record` rules),
`prometheus-rule-resource` (`kind: PrometheusRule`, its `spec.groups`, or a Kubernetes List of them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import yaml

from dashctl.alerts.model import AlertRule, DashboardPanel
from dashctl.errors import DashctlError, DefinitionError, DefinitionErrors, SourceLocation, UsageError
from dashctl.importing.grafana_rules import grafana_drafts
from dashctl.importing.prometheus_rules import prometheus_drafts
from dashctl.importing.rule_code import GroupCode, render_rules, render_tests
from dashctl.importing.rule_draft import ImportNote, NoteKind, RuleDraft
from dashctl.project.environment import DatasourceRef

__all__ = [
    "AlertDocumentKind",
    "AlertImport",
    "ImportNote",
    "ImportedRule",
    "detect_alert_document",
    "import_alert_document",
]

AlertDocumentKind = Literal["grafana-export", "prometheus-rules", "prometheus-rule-resource"]

_UID_MAX = 40
_PLACEHOLDER_RUNBOOK = "https://runbooks.example.com/{uid}"
_VALUES_REF = re.compile(r"\$values\.([A-Za-z0-9_]+)")


@dataclass(frozen=True, kw_only=True)
class ImportedRule:
    """One imported rule: the `AlertRule`, its group and folder, and its name in the source."""

    rule: AlertRule
    group: str
    folder: str
    interval: str
    source_name: str


@dataclass(frozen=True, kw_only=True)
class AlertImport:
    """What an alert document became: rules, their Python source and test skeleton, and the report."""

    kind: AlertDocumentKind
    rules: tuple[ImportedRule, ...]
    source_code: str
    """A Python module of `@rule_group` definitions; empty when no rule could be imported."""
    test_code: str
    """A Python module of `@alert_tests` skeletons for those rules; empty likewise."""
    notes: tuple[ImportNote, ...]


def detect_alert_document(document: Any) -> AlertDocumentKind | None:
    """The kind of alert document `document` (parsed YAML or JSON) is, or None when it is none of them."""
    if not isinstance(document, Mapping):
        return None
    if document.get("kind") == "PrometheusRule" or _rule_resources(document):
        return "prometheus-rule-resource"
    if _configmap_exports(document):
        return "grafana-export"
    groups = document.get("groups")
    if not isinstance(groups, list) or not groups:
        return None
    rules = [rule for group in groups if isinstance(group, Mapping) for rule in group.get("rules") or []
             if isinstance(rule, Mapping)]
    if any("data" in rule and "condition" in rule for rule in rules) or (
            "apiVersion" in document and not rules and all(isinstance(g, Mapping) and "folder" in g for g in groups)):
        return "grafana-export"
    if rules and all("expr" in rule and ("alert" in rule or "record" in rule) for rule in rules):
        return "prometheus-rules"
    return None


def import_alert_document(
    document: Mapping[str, Any],
    *,
    source: str,
    folder: str | None = None,
    datasources: Mapping[str, DatasourceRef] | None = None,
    datasource_aliases: Mapping[str, str] | None = None,
    query_language: str | None = None,
    dashboards: Collection[str] = (),
    reserved_uids: Collection[str] = (),
    reserved_titles: Collection[tuple[str, str]] = (),
) -> AlertImport:
    """Import the alert rules of `document` (see the module docstring); raise UsageError for another document.

    `source` names the file or URL, for the report and the generated docstring. `folder` is the Grafana folder of
    the rules (default: a Grafana export's own folders; for Prometheus rules the resource's name or the source's
    file name). `datasources` are the environment's logical datasources (`Environment.datasources`), to turn a
    Grafana rule's datasource uids into logical names; `datasource_aliases` maps uids of another Grafana (the one
    exported from) to logical names too. `query_language` ("PromQL" or "LogQL") says what a
    Prometheus-style rule file queries (Loki's ruler reads the same format); by default each `expr` decides.
    `dashboards` are the uids of dashboards the project defines: a Grafana rule's link to a panel of one of them
    stays a `DashboardPanel`; a link to another dashboard becomes a comment (the build would not find it).
    `reserved_uids` and `reserved_titles` ((folder, title) pairs) are taken already, by the project or by the
    files imported before this one: imported rules get others.
    """
    kind = detect_alert_document(document)
    if kind is None:
        raise UsageError(f"{source}: not an alert document (a Grafana alert export, a Prometheus rule file or a "
                         "PrometheusRule resource)")
    location = SourceLocation(file=source)
    notes: list[ImportNote] = []
    try:
        if kind == "grafana-export":
            exports = _configmap_exports(document)
            groups = [group for export in exports or [document] for group in export.get("groups") or []]
            # File provisioning expands `$VAR`, so every such file (Grafana's export API writes them so too, see
            # escapeAlertingFileExport in pkg/services/ngalert/api/api_provisioning.go) doubles a literal `$`.
            drafts = list(grafana_drafts(groups, datasources=datasources or {}, folder=folder, unescape=True,
                                         aliases=datasource_aliases))
        else:
            if kind == "prometheus-rule-resource":
                drafts = []
                for resource in _rule_resources(document) or [document]:
                    groups = (resource.get("spec") or {}).get("groups")
                    default_folder = str((resource.get("metadata") or {}).get("name") or _stem(source))
                    drafts += prometheus_drafts(groups, folder=folder or default_folder, language=query_language)
            else:
                drafts = list(prometheus_drafts(document.get("groups"), folder=folder or _stem(source),
                                                language=query_language))
    except DashctlError as error:
        raise DefinitionError(f"cannot import alert rules: {error}", location=location) from None
    taken_uids: set[str] = set(reserved_uids)
    taken_titles: set[tuple[str, str]] = set(reserved_titles)
    imported: list[ImportedRule] = []
    comments: dict[str, tuple[str, ...]] = {}
    for draft, subject, draft_notes in drafts:
        notes.extend(ImportNote(kind=k, source=source, subject=subject, message=m) for k, m in _unique(draft_notes))
        if draft is None:
            continue
        rule, build_notes, rule_comments = _build(draft, taken_uids, taken_titles, frozenset(dashboards))
        notes.extend(ImportNote(kind=k, source=source, subject=subject, message=m) for k, m in build_notes)
        if rule is None:
            continue
        taken_uids.add(rule.uid)
        taken_titles.add((draft.folder, rule.title))
        imported.append(ImportedRule(rule=rule, group=draft.group, folder=draft.folder, interval=draft.interval,
                                     source_name=draft.name))
        if rule_comments:
            comments[rule.uid] = rule_comments
    groups_code = _groups(imported, comments)
    return AlertImport(
        kind=kind,
        rules=tuple(imported),
        source_code=render_rules(groups_code, source=source) if groups_code else "",
        test_code=render_tests(groups_code, source=source) if groups_code else "",
        notes=tuple(notes),
    )


def _configmap_exports(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The alerting files inside a ConfigMap (or a List of them), as `dashctl build` packs them for the sidecar."""
    items = document.get("items") if document.get("kind") in ("List", "ConfigMapList") else [document]
    exports = []
    for item in items or []:
        if not (isinstance(item, Mapping) and item.get("kind") == "ConfigMap"):
            continue
        for text in (item.get("data") or {}).values():
            # Dashboards ConfigMaps hold large JSON; only a text that names `groups` can be an alerting file.
            if not isinstance(text, str) or "groups" not in text:
                continue
            try:
                parsed = yaml.safe_load(text)
            except yaml.YAMLError:
                continue
            if isinstance(parsed, dict) and isinstance(parsed.get("groups"), list):
                exports.append(parsed)
    return exports


def _rule_resources(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The PrometheusRules of a Kubernetes List (`kubectl get prometheusrules -o yaml` gives one)."""
    if document.get("kind") not in ("List", "PrometheusRuleList"):
        return []
    items = [item for item in document.get("items") or [] if isinstance(item, Mapping)]
    return items if items and all(item.get("kind") == "PrometheusRule" for item in items) else []


def _stem(source: str) -> str:
    name = re.split(r"[/\\]", source.rstrip("/\\"))[-1]
    return re.sub(r"\.(ya?ml|json)$", "", name) or "Imported"


def _unique(notes: tuple[tuple[NoteKind, str], ...]) -> list[tuple[NoteKind, str]]:
    return list(dict.fromkeys(notes))


def _build(
    draft: RuleDraft, taken_uids: set[str], taken_titles: set[tuple[str, str]], dashboards: frozenset[str]
) -> tuple[AlertRule | None, list[tuple[NoteKind, str]], tuple[str, ...]]:
    """The AlertRule of `draft` with a free uid and title, the notes on what that took, and code comments."""
    notes: list[tuple[NoteKind, str]] = []
    comments: list[str] = []
    fields = dict(draft.fields)
    uid = _uid(draft, taken_uids)
    if draft.uid is not None and uid != draft.uid:
        notes.append(("changed", f"uid {draft.uid!r} became {uid!r} (Grafana's uid rules, or taken twice)"))
    title = _title(draft, fields.get("severity", ""), taken_titles)
    if title != draft.name:
        notes.append(("changed", f"title {draft.name!r} became {title!r}: titles are unique within a folder"))
    if not str(fields.get("summary") or "").strip():
        message = fields.pop("annotations", {}).copy()
        summary = message.pop("message", None)
        fields["annotations"] = message
        fields["summary"] = summary or draft.name
        notes.append(("changed", "no summary annotation; the summary is its "
                      + ("message annotation" if summary else "name")))
    if fields.get("severity") == "critical" and not fields.get("runbook_url"):
        fields["runbook_url"] = _PLACEHOLDER_RUNBOOK.format(uid=uid)
        notes.append(("attention", f"a critical rule needs a runbook_url; {fields['runbook_url']} is a placeholder"))
        comments.append("runbook_url is a placeholder: dashctl needs a runbook for critical rules")
    dashboard = fields.pop("dashboard", None)
    if dashboard is not None and dashboard[0] in dashboards:
        fields["dashboard"] = DashboardPanel(uid=dashboard[0], panel=dashboard[1])
    elif dashboard is not None:
        comments.append(f"linked to panel {dashboard[1]} of dashboard {dashboard[0]!r} in Grafana: once that "
                        "dashboard is in the project, add")
        comments.append(f"dashboard=DashboardPanel(uid={dashboard[0]!r}, panel=<the panel's title>),")
        notes.append(("attention", f"the dashboard link ({dashboard[0]}, panel {dashboard[1]}) is a comment until "
                      "that dashboard is defined in the project"))
    try:
        rule = AlertRule(uid=uid, title=title, **fields)
    except (DefinitionError, DefinitionErrors) as error:
        problems = error.errors if isinstance(error, DefinitionErrors) else [error]
        reasons = "; ".join(problem.message for problem in problems)
        return None, [("not-imported", f"not a valid dashctl rule: {reasons}")], ()
    rule = _carry_value_refs(rule, draft)
    return rule, notes, tuple(comments)


def _uid(draft: RuleDraft, taken: set[str]) -> str:
    if draft.uid and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", draft.uid) and draft.uid not in taken:
        return draft.uid
    base = _slug(draft.name)
    for candidate in (base, f"{_slug(draft.group)}-{base}"):
        if len(candidate) <= _UID_MAX and candidate not in taken:
            return candidate
    # Still stable: the hash is of what the rule says, not of where it sits in the file.
    nodes = draft.fields.get("queries") or [draft.fields.get("query")]
    content = (draft.group, draft.name, sorted((draft.fields.get("labels") or {}).items()),
               [getattr(node, "expr", "") for node in nodes])
    digest = hashlib.sha1(repr(content).encode()).hexdigest()
    for length in (6, 10, 40):
        candidate = f"{base[: _UID_MAX - length - 1]}-{digest[:length]}".lstrip("-")
        if candidate not in taken:
            return candidate
    raise DashctlError(f"no free uid for {draft.name!r}")


def _slug(text: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-") or "rule"


def _title(draft: RuleDraft, severity: str, taken: set[tuple[str, str]]) -> str:
    title = draft.name
    if (draft.folder, title) not in taken:
        return title
    candidate, number = f"{title} ({severity})", 2
    while (draft.folder, candidate) in taken:
        candidate, number = f"{title} ({severity} {number})", number + 1
    return candidate


def _carry_value_refs(rule: AlertRule, draft: RuleDraft) -> AlertRule:
    """Rewrite `$values.<ref>` in labels and annotations where the built rule named a node differently."""
    if not draft.refs:
        return rule
    new_refs = [str(node.ref_id) for node in rule.data]
    mapping = {old: new for old, new in zip(draft.refs, new_refs) if old != new}
    if not mapping:
        return rule

    def rewrite(text: str | None) -> str | None:
        if text is None:
            return None
        return _VALUES_REF.sub(lambda m: f"$values.{mapping.get(m.group(1), m.group(1))}", text)

    return replace(
        rule,
        queries=() if rule.query is not None else rule.queries,
        summary=rewrite(rule.summary),
        description=rewrite(rule.description),
        labels={k: rewrite(v) for k, v in rule.labels.items()},
        annotations={k: rewrite(v) for k, v in rule.annotations.items()},
    )


def _groups(imported: list[ImportedRule], comments: dict[str, tuple[str, ...]]) -> list[GroupCode]:
    grouped: dict[tuple[str, str], list[ImportedRule]] = {}
    for item in imported:
        grouped.setdefault((item.folder, item.group), []).append(item)
    return [
        GroupCode(name=group, folder=folder, interval=items[0].interval, rules=tuple(i.rule for i in items),
                  comments={i.rule.uid: comments[i.rule.uid] for i in items if i.rule.uid in comments})
        for (folder, group), items in grouped.items()
    ]
