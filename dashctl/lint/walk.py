"""The framework's walk over a build: every dashboard, panel, target, query and alert rule, as rules see them.

A rule declares its scope (`dashctl.lint.registry.Scope`) and receives the matching context, never the whole
build, as in grafana/dashboard-linter (`lint/rules.go`). Each context knows its environment, the object it is
about (for the finding's `object` and `panel`) and where in the user's code that object was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

from dashctl.credentials import string_leaves
from dashctl.definitions import relative_location
from dashctl.errors import QuerySyntaxError, SourceLocation
from dashctl.interpolation import unescape_value
from dashctl.lint.registry import Scope
from dashctl.lint.source import SourceIndex
from dashctl.project.environment import Environment

__all__ = [
    "AlertContext",
    "DashboardContext",
    "MIXED_DATASOURCE",
    "PanelContext",
    "QueryContext",
    "SettingsContext",
    "Subject",
    "walk_environment",
]

MIXED_DATASOURCE = "-- Mixed --"
_LANGUAGES = {"prometheus": "PromQL", "loki": "LogQL"}


@dataclass(frozen=True, kw_only=True)
class Subject:
    """What a finding is about and where: filled in by the context, completed by the rule's Problem."""

    location: SourceLocation
    anchors: tuple[SourceLocation, ...]
    object_kind: str | None = None
    object_uid: str | None = None
    panel_title: str | None = None
    panel_id: int | None = None
    query_ref: str | None = None
    query: str | None = None


# ---------------------------------------------------------------------------------------------------- dashboards


@dataclass(frozen=True, kw_only=True)
class DashboardContext:
    """A compiled dashboard (`dashctl.dashboards.compile.CompiledDashboard`) in one environment."""

    environment: Environment
    dashboard: Any
    source: SourceIndex

    @property
    def uid(self) -> str:
        return self.dashboard.uid

    @property
    def model(self) -> dict[str, Any]:
        """The dashboard JSON Grafana gets."""
        return self.dashboard.model

    @property
    def location(self) -> SourceLocation:
        """The line of the `@dashboard` decorator."""
        return self.dashboard.location

    @property
    def variables(self) -> list[dict[str, Any]]:
        return list(self.model.get("templating", {}).get("list", []))

    @cached_property
    def panels(self) -> tuple[PanelContext, ...]:
        """Every panel in order, rows included; the panels of a collapsed row follow it."""
        found = []

        def visit(panels: list[Any], row: dict[str, Any] | None) -> None:
            for panel in panels:
                if not isinstance(panel, dict):
                    continue
                found.append(PanelContext(dashboard=self, panel=panel, row=row))
                if panel.get("type") == "row":
                    visit(panel.get("panels", []), panel)

        visit(self.model.get("panels", []), None)
        return tuple(found)

    def subject(self) -> Subject:
        return Subject(location=self.location, anchors=(self.location,), object_kind="dashboard",
                       object_uid=self.uid)


@dataclass(frozen=True, kw_only=True)
class PanelContext:
    """One panel of a dashboard (`panel` is its JSON), and the collapsed row it sits in, if any."""

    dashboard: DashboardContext
    panel: dict[str, Any]
    row: dict[str, Any] | None = None

    @property
    def environment(self) -> Environment:
        return self.dashboard.environment

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or "")

    @property
    def id(self) -> int | None:
        return self.panel.get("id")

    @property
    def type(self) -> str:
        return str(self.panel.get("type") or "")

    @property
    def is_row(self) -> bool:
        return self.type == "row"

    @property
    def datasource(self) -> dict[str, Any] | None:
        reference = self.panel.get("datasource")
        return reference if isinstance(reference, dict) else None

    @property
    def targets(self) -> list[dict[str, Any]]:
        return [target for target in self.panel.get("targets", []) if isinstance(target, dict)]

    @property
    def field_defaults(self) -> dict[str, Any]:
        return self.panel.get("fieldConfig", {}).get("defaults", {})

    @cached_property
    def _locations(self) -> tuple[SourceLocation, tuple[SourceLocation, ...]]:
        own = self.dashboard.location
        found = self.dashboard.source.title_location(own.file, self.title, own.line) if self.title else None
        if found is None:
            # A preset's panel (red_row's): the user's call that made it, as its queries recorded it.
            sources = getattr(self.dashboard.dashboard, "query_sources", {})
            recorded = next((sources[key] for key in sorted(sources, key=str) if key[0] == self.id), None)
            if recorded is not None:
                call = relative_location(recorded.location, self.dashboard.source.root)
                return call, tuple(dict.fromkeys((call, own)))
            return own, (own,)
        title_line, call_line = found
        return title_line, tuple(dict.fromkeys((title_line, call_line, own)))

    @property
    def location(self) -> SourceLocation:
        """The `title="..."` line of the call that built the panel, when it can be told; else the decorator's."""
        return self._locations[0]

    @cached_property
    def _call(self) -> SourceLocation | None:
        """The call that built the panel: the one with its `title="..."`, else the panel factory's call that
        supplied its queries as recorded (`time_series(title=name, queries=[...])` in a helper)."""
        own = self.dashboard.location
        found = self.dashboard.source.title_location(own.file, self.title, own.line) if self.title else None
        if found is not None:
            return found[1]
        sources = getattr(self.dashboard.dashboard, "query_sources", {})
        recorded = next((sources[key] for key in sorted(sources, key=str)
                         if key[0] == self.id and sources[key].keyword == "queries"), None)
        return None if recorded is None else relative_location(recorded.location, self.dashboard.source.root)

    def keyword_location(self, *keywords: str) -> SourceLocation:
        """The line of the first of `keywords=` (`unit`, `format`) written in the call that built the panel: where
        a bad value of that option sits; else the panel's own location."""
        call = self._call
        for keyword in keywords if call is not None else ():
            line = self.dashboard.source.keyword_location(call, keyword)
            if line is not None:
                return line
        return self.location

    @cached_property
    def queries(self) -> tuple[QueryContext, ...]:
        """The panel's targets, each with the language its datasource speaks (None for other datasources, and for
        a query the definition marks `unvalidated`: no PromQL or LogQL rule looks into it)."""
        queries = []
        for index, target in enumerate(self.targets):
            reference = target.get("datasource") if isinstance(target.get("datasource"), dict) else self.datasource
            unvalidated = self.dashboard.dashboard.unvalidated_reason(self.id, index)
            language = None if unvalidated else _LANGUAGES.get(str((reference or {}).get("type") or ""))
            expr = target.get("expr")
            queries.append(QueryContext(
                environment=self.environment,
                expr=expr if isinstance(expr, str) else None,
                language=language,
                unvalidated=unvalidated,
                ref_id=str(target.get("refId") or ""),
                datasource=reference,
                panel=self,
                target=target,
                index=index,
            ))
        return tuple(queries)

    def subject(self) -> Subject:
        location, anchors = self._locations
        return Subject(location=location, anchors=anchors, object_kind="dashboard", object_uid=self.dashboard.uid,
                       panel_title=self.title or None, panel_id=self.id)


# ---------------------------------------------------------------------------------------------------- queries


@lru_cache(maxsize=8192)
def _parse(language: str, expr: str, experimental_functions: bool) -> tuple[Any, QuerySyntaxError | None]:
    try:
        if language == "PromQL":
            from dashctl.queries.promql import parse_promql

            return parse_promql(expr, experimental_functions=experimental_functions), None
        from dashctl.queries.logql import parse_logql

        return parse_logql(expr), None
    except QuerySyntaxError as error:
        return None, error


@dataclass(frozen=True, kw_only=True)
class QueryContext:
    """A query: a dashboard panel's target (`panel`, `target`) or an alert rule's datasource query (`alert`).

    `language` is `PromQL` or `LogQL`, or None for a target of another datasource; `parsed` is the syntax tree
    (`ParsedPromQL` or a LogQL `Expr`), None when the query does not parse (`syntax_error` says why).
    """

    environment: Environment
    expr: str | None
    language: str | None
    ref_id: str
    datasource: dict[str, Any] | None = None
    panel: PanelContext | None = None
    target: dict[str, Any] | None = None
    alert: AlertContext | None = None
    node: Any = None
    """The alert rule's `PromQL`/`LogQL` object, for an alert query."""
    index: int = 0
    """The target's position among its panel's targets."""
    unvalidated: str | None = None
    """Why the definition opted this query out of validation (`Target(unvalidated=...)`), when it did."""

    @property
    def in_dashboard(self) -> bool:
        return self.panel is not None

    @property
    def parsed(self) -> Any:
        if self.language is None or self.expr is None:
            return None
        return _parse(self.language, self.expr, self.environment.promql_experimental_functions)[0]

    @property
    def syntax_error(self) -> QuerySyntaxError | None:
        if self.language is None or self.expr is None:
            return None
        if self.panel is not None and not self.expr.strip():
            return None  # Grafana does not run a panel's empty query (the compiler does not validate it either)
        return _parse(self.language, self.expr, self.environment.promql_experimental_functions)[1]

    def subject(self) -> Subject:
        if self.panel is not None:
            base = self.panel.subject()
            dashboard = self.panel.dashboard
            recorded = getattr(dashboard.dashboard, "query_sources", {}).get((self.panel.id, self.ref_id))
            own = (dashboard.source.query_source_location(recorded) if recorded is not None
                   else dashboard.source.query_location(dashboard.location, self.panel.title, self.index))
            if own is not None:
                base = replace(base, location=own, anchors=tuple(dict.fromkeys((own, *base.anchors))))
        else:
            assert self.alert is not None
            base = self.alert.subject()
            if self.node is not None and getattr(self.node, "location", None) is not None:
                call = relative_location(self.node.location, self.alert.source.root)
                own = self.alert.source.keyword_location(call, "expr") or call
                base = Subject(location=own, anchors=tuple(dict.fromkeys((own, *base.anchors))),
                               object_kind=base.object_kind, object_uid=base.object_uid)
        return Subject(location=base.location, anchors=base.anchors, object_kind=base.object_kind,
                       object_uid=base.object_uid, panel_title=base.panel_title, panel_id=base.panel_id,
                       query_ref=self.ref_id or None, query=self.expr)


# ---------------------------------------------------------------------------------------------------- alerts


@dataclass(frozen=True, kw_only=True)
class AlertContext:
    """One compiled alert rule (`dashctl.alerts.compile.CompiledRule`) and its group, in one environment.

    `labels` and `annotations` are what Grafana gets (severity, team; summary, description, runbook_url); `rule`
    is the typed AlertRule they came from.
    """

    environment: Environment
    compiled: Any
    group: Any
    source: SourceIndex

    @property
    def rule(self) -> Any:
        return self.compiled.rule

    @property
    def uid(self) -> str:
        return self.compiled.uid

    @property
    def title(self) -> str:
        return self.compiled.provisioning.get("title", self.compiled.title)

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.compiled.labels)

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self.compiled.provisioning.get("annotations", {}))

    @property
    def pending(self) -> str:
        """The rule's `for`, as Grafana gets it (`5m`, `0s`)."""
        return str(self.compiled.provisioning.get("for", "0s"))

    @property
    def interval(self) -> str:
        """The group's evaluation interval."""
        return str(self.group.interval)

    @property
    def location(self) -> SourceLocation:
        """The line of the `AlertRule(` call (of the `SLO(` call for burn-rate rules)."""
        return relative_location(self.compiled.location, self.source.root)

    def keyword_location(self, keyword: str) -> SourceLocation:
        """The line of `keyword=` in the rule's call, e.g. `for_`; the call's own line when not written there."""
        return self.source.keyword_location(self.location, keyword) or self.location

    def located(self, location: Any) -> SourceLocation | None:
        """A location the model recorded (absolute), relative to the project like every finding's."""
        return None if location is None else relative_location(location, self.source.root)

    @cached_property
    def queries(self) -> tuple[QueryContext, ...]:
        queries = []
        for node in self.rule.datasource_queries:
            reference = self.compiled.datasources.get(node.ref_id)
            queries.append(QueryContext(
                environment=self.environment,
                expr=node.expr,
                language=node.language,
                ref_id=node.ref_id,
                datasource={"uid": reference[0], "type": reference[1]} if reference else None,
                alert=self,
                node=node,
            ))
        return tuple(queries)

    def subject(self) -> Subject:
        return Subject(location=self.location, anchors=(self.location,), object_kind="alert rule",
                       object_uid=self.uid)


# ---------------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True, kw_only=True)
class SettingsContext:
    """The values of a datasource, a contact point or a dashboard's links, as Grafana gets them.

    `values` maps a readable path (`jsonData.derivedFields[0].url`, `slack.title`, `links[0].url`) to each string
    leaf; `secure` holds the paths Grafana keeps encrypted (a datasource's secureJsonData), which must be
    references anyway.
    """

    environment: Environment
    kind: str
    name: str
    values: dict[str, str]
    location: SourceLocation
    panel: PanelContext | None = None
    dashboard: DashboardContext | None = None
    alerting: Any = None
    """For a contact point: the environment's compiled alerting (`dashctl.alerts.compile.CompiledAlerting`), whose
    notification policy decides whether anything reaches it."""
    source: SourceIndex | None = None

    def keyword_location(self, keyword: str) -> SourceLocation:
        """The line of `keyword=` in the call on this object's line (`name=` of a `ContactPoint(`), else that line."""
        found = self.source.keyword_location(self.location, keyword) if self.source is not None else None
        return found or self.location

    def subject(self) -> Subject:
        if self.panel is not None:
            return self.panel.subject()
        if self.dashboard is not None:
            return self.dashboard.subject()
        return Subject(location=self.location, anchors=(self.location,), object_kind=self.kind,
                       object_uid=self.name)


def _settings(build: Any, dashboards: list[DashboardContext], source: SourceIndex) -> Iterator[SettingsContext]:
    environment = build.environment
    for datasource in build.datasources:
        entry = {key: item for key, item in datasource.to_provisioning().items() if key != "secureJsonData"}
        # As the author wrote them: the provisioning entry has every `$` escaped for Grafana's interpolation.
        values = {path: unescape_value(value) for path, value in string_leaves(entry, "")}
        yield SettingsContext(environment=environment, kind="datasource", name=datasource.name, values=values,
                              location=datasource.location, source=source)
    alerting = build.extras.get("alerts")
    for point in getattr(alerting, "contact_points", ()):
        values = {path: value for integration in point.integrations
                  for path, value in string_leaves(integration.settings(), integration.type)}
        yield SettingsContext(environment=environment, kind="contact point", name=point.name, values=values,
                              location=relative_location(point.location, source.root), alerting=alerting,
                              source=source)
    for dashboard in dashboards:
        links = dict(string_leaves(dashboard.model.get("links", []), "links"))
        if links:
            yield SettingsContext(environment=environment, kind="dashboard", name=dashboard.uid, values=links,
                                  location=dashboard.location, dashboard=dashboard)
        for panel in dashboard.panels:
            links = {**dict(string_leaves(panel.panel.get("links", []), "links")),
                     **dict(string_leaves(panel.field_defaults.get("links", []), "fieldConfig.defaults.links"))}
            if links:
                yield SettingsContext(environment=environment, kind="dashboard", name=dashboard.uid, values=links,
                                      location=panel.location, panel=panel)


# ---------------------------------------------------------------------------------------------------- the walk


def walk_environment(build: Any, source: SourceIndex) -> Iterator[tuple[Scope, Any]]:
    """Every (scope, context) of one EnvironmentBuild, in a fixed order: dashboards, alert rules, settings."""
    environment = build.environment
    dashboards = []
    for dashboard in build.dashboards:
        context = DashboardContext(environment=environment, dashboard=dashboard, source=source)
        dashboards.append(context)
        yield Scope.DASHBOARD, context
        for panel in context.panels:
            yield Scope.PANEL, panel
            for query in panel.queries:
                yield Scope.TARGET, query
                if query.language is not None:
                    yield Scope.QUERY, query
    alerting = build.extras.get("alerts")
    for group in getattr(alerting, "groups", ()):
        for compiled in group.rules:
            alert = AlertContext(environment=environment, compiled=compiled, group=group, source=source)
            yield Scope.ALERT, alert
            for query in alert.queries:
                yield Scope.QUERY, query
    for settings in _settings(build, dashboards, source):
        yield Scope.SETTINGS, settings
