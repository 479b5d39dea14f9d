"""The typed escape hatch: any Grafana dashboard, row, panel or query, written as it is in Grafana's JSON model.

grafanalib's panel classes cover some panel types, each with defaults of their own; a panel type or a field they do
not cover (a plugin panel, a library panel, a Tempo query, a key a newer Grafana added) would be lost on the way.
These classes carry the common fields as typed, snake_case attributes and everything else verbatim in `extra`
(camelCase, as Grafana writes it), and the compiler keeps every key they emit (`VERBATIM`): what you write is
what Grafana gets. `dashctl import` writes imported dashboards with them:

    Panel(
        type="timeseries",
        title="Requests",
        datasource="metrics",
        grid_pos=GridPos(h=8, w=12, x=0, y=0),
        targets=[Target(ref_id="A", expr='sum(rate(http_requests_total[$__rate_interval]))', legend_format="rps")],
        field_config={"defaults": {"unit": "reqps"}, "overrides": []},
        options={"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
    )

A `datasource` is a logical name of the project (`"metrics"`), a datasource variable (`"$datasource"`), or an
explicit `{"type": ..., "uid": ...}` for a datasource the project does not define.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashctl.errors import DefinitionError

__all__ = ["Dashboard", "Panel", "Row", "Target", "UNVALIDATED", "VERBATIM", "Variable"]

VERBATIM = "__dashctlVerbatim__"
"""Marks JSON written by these classes: the compiler keeps all of its keys and removes the mark."""

UNVALIDATED = "__dashctlUnvalidated__"
"""Marks a query (`Target(unvalidated=reason)`) the compiler carries as it is, without validating it; the compiler
removes the mark and keeps the reason for `dashctl lint` (panel/unvalidated-query)."""

DatasourceSpec = str | Mapping[str, Any] | None


def _json(value: Any) -> Any:
    if hasattr(value, "to_json_data"):
        return _json(value.to_json_data())
    if isinstance(value, Mapping):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _members(pairs: Sequence[tuple[str, Any]], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    data = {key: _json(value) for key, value in pairs if value is not None}
    for key, value in (extra or {}).items():
        data[key] = _json(value)
    data[VERBATIM] = True
    return data


@dataclass(frozen=True, kw_only=True)
class Target:
    """One query of a panel: `ref_id`, the query text (`expr` for Prometheus and Loki), the legend, and any other
    field of the datasource's query model in `extra` (e.g. `{"query": ..., "queryType": "traceql"}` for Tempo).

    `unvalidated="why"` opts this query out of PromQL/LogQL validation: the build carries `expr` byte for byte
    (e.g. an imported query Prometheus itself rejects, which Grafana shows as an error), `dashctl lint` warns about
    it (panel/unvalidated-query), and the build reports the mark once the query validates."""

    ref_id: str | None = None
    expr: str | None = None
    legend_format: str | None = None
    datasource: DatasourceSpec = None
    extra: Mapping[str, Any] | None = None
    unvalidated: str | None = None

    def __post_init__(self) -> None:
        if self.unvalidated is not None and (not isinstance(self.unvalidated, str) or not self.unvalidated.strip()):
            raise DefinitionError("Target(unvalidated=...) must say why the query is not validated",
                                  hint='Target(expr=..., unvalidated="Prometheus rejects it: ...")')

    def to_json_data(self) -> dict[str, Any]:
        data = _members(
            [("refId", self.ref_id), ("expr", self.expr), ("legendFormat", self.legend_format),
             ("datasource", self.datasource)],
            self.extra,
        )
        if self.unvalidated is not None:
            data[UNVALIDATED] = self.unvalidated
        return data


@dataclass(frozen=True, kw_only=True)
class Variable:
    """A template variable of any type (`query`, `custom`, `datasource`, `interval`, `adhoc`, `textbox`,
    `constant`): its common fields typed, any other (`auto_min`, `filters`, ...) in `extra`. `query` is a string or,
    for some datasources, the query object Grafana stores."""

    name: str
    type: str
    label: str | None = None
    description: str | None = None
    query: Any = None
    datasource: DatasourceSpec = None
    definition: str | None = None
    regex: str | None = None
    refresh: int | None = None
    sort: int | None = None
    multi: bool | None = None
    include_all: bool | None = None
    all_value: str | None = None
    hide: int | None = None
    current: Mapping[str, Any] | None = None
    options: Sequence[Mapping[str, Any]] | None = None
    extra: Mapping[str, Any] | None = None

    def to_json_data(self) -> dict[str, Any]:
        return _members(
            [("name", self.name), ("type", self.type), ("label", self.label), ("description", self.description),
             ("query", self.query), ("datasource", self.datasource), ("definition", self.definition),
             ("regex", self.regex), ("refresh", self.refresh), ("sort", self.sort), ("multi", self.multi),
             ("includeAll", self.include_all), ("allValue", self.all_value), ("hide", self.hide),
             ("current", self.current), ("options", self.options)],
            self.extra,
        )


@dataclass(frozen=True, kw_only=True)
class Panel:
    """A panel of any type. `options` and `field_config` are the plugin's own JSON, as Grafana stores them;
    `extra` holds any other top-level key (a plugin panel's own settings, `libraryPanel`, `maxPerRow`, ...)."""

    type: str | None = None
    title: str | None = None
    description: str | None = None
    datasource: DatasourceSpec = None
    grid_pos: Any = None
    targets: Sequence[Target] | None = None
    options: Mapping[str, Any] | None = None
    field_config: Mapping[str, Any] | None = None
    transformations: Sequence[Mapping[str, Any]] | None = None
    links: Sequence[Mapping[str, Any]] | None = None
    repeat: str | None = None
    repeat_direction: str | None = None
    extra: Mapping[str, Any] | None = None

    def to_json_data(self) -> dict[str, Any]:
        return _members(
            [("type", self.type), ("title", self.title), ("description", self.description),
             ("datasource", self.datasource), ("gridPos", self.grid_pos),
             ("targets", list(self.targets) if self.targets is not None else None), ("options", self.options),
             ("fieldConfig", self.field_config), ("transformations", self.transformations),
             ("links", self.links), ("repeat", self.repeat), ("repeatDirection", self.repeat_direction)],
            self.extra,
        )


@dataclass(frozen=True, kw_only=True)
class Row:
    """A row: open (its panels follow it in the dashboard's list) or `collapsed` (it carries its `panels`)."""

    title: str = ""
    collapsed: bool = False
    grid_pos: Any = None
    panels: Sequence[Panel] = ()
    repeat: str | None = None
    datasource: DatasourceSpec = None
    extra: Mapping[str, Any] | None = None

    def to_json_data(self) -> dict[str, Any]:
        return _members(
            [("type", "row"), ("title", self.title), ("collapsed", self.collapsed), ("gridPos", self.grid_pos),
             ("panels", list(self.panels)), ("repeat", self.repeat), ("datasource", self.datasource)],
            self.extra,
        )


@dataclass(frozen=True, kw_only=True)
class Dashboard:
    """A whole dashboard: `templating`, `annotations` and `links` are Grafana's lists of variables, annotation
    queries and header links; `extra` holds any other top-level key (`fiscalYearStartMonth`, `liveNow`, ...).
    The uid comes from `@dashboard(uid=...)`."""

    title: str
    description: str | None = None
    tags: Sequence[str] = ()
    time: Any = None
    timezone: str | None = None
    refresh: str | bool | None = None
    timepicker: Mapping[str, Any] | None = None
    templating: Sequence[Variable | Mapping[str, Any]] = ()
    annotations: Sequence[Mapping[str, Any]] = ()
    links: Sequence[Mapping[str, Any]] = ()
    panels: Sequence[Panel | Row] = ()
    graph_tooltip: int | None = None
    editable: bool | None = None
    extra: Mapping[str, Any] | None = field(default=None)

    def to_json_data(self) -> dict[str, Any]:
        return _members(
            [("title", self.title), ("description", self.description), ("tags", list(self.tags)),
             ("time", self.time), ("timezone", self.timezone), ("refresh", self.refresh),
             ("timepicker", self.timepicker), ("templating", {"list": list(self.templating)}),
             ("annotations", {"list": list(self.annotations)}), ("links", list(self.links)),
             ("panels", list(self.panels)), ("graphTooltip", self.graph_tooltip), ("editable", self.editable)],
            self.extra,
        )
