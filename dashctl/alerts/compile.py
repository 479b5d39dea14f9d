"""Compile one environment's alerting definitions into Grafana's alerting file-provisioning structures.

Builds every @rule_group, @slo, @contact_points, @notification_policy, @message_templates and @mute_timings
definition for the environment, resolves logical datasource names and dashboard links, validates every query,
and checks the relations between the objects in one pass, collecting every problem: unique rule uids, unique
titles per folder, one policy tree, receivers, timings and templates that exist, no literal secret anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dashctl.alerts import definitions as kinds
from dashctl.interpolation import escape_value, escape_values
from dashctl.alerts.model import (
    AlertRule,
    DashboardPanel,
    LogQL,
    Math,
    PromQL,
    Reduce,
    RuleGroup,
    ThresholdExpression,
)
from dashctl.alerts.notification import ContactPoint, MessageTemplate, used_templates
from dashctl.alerts.policy import MuteTiming, NotificationPolicy
from dashctl.credentials import scan_for_secrets
from dashctl.alerts.service_level import SLO, slo_rule_group
from dashctl.definitions import Definition, relative_location
from dashctl.durations import canonical_duration
from dashctl.errors import DefinitionError, DefinitionErrors, QuerySyntaxError, SourceLocation
from dashctl.project.config import Project
from dashctl.project.discovery import Discovery, error_from_exception
from dashctl.project.environment import Environment

__all__ = ["CompiledAlerting", "CompiledGroup", "CompiledRule", "EXPRESSION_DATASOURCE", "compile_alerting"]

EXPRESSION_DATASOURCE = "__expr__"
ORG_ID = 1
# Grafana's defaults for alert queries, written out so the file and what Grafana stores compare equal.
_MAX_DATA_POINTS = 43200
_INSTANT_INTERVAL_MS = 1000
_LANGUAGE_OF_TYPE = {"prometheus": "PromQL", "loki": "LogQL"}


@dataclass(frozen=True, kw_only=True)
class CompiledRule:
    """A rule ready for the file: the typed rule, its group, and the `rules[]` entry Grafana reads."""

    rule: AlertRule
    folder: str
    group: str
    labels: dict[str, str]
    provisioning: dict[str, Any]
    datasources: dict[str, tuple[str, str]]  # refId -> (uid, type)
    definition: str
    location: SourceLocation

    @property
    def uid(self) -> str:
        return self.rule.uid

    @property
    def title(self) -> str:
        return self.rule.title


@dataclass(frozen=True, kw_only=True)
class CompiledGroup:
    """A rule group ready for the file."""

    name: str
    folder: str
    interval: str
    rules: tuple[CompiledRule, ...]
    definition: str
    location: SourceLocation

    def to_provisioning(self) -> dict[str, Any]:
        """The `groups[]` entry; `folder` is the folder's title, created by Grafana when missing."""
        return {
            "orgId": ORG_ID,
            "name": escape_value(self.name),
            "folder": escape_value(self.folder),
            "interval": self.interval,
            "rules": [rule.provisioning for rule in self.rules],
        }


@dataclass(frozen=True, kw_only=True)
class CompiledAlerting:
    """Everything alerting of one environment, typed and as Grafana's files hold it (for packaging, preview, diff).

    Strings in the provisioning dicts are written for Grafana's file interpolation: in titles, labels, group and
    folder names, contact-point settings and policies a literal `$` is doubled (`dashctl.alerts.interpolation`).
    """

    environment: str
    groups: tuple[CompiledGroup, ...] = ()
    contact_points: tuple[ContactPoint, ...] = ()
    policy: NotificationPolicy | None = None
    templates: tuple[MessageTemplate, ...] = ()
    mute_timings: tuple[MuteTiming, ...] = ()
    tombstones: Any = None  # dashctl.alerts.tombstones.Tombstones, set by the build section

    @property
    def rules(self) -> tuple[CompiledRule, ...]:
        return tuple(rule for group in self.groups for rule in group.rules)

    def contact_points_provisioning(self) -> list[dict[str, Any]]:
        return [point.to_provisioning(ORG_ID) for point in self.contact_points]

    def integration_uids(self) -> list[str]:
        return [uid for point in self.contact_points for uid in point.uids()]


def compile_alerting(
    project: Project, discovery: Discovery, environment: Environment
) -> tuple[CompiledAlerting, list[DefinitionError]]:
    """Build and compile the alerting definitions of `environment`; every problem is returned, none raised."""
    compiler = _Compiler(project, discovery, environment)
    return compiler.run(), compiler.problems


class _Compiler:
    def __init__(self, project: Project, discovery: Discovery, environment: Environment):
        self.project = project
        self.discovery = discovery
        self.environment = environment
        self.problems: list[DefinitionError] = []
        self._dashboards: dict[str, Any] = {}
        self._relative: dict[str, str] = {}
        self._source: Any = None

    def relative(self, location: SourceLocation) -> SourceLocation:
        """`relative_location`, remembered per file: resolving paths for every one of thousands of rules adds up."""
        if location.file not in self._relative:
            self._relative[location.file] = relative_location(SourceLocation(file=location.file),
                                                              self.project.root).file
        return SourceLocation(file=self._relative[location.file], line=location.line)

    def expr_location(self, query: PromQL | LogQL) -> SourceLocation:
        """The line of the query's `expr=` (where the query is written, as lint reports it), else its call's."""
        return self.keyword_location(query, "expr")

    def keyword_location(self, query: PromQL | LogQL, keyword: str) -> SourceLocation:
        """The line of `keyword=` (`expr`, `datasource`) in the query's call, else the call's."""
        return self._keyword_line(relative_location(query.location, self.project.root), keyword)

    def _keyword_line(self, call: SourceLocation, keyword: str) -> SourceLocation:
        from dashctl.lint.source import SourceIndex

        if self._source is None:
            self._source = SourceIndex(self.project.root)
        return self._source.keyword_location(call, keyword) or call

    # ---------------------------------------------------------------------------------------------- building

    def definitions(self, kind: str) -> list[Definition]:
        return [d for d in self.discovery.of_kind(kind) if d.applies_to(self.environment.name)]

    def call(self, definition: Definition) -> Any:
        """Run a definition for the environment; what user code raises becomes located problems."""
        try:
            return definition.build(self.environment)
        except DefinitionErrors as errors:
            for error in errors.errors:
                self.problems.append(self.locate(error, definition))
        except (Exception, SystemExit) as error:  # user code: report with its file and line, go on with the rest
            located = error_from_exception(error, self.project.root, fallback=self.project.root /
                                           definition.location.file, definition=definition.label)
            self.problems.append(located.with_context(location=definition.location))
        return None

    def locate(self, error: DefinitionError, definition: Definition) -> DefinitionError:
        located = error.with_context(location=definition.location, definition=definition.label)
        if located.location is not None:
            located.location = relative_location(located.location, self.project.root)
            if located.keyword is not None:  # at the line of `severity=`, not of the call that has it
                located.location = self._keyword_line(located.location, located.keyword)
        return located

    def report(self, message: str, *, location: SourceLocation | None, definition: str | None,
               hint: str | None = None) -> None:
        if location is not None:
            location = relative_location(location, self.project.root)
        self.problems.append(DefinitionError(message, location=location, definition=definition, hint=hint))

    def items(self, definition: Definition, built: Any, expected: type | tuple[type, ...], what: str) -> list[Any]:
        if built is None:
            return []
        items = list(built) if isinstance(built, (list, tuple)) else [built]
        good = []
        for item in items:
            if isinstance(item, expected):
                good.append(item)
            else:
                self.report(f"returned {type(item).__name__}, not {what}", location=definition.location,
                            definition=definition.label)
        return good

    # ---------------------------------------------------------------------------------------------- run

    def run(self) -> CompiledAlerting:
        groups = self.build_groups()
        compiled_groups = tuple(self.compile_group(group, definition) for group, definition in groups)
        self.check_rule_relations(compiled_groups)
        contact_points = self.collect(kinds.CONTACT_POINTS, ContactPoint, "a ContactPoint")
        templates = self.collect(kinds.MESSAGE_TEMPLATES, MessageTemplate, "a MessageTemplate")
        timings = self.collect(kinds.MUTE_TIMINGS, MuteTiming, "a MuteTiming")
        policy = self.build_policy()
        self.check_notifications(contact_points, policy, templates, timings)
        compiled = CompiledAlerting(
            environment=self.environment.name,
            groups=tuple(sorted(compiled_groups, key=lambda g: (g.folder, g.name))),
            contact_points=tuple(sorted(contact_points, key=lambda p: p.name)),
            policy=policy,
            templates=tuple(sorted(templates, key=lambda t: t.name)),
            mute_timings=tuple(sorted(timings, key=lambda m: m.name)),
        )
        self.check_secrets(compiled)
        return compiled

    def build_groups(self) -> list[tuple[RuleGroup, Definition]]:
        groups = []
        for definition in self.definitions(kinds.RULE_GROUP):
            rules = self.items(definition, self.call(definition), AlertRule, "an AlertRule")
            options = definition.options
            groups.append((RuleGroup(name=options["name"], folder=options["folder"], interval=options["interval"],
                                     team=options.get("team"), rules=rules, location=definition.location),
                           definition))
        for definition in self.definitions(kinds.SLO_KIND):
            for slo in self.items(definition, self.call(definition), SLO, "an SLO"):
                try:
                    group = slo_rule_group(slo, folder=definition.options["folder"],
                                           group=definition.options.get("group"),
                                           interval=definition.options["interval"])
                except DefinitionErrors as errors:
                    self.problems.extend(self.locate(error, definition) for error in errors.errors)
                    continue
                except DefinitionError as error:
                    self.problems.append(self.locate(error, definition))
                    continue
                groups.append((group, definition))
        return groups

    def collect(self, kind: str, expected: type, what: str) -> list[Any]:
        found = []
        for definition in self.definitions(kind):
            found.extend(self.items(definition, self.call(definition), expected, what))
        return found

    def build_policy(self) -> NotificationPolicy | None:
        found: list[tuple[NotificationPolicy, Definition]] = []
        for definition in self.definitions(kinds.NOTIFICATION_POLICY):
            for policy in self.items(definition, self.call(definition), NotificationPolicy, "a NotificationPolicy"):
                found.append((policy, definition))
        if len(found) > 1:
            first = found[0][1]
            for _, definition in found[1:]:
                self.report(
                    f"a second notification policy tree for environment {self.environment.name!r} "
                    f"(the first is {first.label} at {first.location})",
                    location=definition.location, definition=definition.label,
                    hint="Grafana keeps one policy tree per organisation and each file's tree replaces the whole "
                    "tree; declare one @notification_policy per environment (environments=[...])",
                )
        return found[0][0] if found else None

    # ---------------------------------------------------------------------------------------------- rules

    def compile_group(self, group: RuleGroup, definition: Definition) -> CompiledGroup:
        rules = []
        for rule in group.rules:
            compiled = self.compile_rule(rule, group, definition)
            if compiled is not None:
                rules.append(compiled)
        return CompiledGroup(name=group.name, folder=group.folder, interval=canonical_duration(group.interval),
                             rules=tuple(rules), definition=definition.label,
                             location=self.relative(definition.location))

    def compile_rule(self, rule: AlertRule, group: RuleGroup, definition: Definition) -> CompiledRule | None:
        where = f"alert rule {rule.uid!r}"
        location = rule.location
        count = len(self.problems)
        datasources: dict[str, tuple[str, str]] = {}
        data = []
        for node in rule.data:
            if isinstance(node, (PromQL, LogQL)):
                resolved = self.resolve_query(node, where)
                if resolved is None:
                    continue
                datasources[node.ref_id] = resolved
                data.append(_query_entry(node, resolved[0]))
            else:
                data.append(_expression_entry(node))
        labels = rule.all_labels(group.team)
        entry: dict[str, Any] = {
            "uid": rule.uid,
            "title": escape_value(rule.title),
            "condition": rule.condition_ref,
            "data": data,
            "for": canonical_duration(rule.for_),
            "noDataState": rule.no_data_state,
            "execErrState": rule.exec_err_state,
            "labels": escape_values(labels),
            "annotations": rule.all_annotations(),
        }
        if canonical_duration(rule.keep_firing_for) != "0s":
            entry["keepFiringFor"] = canonical_duration(rule.keep_firing_for)
        if rule.paused:
            entry["isPaused"] = True
        if rule.dashboard is not None:
            panel_id = self.resolve_panel(rule.dashboard, where, location)
            if panel_id is not None:
                entry["dashboardUid"] = rule.dashboard.uid
                entry["panelId"] = panel_id
        if len(self.problems) > count:
            return None
        return CompiledRule(rule=rule, folder=group.folder, group=group.name, labels=labels, provisioning=entry,
                            datasources=datasources, definition=definition.label,
                            location=self.relative(location))

    def resolve_query(self, query: PromQL | LogQL, where: str) -> tuple[str, str] | None:
        try:
            ref = self.environment.datasource(query.datasource)
        except DefinitionError as error:
            self.problems.append(error.with_context(location=self.keyword_location(query, "datasource"),
                                                    definition=f"{where} query {query.ref_id}"))
            return None
        language = _LANGUAGE_OF_TYPE.get(ref.type)
        if language != query.language:
            self.report(
                f"{query.language} query {query.ref_id} uses datasource {query.datasource!r}, which is a {ref.type} "
                "datasource",
                location=query.location, definition=where,
                hint=f"PromQL goes to a prometheus datasource (e.g. 'metrics'), LogQL to loki (e.g. 'logs')",
            )
            return None
        from dashctl.queries.macros import describe_uninterpolated, uninterpolated_variables
        from dashctl.queries.validation import check_query, validating_queries

        # Only Grafana's backend macros are replaced in an alert rule; lint reports the rest as
        # alert/query-variable, next to its other findings.
        unreplaced = uninterpolated_variables(query.expr, query.language) if validating_queries() else ()
        if unreplaced:
            message, hint = describe_uninterpolated(unreplaced[0], query.language)
            self.report(f"query {query.ref_id} {message}", location=self.expr_location(query), definition=where,
                        hint=hint)
            return None

        try:
            check_query(query.expr, query.language)
        except QuerySyntaxError as error:
            located = error.with_context(location=self.expr_location(query),
                                         definition=f"{where} query {query.ref_id}")
            self.problems.append(located)
            return None
        return ref.uid, ref.type

    def resolve_panel(self, link: DashboardPanel, where: str, location: SourceLocation) -> int | None:
        compiled = self.dashboard(link.uid)
        if compiled is None:
            known = sorted(d.options.get("uid") for d in self.definitions("dashboard"))
            self.report(
                f"links to dashboard {link.uid!r}, which environment {self.environment.name!r} does not have",
                location=link.location, definition=where, hint=f"dashboards: {', '.join(known) or 'none'}",
            )
            return None
        if compiled is False:
            return None  # the dashboard itself failed to compile; the dashboard build reports why
        panels = list(_panels(compiled.model.get("panels", [])))
        for panel in panels:
            if link.panel in (panel.get("title"), panel.get("id")):
                return int(panel["id"])
        titles = ", ".join(repr(p.get("title")) for p in panels if p.get("type") != "row")
        self.report(f"dashboard {link.uid!r} has no panel {link.panel!r}", location=link.location,
                    definition=where, hint=f"its panels: {titles}")
        return None

    def dashboard(self, uid: str) -> Any:
        """The compiled dashboard with this uid in this environment, False if it fails to compile, None if absent."""
        if uid not in self._dashboards:
            self._dashboards[uid] = None
            for definition in self.definitions("dashboard"):
                if definition.options.get("uid") != uid:
                    continue
                from dashctl.dashboards.compile import compile_dashboard

                try:
                    self._dashboards[uid] = compile_dashboard(definition, definition.build(self.environment),
                                                              self.environment)
                except Exception:  # noqa: BLE001 - the dashboard's own build reports its problems
                    self._dashboards[uid] = False
        return self._dashboards[uid]

    def check_rule_relations(self, groups: Iterable[CompiledGroup]) -> None:
        seen_uids: dict[str, CompiledRule] = {}
        seen_titles: dict[tuple[str, str], CompiledRule] = {}
        seen_groups: dict[tuple[str, str], CompiledGroup] = {}
        for group in groups:
            key = (group.folder, group.name)
            if key in seen_groups:
                first = seen_groups[key]
                self.report(
                    f"rule group {group.name!r} in folder {group.folder!r} is also declared by {first.definition} "
                    f"at {first.location}", location=group.location, definition=group.definition,
                    hint="a group is evaluated as a whole; give each @rule_group its own name",
                )
            seen_groups.setdefault(key, group)
            for rule in group.rules:
                first_rule = seen_uids.get(rule.uid)
                if first_rule is not None:
                    self.report(
                        f"duplicate alert rule uid {rule.uid!r}: also defined at {first_rule.location}",
                        location=rule.location, definition=f"alert rule {rule.uid!r}",
                        hint="a rule's uid is its identity in Grafana; make each one unique",
                    )
                seen_uids.setdefault(rule.uid, rule)
                if first_rule is not None:
                    continue  # a second copy of a rule also repeats its title: that follows from the uid
                title_key = (group.folder, rule.title)
                first_title = seen_titles.get(title_key)
                if first_title is not None:
                    self.report(
                        f"title {rule.title!r} is also used by rule {first_title.uid!r} ({first_title.location}) "
                        f"in folder {group.folder!r}", location=rule.location, definition=f"alert rule {rule.uid!r}",
                        hint="Grafana 11 rejects two rules with one title in a folder",
                    )
                seen_titles.setdefault(title_key, rule)

    # ---------------------------------------------------------------------------------------------- notifications

    def check_notifications(self, points: list[ContactPoint], policy: NotificationPolicy | None,
                            templates: list[MessageTemplate], timings: list[MuteTiming]) -> None:
        by_name = _unique(points, lambda p: p.name, "contact point", self.report)
        integration_uids: dict[str, ContactPoint] = {}
        for point in points:
            for uid in point.uids():
                if uid in integration_uids and integration_uids[uid] is not point:
                    self.report(f"integration uid {uid!r} is also used by contact point "
                                f"{integration_uids[uid].name!r}", location=point.location,
                                definition=f"contact point {point.name!r}", hint="give the integration uid=...")
                integration_uids.setdefault(uid, point)
        _unique(templates, lambda t: t.name, "message template", self.report)
        timing_names = _unique(timings, lambda m: m.name, "mute timing", self.report)
        defined_templates = {name for template in templates for name in template.defines}
        for point in points:
            for integration in point.integrations:
                for missing in sorted(used_templates(integration.settings()) - defined_templates):
                    self.report(f"{integration.type} integration uses template {missing!r}, which no "
                                "@message_templates defines", location=integration.location,
                                definition=f"contact point {point.name!r}",
                                hint=f"defined templates: {', '.join(sorted(defined_templates)) or 'none'}")
        if policy is None:
            return
        for receiver in policy.receivers():
            if receiver not in by_name:
                self.report(f"the policy routes to contact point {receiver!r}, which environment "
                            f"{self.environment.name!r} does not define", location=policy.location,
                            definition="notification policy",
                            hint=f"contact points: {', '.join(sorted(by_name)) or 'none'}")
        for name in policy.timings():
            if name not in timing_names:
                self.report(f"the policy names mute timing {name!r}, which environment "
                            f"{self.environment.name!r} does not define", location=policy.location,
                            definition="notification policy",
                            hint=f"mute timings: {', '.join(sorted(timing_names)) or 'none'}")

    def check_secrets(self, compiled: CompiledAlerting) -> None:
        for group in compiled.groups:
            for rule in group.rules:
                for path, kind in scan_for_secrets(rule.provisioning):
                    self.report(f"{path} contains {kind}", location=rule.location,
                                definition=f"alert rule {rule.uid!r}",
                                hint="secrets never go into alerting files; keep them in Grafana's environment")
        for point in compiled.contact_points:
            for finding in point.literal_secrets():
                self.report(finding, location=point.location, definition=f"contact point {point.name!r}",
                            hint="use env_secret('NAME') for every credential")
        if compiled.policy is not None:
            for path, kind in scan_for_secrets(compiled.policy.to_provisioning()):
                self.report(f"{path} contains {kind}", location=compiled.policy.location,
                            definition="notification policy")
        for timing in compiled.mute_timings:
            for path, kind in scan_for_secrets(timing.to_provisioning()):
                self.report(f"{path} contains {kind}", location=timing.location,
                            definition=f"mute timing {timing.name!r}")


def _unique(items: list[Any], key: Callable[[Any], str], what: str, report: Callable[..., None]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for item in items:
        name = key(item)
        if name in seen:
            report(f"{what} {name!r} is defined twice (first at {seen[name].location})", location=item.location,
                   definition=f"{what} {name!r}", hint="names identify them in Grafana; make each one unique")
        seen.setdefault(name, item)
    return seen


def _panels(panels: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _query_entry(query: PromQL | LogQL, datasource_uid: str) -> dict[str, Any]:
    """A datasource query of `data[]`; relativeTimeRange in seconds, as Grafana's AlertQuery stores it."""
    interval_ms = _INSTANT_INTERVAL_MS if query.instant else query.step_seconds * 1000
    model: dict[str, Any] = {
        "refId": query.ref_id,
        "expr": query.expr,
        "intervalMs": interval_ms,
        "maxDataPoints": _MAX_DATA_POINTS,
    }
    entry: dict[str, Any] = {
        "refId": query.ref_id,
        "datasourceUid": datasource_uid,
        "relativeTimeRange": {"from": query.window_seconds, "to": 0},
        "model": model,
    }
    if isinstance(query, PromQL):
        model.update(instant=query.instant, range=not query.instant)
    else:
        # Grafana copies a Loki model's queryType to the query's own queryType when it saves the rule.
        query_type = "instant" if query.instant else "range"
        model["queryType"] = query_type
        entry["queryType"] = query_type
    return entry


def _expression_entry(node: Reduce | ThresholdExpression | Math) -> dict[str, Any]:
    """A server-side expression of `data[]` (datasource `__expr__`, no time range)."""
    model: dict[str, Any] = {"refId": node.ref_id}
    if isinstance(node, Reduce):
        model.update(type="reduce", expression=node.input, reducer=node.reducer)
    elif isinstance(node, ThresholdExpression):
        model.update(type="threshold", expression=node.input,
                     conditions=[{"evaluator": {"type": node.evaluator, "params": list(node.params)}}])
    else:
        model.update(type="math", expression=node.expression)
    return {"refId": node.ref_id, "datasourceUid": EXPRESSION_DATASOURCE, "model": model}
