"""Compile a grafanalib Dashboard into the bare dashboard JSON model Grafana provisions.

Fixed uid, `id` null, current schemaVersion, only keys current Grafana knows, logical datasource names resolved
to the environment's uid, automatic grid layout and stable panel ids, every query validated.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dashctl.dashboards import model
from dashctl.dashboards.foundation import foundation_json, is_foundation_object
from dashctl.dashboards.generic import UNVALIDATED, VERBATIM
from dashctl.dashboards.layout import assign_layout
from dashctl.dashboards.panel import QUERY_SOURCE, QuerySource, SourcedTarget
from dashctl.definitions import Definition
from dashctl.errors import DefinitionError, DefinitionErrors, QuerySyntaxError, SourceLocation
from dashctl.project.environment import DatasourceRef, Environment

__all__ = [
    "CompiledDashboard",
    "UndefinedVariableUse",
    "UnvalidatedQuery",
    "compile_dashboard",
    "query_language",
    "spare_ref_ids",
    "undefined_variable_uses",
]

# grafanalib's default maxDataPoints; Grafana's own default (the panel's pixel width) draws far better graphs.
_GRAFANALIB_MAX_DATA_POINTS = 100
_MIXED = "-- Mixed --"


@dataclass(frozen=True, kw_only=True)
class UnvalidatedQuery:
    """A query the definition opted out of validation (`Target(unvalidated=reason)`): the panel (by its id in the
    compiled model), the query's position among the panel's targets, and the reason."""

    panel_id: int | None
    index: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class CompiledDashboard:
    """A dashboard ready to package: its JSON model and where it came from.

    `allowed_undefined_variables` and `unvalidated_queries` are the definition's opt-outs from the build's checks,
    kept for `dashctl lint` (they leave no trace in the model)."""

    uid: str
    title: str
    folder: str | None
    model: dict[str, Any]
    definition: str
    location: SourceLocation
    allowed_undefined_variables: tuple[str, ...] = ()
    unvalidated_queries: tuple[UnvalidatedQuery, ...] = ()
    query_sources: dict[tuple[int, str], QuerySource] = field(default_factory=dict, compare=False, repr=False)
    """(panel id, refId) -> where the user's code supplied that query, for the targets that know it (presets)."""

    def unvalidated_reason(self, panel_id: int | None, index: int) -> str | None:
        """Why the panel's `index`-th query is not validated, when it is not."""
        return next((query.reason for query in self.unvalidated_queries
                     if query.panel_id == panel_id and query.index == index), None)


@dataclass(frozen=True, kw_only=True)
class UndefinedVariableUse:
    """A `$name` that no template variable of the dashboard defines, and where it is used (`panel 'CPU' query A`,
    `variable 'x' query`; for a `repeat`, the panel)."""

    name: str
    where: str
    repeat: bool = False
    # For a panel's query: which one (its panel's id and title, its position), so that the build reports the use
    # at the line that holds the query.
    panel_id: int | None = None
    panel_title: str = ""
    index: int | None = None
    ref_id: str = ""

    @property
    def message(self) -> str:
        if self.repeat:
            return f"{self.where} repeats over ${self.name}, which no template variable defines"
        return f"{self.where} uses ${self.name}, which no template variable of this dashboard defines"


_QUERY_LANGUAGES = {"prometheus": "PromQL", "loki": "LogQL"}


def query_language(datasource_type: str | None) -> str | None:
    """The query language a datasource type speaks, when dashctl validates it."""
    return _QUERY_LANGUAGES.get(datasource_type or "")


def compile_dashboard(
    definition: Definition, built: Any, environment: Environment, *, validate_queries: bool = True
) -> CompiledDashboard:
    """Turn what a @dashboard function returned into Grafana's dashboard JSON for `environment`.

    `validate_queries=False` leaves invalid PromQL and LogQL in the model instead of raising: `dashctl lint`
    compiles that way and reports them as findings, next to everything else it finds.
    """
    uid = definition.options["uid"]
    label = f"dashboard {uid!r}"
    problems: list[DefinitionError] = []

    def report(message: str, hint: str | None = None, location: SourceLocation | None = None,
               value: object = None) -> None:
        problems.append(DefinitionError(message, location=location or definition.location, definition=label,
                                        hint=hint, value=value))

    raw = _to_json(built, definition, label)
    # A plain dict or a dashctl.dashboards.generic.Dashboard is Grafana's JSON as the author wants it (an import):
    # keep every key Grafana keeps and every explicit position. grafanalib's objects still get their legacy and
    # default keys cleaned.
    verbatim = isinstance(built, dict) or bool(raw.pop(VERBATIM, False))
    own_uid = raw.get("uid")
    if own_uid not in (None, "", uid):
        report(
            f"the Dashboard object says uid {own_uid!r} but @dashboard says {uid!r}",
            hint="set the uid once, in @dashboard(uid=...)",
        )
    if not raw.get("title"):
        report("the dashboard has no title", hint="Dashboard(title=...)")

    dashboard = {key: value for key, value in raw.items() if key in model.DASHBOARD_KEYS}
    dashboard.update(uid=uid, id=None, schemaVersion=model.SCHEMA_VERSION)
    dashboard.pop("version", None)  # Grafana owns the version; a fixed one would fight its save algorithm
    if not dashboard.get("description"):
        dashboard.pop("description", None)
    if not dashboard.get("gnetId"):
        dashboard.pop("gnetId", None)
    dashboard["timepicker"] = {
        key: value
        for key, value in dashboard.get("timepicker", {}).items()
        if key in model.TIMEPICKER_KEYS or (verbatim and key != VERBATIM)
    }
    dashboard.setdefault("annotations", {"list": []})
    dashboard.setdefault("links", [])

    variables = [
        _clean_variable(variable, verbatim=verbatim) for variable in dashboard.get("templating", {}).get("list", [])
    ]
    variable_types = {
        variable["name"]: variable.get("query") for variable in variables if variable.get("type") == "datasource"
    }
    resolver = _DatasourceResolver(environment, variable_types, report)
    for variable in variables:
        if "datasource" in variable and variable["datasource"] is not None:
            variable["datasource"] = resolver.resolve(variable["datasource"], f"variable {variable.get('name')!r}")
    dashboard["templating"] = {"list": variables}
    annotations = dashboard.get("annotations")
    if isinstance(annotations, dict) and isinstance(annotations.get("list"), list):
        # An annotation query's datasource by logical name (as `dashctl import` writes it) resolves like a panel's.
        dashboard["annotations"] = {**annotations, "list": [
            {**item, "datasource": resolver.resolve(item["datasource"], f"annotation {item.get('name')!r}")}
            if isinstance(item, dict) and isinstance(item.get("datasource"), str)
            and (item["datasource"] in environment.datasources or item["datasource"].startswith("$"))
            else item
            for item in annotations["list"]
        ]}

    manual = definition.options.get("layout") == "manual" or verbatim
    panels = [_clean_panel(panel, verbatim=verbatim) for panel in dashboard.get("panels", [])]
    panels = assign_layout(panels, manual=manual)
    validator = _QueryValidator(label, definition.location, problems, enabled=validate_queries,
                                source=_source_file(definition))
    dashboard["panels"] = [_resolve_panel(panel, resolver, validator) for panel in panels]
    allowed = tuple(definition.options.get("allow_undefined_variables") or ())
    _check_variables_defined(dashboard["panels"], variables, report, allowed, validator)

    if problems:
        raise DefinitionErrors(problems)
    return CompiledDashboard(
        uid=uid,
        title=dashboard["title"],
        folder=definition.options.get("folder"),
        model=dashboard,
        definition=label,
        location=definition.location,
        allowed_undefined_variables=allowed,
        unvalidated_queries=tuple(validator.unvalidated),
        query_sources=validator.sources,
    )


def _source_file(definition: Definition) -> str | None:
    """The absolute path of the file the definition's function is written in (its wrappers looked through)."""
    code = getattr(inspect.unwrap(definition.build), "__code__", None)
    return None if code is None else code.co_filename


def _to_json(built: Any, definition: Definition, label: str) -> dict[str, Any]:
    if isinstance(built, dict):
        data = _drop_none(built)  # also a copy: the user's dict is never changed
    elif is_foundation_object(built):
        data = foundation_json(built, label=label)
    elif hasattr(built, "to_json_data"):
        data = _plain(built)
    else:
        raise DefinitionError(
            f"returned {type(built).__name__}, not a dashboard",
            location=definition.location,
            definition=label,
            hint="return grafanalib.core.Dashboard(title=..., panels=[...]), a grafana-foundation-sdk dashboard "
            "(builder or model), or the dashboard JSON as a dict",
        )
    if not isinstance(data, dict):
        raise DefinitionError("did not produce a JSON object", location=definition.location, definition=label)
    return data


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """grafanalib objects as plain, independent dicts and lists without null members, in one walk.

    What grafanalib's JSON encoder does (to_json_data on every object), without a JSON round trip: encoding and
    parsing back cost as much again as the walk.
    """
    kind = type(value)
    if kind is dict:
        # A loop, not a comprehension (a frame of its own per dict), and each leaf (most of the tree) taken as it
        # is without a call: 13% of the walk.
        plain: dict[Any, Any] = {}
        for key, item in value.items():
            if item is not None:
                plain[key] = item if type(item) in _LEAVES else _plain(item)
        return plain
    if kind in _LEAVES:
        return value
    if kind is list:
        return [item if type(item) in _LEAVES else _plain(item) for item in value]
    if isinstance(value, dict):
        plain = {key: _plain(item) for key, item in value.items() if item is not None}
        if kind is SourcedTarget and value.source is not None:
            plain[QUERY_SOURCE] = value.source
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "to_json_data"):
        return _plain(value.to_json_data())
    return value


def _without_none(members: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}


def _drop_none(value: Any) -> Any:
    """Remove null members: grafanalib writes null for every unset option, which the schema rejects."""
    if isinstance(value, dict):
        return {key: _drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_none(item) for item in value]
    return value


def _clean_variable(variable: dict[str, Any], *, verbatim: bool = False) -> dict[str, Any]:
    verbatim = verbatim or bool(variable.get(VERBATIM))
    return {
        key: value
        for key, value in variable.items()
        if (key in model.VARIABLE_KEYS or (verbatim and key not in model.LEGACY_VARIABLE_KEYS))
        and value is not None and key != VERBATIM
    }


_UNSET_WHEN_EMPTY: dict[str, Any] = {
    "description": "", "interval": "", "timeFrom": "", "timeShift": "", "repeat": "", "repeatDirection": "",
    "transparent": False, "hideTimeOverride": False, "links": [], "transformations": [],
}
_FLAGS = frozenset({"transparent", "hideTimeOverride"})


def _clean_panel(panel: dict[str, Any], *, verbatim: bool = False) -> dict[str, Any]:
    verbatim = bool(panel.get(VERBATIM)) or verbatim
    allowed = model.ROW_KEYS if panel.get("type") == "row" else model.PANEL_KEYS
    if verbatim:
        legacy = model.LEGACY_PANEL_KEYS
        cleaned = {key: value for key, value in panel.items()
                   if (key in allowed or key not in legacy) and value is not None}
    else:
        cleaned = {key: value for key, value in panel.items() if key in allowed and value is not None}
    if cleaned.get("type") == "row":
        cleaned.setdefault("collapsed", False)
        cleaned["panels"] = [_clean_panel(child, verbatim=verbatim) for child in cleaned.get("panels", [])]
        return cleaned
    if cleaned.get("maxDataPoints") == _GRAFANALIB_MAX_DATA_POINTS and not verbatim:
        del cleaned["maxDataPoints"]
    # No member is null by now: each of these goes when it is empty ("", False, []).
    for key in _UNSET_WHEN_EMPTY.keys() & cleaned.keys():
        value = cleaned[key]
        if value is False if key in _FLAGS else value == _UNSET_WHEN_EMPTY[key]:
            del cleaned[key]
    if "fieldConfig" in cleaned:
        cleaned["fieldConfig"] = {
            "defaults": cleaned["fieldConfig"].get("defaults", {}),
            "overrides": cleaned["fieldConfig"].get("overrides", []),
        }
        steps = cleaned["fieldConfig"]["defaults"].get("thresholds", {}).get("steps")
        if steps and isinstance(steps[0], dict) and "value" not in steps[0]:
            # The base step's value is null (-Infinity; Grafana's validateFieldConfig), which the schema requires.
            steps[0] = {**steps[0], "value": None}
    if "targets" in cleaned:
        cleaned["targets"] = _clean_targets(cleaned["targets"], verbatim=verbatim)
    return cleaned


def _clean_targets(targets: list[Any], *, verbatim: bool = False) -> list[dict[str, Any]]:
    cleaned = []
    spare = None  # made only when a target lacks a refId: nearly all have one
    legacy = model.LEGACY_TARGET_KEYS
    for target in targets:
        # `query` is legacy beside a PromQL/LogQL `expr`, but the query itself for Tempo (TraceQL) and others;
        # and verbatim JSON (an import) keeps all its keys, `step` included.
        if verbatim or target.get(VERBATIM):
            target = {key: value for key, value in target.items() if key != VERBATIM}
        else:
            target = {key: value for key, value in target.items()
                      if key not in legacy or (key == "query" and value and "expr" not in target)}
        for key in ("interval", "legendFormat"):
            if target.get(key) == "":
                del target[key]
        if target.get("hide") is False:
            del target["hide"]
        if not target.get("refId"):
            spare = spare or spare_ref_ids(targets)
            target["refId"] = next(spare)
        cleaned.append(target)
    return cleaned


def spare_ref_ids(targets: list[Any]) -> Iterator[str]:
    """The refIds Grafana gives queries that have none, in order: the letters the others do not use
    (PanelModel.ensureQueryIds)."""
    used = {target.get("refId") for target in targets if isinstance(target, dict)}
    return (letter for letter in (chr(code) for code in range(ord("A"), ord("Z") + 1)) if letter not in used)


class _DatasourceResolver:
    """Resolves logical datasource names (`metrics`, `logs`) and datasource variables to {type, uid}."""

    def __init__(
        self, environment: Environment, variable_types: dict[str, Any], report: Callable[..., None]
    ) -> None:
        self.environment = environment
        self.variable_types = variable_types
        self.report = report

    def resolve(self, reference: Any, where: str,
                locate: Callable[[], SourceLocation | None] | None = None) -> dict[str, str] | None:
        """{type, uid} of `reference`; a problem is reported at `locate()` (the line that names the datasource)
        when given, worked out only then because it reads the source."""
        if type(reference) is str and reference in self.environment.datasources:  # nearly every panel's
            return self.environment.datasources[reference].to_json()
        if locate is not None:
            report = self.report
            self.report = lambda message, hint=None, value=None: report(  # type: ignore[method-assign]
                message, hint, locate(), value)
            try:
                return self.resolve(reference, where)
            finally:
                self.report = report
        if reference is None:
            return None
        if isinstance(reference, str):
            reference = {"uid": reference}
        if not isinstance(reference, dict) or not isinstance(reference.get("uid"), str):
            self.report(f"{where}: datasource {reference!r} is neither a logical name nor {{'uid': ...}}")
            return None
        uid = reference["uid"]
        if uid == _MIXED:
            return {"type": "datasource", "uid": _MIXED}
        if uid.startswith("$"):
            name = uid.strip("${}").split(":")[0]
            if name not in self.variable_types:
                self.report(
                    f"{where}: datasource {uid!r} refers to no datasource variable of this dashboard",
                    hint=f"add a template variable named {name!r} of type 'datasource'",
                )
                return None
            return {"type": str(self.variable_types[name]), "uid": uid}
        if uid in self.environment.datasources:
            return self.environment.datasources[uid].to_json()
        if "type" in reference:
            # An explicit {type, uid} names a datasource Grafana already has (e.g. one kube-prometheus-stack made).
            return {"type": reference["type"], "uid": uid}
        known = ", ".join(sorted(self.environment.datasources)) or "none"
        self.report(
            # No environment in the message: the problem is marked with every environment it is met in.
            f"{where}: datasource {uid!r} does not resolve (logical datasources: {known})",
            hint=self.environment.datasource_hint(uid),
            value=uid,
        )
        return None


class _QueryValidator:
    """Validates each target's query with the parser of its datasource's language, collecting every failure."""

    def __init__(
        self, label: str, location: SourceLocation, problems: list[DefinitionError], *, enabled: bool = True,
        source: str | None = None,
    ) -> None:
        self.label = label
        self.location = location
        self.source = source  # the definition's file, absolute, to find the query's own line in
        self.problems = problems
        self.enabled = enabled
        self.unvalidated: list[UnvalidatedQuery] = []
        self.sources: dict[tuple[int, str], QuerySource] = {}

    def check(self, ref: dict[str, str] | None, target: dict[str, Any], panel_title: str, index: int = 0,
              source: QuerySource | None = None) -> None:
        language = query_language(ref.get("type") if ref else None)
        expr = target.get("expr")
        if not self.enabled or language is None or not isinstance(expr, str) or not expr.strip():
            return  # Grafana does not run an empty query (the Prometheus and Loki datasources filter it out)
        from dashctl.queries.validation import check_query

        try:
            check_query(expr, language)
        except QuerySyntaxError as error:
            where = f"{self.label} panel {panel_title!r} query {target.get('refId')}"
            self.problems.append(error.with_context(location=self.query_location(panel_title, index, source),
                                                    definition=where))

    def skip(self, ref: dict[str, str] | None, target: dict[str, Any], panel_title: str, index: int, *,
             panel_id: int | None, reason: str, source: QuerySource | None = None) -> None:
        """Carry a query marked `unvalidated` as it is; once it validates, the mark is reported (it would hide
        the next mistake in that query)."""
        self.unvalidated.append(UnvalidatedQuery(panel_id=panel_id, index=index, reason=reason))
        language = query_language(ref.get("type") if ref else None)
        expr = target.get("expr")
        if not self.enabled or language is None or not isinstance(expr, str) or not expr.strip():
            return
        from dashctl.queries.promql.dialect import experimental_functions
        from dashctl.queries.validation import check_query

        try:
            # As the strictest Prometheus would: the verdict is the same in every environment, whichever enables
            # experimental functions, so that removing the mark never breaks another environment's build.
            with experimental_functions(enabled=False):
                check_query(expr, language)
        except QuerySyntaxError:
            return
        self.problems.append(DefinitionError(
            f"query {target.get('refId')} is marked unvalidated ({reason}), but it is valid {language}",
            location=self.query_location(panel_title, index, source),
            definition=f"{self.label} panel {panel_title!r}",
            hint="remove unvalidated=... from the Target so that the build checks the query again",
        ))

    def option_location(self, panel: dict[str, Any], keywords: tuple[str, ...] = ("dataSource", "datasource")
                        ) -> SourceLocation | None:
        """The line of the `dataSource=` (or another option) of the call that built `panel`: found by the panel's
        title in the definition's file, else in the panel factory's call that supplied its queries (a preset)."""
        if self.source is None:
            return None
        from dashctl.definitions import relative_location
        from dashctl.lint.source import SourceIndex

        root = self._root()
        if root is None:
            return None
        index = SourceIndex(root)
        calls = []
        title = panel.get("title")
        found = index.title_location(self.location.file, title, self.location.line) if title else None
        if found is not None:
            calls.append(found[1])
        for target in panel.get("targets", []):
            source = target.get(QUERY_SOURCE) if isinstance(target, dict) else None
            if source is not None and source.keyword == "queries":
                calls.append(relative_location(source.location, root))
        for call in calls:
            for keyword in keywords:
                line = index.keyword_location(call, keyword)
                if line is not None:
                    return line
        return calls[0] if calls else None

    def query_location(self, panel_title: str, index: int, source: QuerySource | None = None) -> SourceLocation:
        """The line that holds the query (as lint reports it), else the decorator's."""
        if self.source is None:
            return self.location
        from dashctl.lint.source import SourceIndex

        absolute = SourceLocation(file=self.source, line=self.location.line)
        root = self._root()
        if root is None:  # a definition not located inside a project (made in a test): its own file only
            found = SourceIndex(Path(self.source).parent).query_location(absolute, panel_title, index)
            return self.location if found is None else SourceLocation(file=self.location.file, line=found.line)
        index_ = SourceIndex(root)
        found = index_.query_source_location(source) if source is not None else None
        if found is None:
            found = index_.query_location(absolute, panel_title, index)
        from dashctl.definitions import relative_location

        return self.location if found is None else relative_location(found, root)

    def _root(self) -> Path | None:
        """The project's root: the definition's absolute file less its path relative to the root (None when the
        definition's location is not such a path)."""
        relative = Path(self.location.file).parts
        source = Path(self.source or "")
        if not relative or Path(self.location.file).is_absolute() or source.parts[-len(relative):] != relative:
            return None
        return source.parents[len(relative) - 1]


# A reference that may name a dashboard variable: `$x`, `${x`, `[[x`, but not Grafana's `$__...`.
_USER_VARIABLE = re.compile(r"\$(?!__)\w|\$\{(?!__)|\[\[(?!__)")


def undefined_variable_uses(
    panels: list[dict[str, Any]], variables: list[dict[str, Any]]
) -> Iterator[UndefinedVariableUse]:
    """Every `$name` a query, a variable's query, a link or a repeat uses that no template variable defines.

    Grafana leaves an undefined `$name` in the query as written, so the panel silently shows nothing. Grafana's
    own variables (`$__rate_interval`, `${__field.labels.x}`) are not user variables; inside a panel (or row)
    that repeats over a variable, that variable is set for each copy.
    """
    from dashctl.queries.variables import variable_names

    defined = {variable.get("name") for variable in variables}

    def check(text: Any, where: str, known: set[Any]) -> Iterator[UndefinedVariableUse]:
        if not isinstance(text, str) or not _USER_VARIABLE.search(text):
            return  # most queries use only Grafana's own variables: skip the full scan
        for name in variable_names(text):
            if name not in known:
                yield UndefinedVariableUse(name=name, where=where)

    for variable in variables:
        yield from check(variable.get("query"), f"variable {variable.get('name')!r} query", defined)

    def walk(panel: dict[str, Any], known: set[Any]) -> Iterator[UndefinedVariableUse]:
        title = panel.get("title") or f"#{panel.get('id')}"
        repeat = panel.get("repeat")
        if repeat:
            if repeat not in defined:
                yield UndefinedVariableUse(name=repeat, where=f"panel {title!r}", repeat=True)
            known = known | {repeat}
        # `or []`, `isinstance`: the importer asks about Grafana's JSON as it came, nulls and all.
        for index, target in enumerate(panel.get("targets") or []):
            # The text checked here first: most queries use no user variable, so no description is worth making.
            if isinstance(target, dict) and isinstance(target.get("expr"), str) \
                    and _USER_VARIABLE.search(target["expr"]):
                for use in check(target["expr"], f"panel {title!r} query {target.get('refId')}", known):
                    yield replace(use, panel_id=panel.get("id"), panel_title=str(panel.get("title") or ""),
                                  index=index, ref_id=str(target.get("refId") or ""))
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        for link in [*(panel.get("links") or []), *(defaults.get("links") or [])]:
            if isinstance(link, dict):
                yield from check(link.get("url"), f"panel {title!r} link {link.get('title')!r}", known)
        for child in panel.get("panels") or []:
            if isinstance(child, dict):
                yield from walk(child, known)

    for panel in panels:
        yield from walk(panel, defined)


def _check_variables_defined(
    panels: list[dict[str, Any]], variables: list[dict[str, Any]], report: Callable[..., None],
    allowed: tuple[str, ...] = (),
    validator: _QueryValidator | None = None,
) -> None:
    """Report every undefined `$name` but those `@dashboard(allow_undefined_variables=...)` lists, and each listed
    name that a template variable defines or nothing uses (an opt-out must not outlive its reason)."""
    hint = (
        "define it in Dashboard(templating=Templating(list=[...])), e.g. with dashctl.presets.variables "
        "(constant, label_values, textbox), or take it out of the query"
    )
    used: set[str] = set()
    for use in undefined_variable_uses(panels, variables):
        if use.name in allowed:
            used.add(use.name)
        elif use.index is not None and validator is not None:
            # At the line that holds the query, as a query that does not parse.
            source = validator.sources.get((use.panel_id, use.ref_id)) if use.panel_id is not None else None
            report(use.message, hint=hint, location=validator.query_location(use.panel_title, use.index, source))
        else:
            report(use.message, hint=hint)
    defined = {variable.get("name") for variable in variables}
    for name in allowed:
        if name in defined:
            report(f"allow_undefined_variables lists {name!r}, but a template variable defines ${name}",
                   hint=f"take {name!r} out of @dashboard(allow_undefined_variables=...)")
        elif name not in used:
            report(f"allow_undefined_variables lists {name!r}, but nothing in the dashboard uses ${name}",
                   hint=f"take {name!r} out of @dashboard(allow_undefined_variables=...)")


def _resolve_panel(panel: dict[str, Any], resolver: _DatasourceResolver, validator: _QueryValidator) -> dict[str, Any]:
    title = panel.get("title") or f"#{panel.get('id')}"
    where = f"panel {title!r}"
    if panel.get("type") == "row":
        children = [_resolve_panel(child, resolver, validator) for child in panel.get("panels", [])]
        resolved = {**panel, "panels": children}
        if "datasource" in panel:
            resolved["datasource"] = resolver.resolve(panel["datasource"], where)
        return _without_none(resolved)
    resolved = panel  # assign_layout's copy, which nothing else holds
    panel_ref = resolver.resolve(panel.get("datasource"), where, lambda: validator.option_location(panel)) \
        if panel.get("datasource") is not None else None
    targets = []
    for target in panel.get("targets", []):  # _clean_targets' copies, which nothing else holds
        ref = resolver.resolve(target["datasource"], where) if target.get("datasource") else panel_ref
        if ref is None and panel.get("datasource") is None:
            resolver.report(
                f"{where} has queries but no datasource",
                hint="set dataSource='metrics' (or another logical name) on the panel",
            )
        source = target.pop(QUERY_SOURCE, None)
        if source is not None and "id" in panel:
            validator.sources[(panel["id"], str(target.get("refId") or ""))] = source
        reason = target.pop(UNVALIDATED, None)
        if reason is None:
            validator.check(ref, target, title, len(targets), source)
        else:
            validator.skip(ref, target, title, len(targets), panel_id=panel.get("id"), reason=str(reason),
                           source=source)
        # The panel and its targets hold no nulls by now (cleaned above): only a datasource can be unresolved.
        if ref is None:
            target.pop("datasource", None)
        else:
            target["datasource"] = ref
        targets.append(target)
    if targets:
        resolved["targets"] = targets
    if panel_ref is None:
        resolved.pop("datasource", None)
    else:
        resolved["datasource"] = panel_ref
    return resolved
