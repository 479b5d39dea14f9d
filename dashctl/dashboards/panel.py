"""A panel of any Grafana type, typed: its options, field config and overrides, as Grafana's JSON model holds them.

The per-type factories of `dashctl.panels` build these; a `Panel` goes into grafanalib's
`Dashboard(panels=[...])` next to grafanalib's own panels and dashctl's presets (it has `to_json_data()`, like
them), and the compiler resolves its datasource, validates its queries and lays it out like any other panel.

    FieldConfig(unit=units.SECONDS, thresholds=[(None, "green"), (0.5, "red")], custom={"lineWidth": 2})
    Override(matcher="byName", value="errors", properties={"color": {"mode": "fixed", "fixedColor": "red"}})

`FieldConfig` is Grafana's `fieldConfig.defaults` (unit, decimals, min/max, thresholds, value mappings, colour,
data links, and `custom`: the options of the panel type's own field config, such as a time series' line width);
`Override` one entry of `fieldConfig.overrides`, whose property ids are Grafana's (`unit`, `custom.lineWidth`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dashctl.dashboards.layout import default_size
from dashctl.definitions import caller_location
from dashctl.errors import DefinitionError, SourceLocation

if TYPE_CHECKING:  # dashctl.presets imports this module: at run time the names are needed only lazily
    from dashctl.presets.links import DataLink
    from dashctl.presets.variables import DatasourceSpec
    from dashctl.queries.logql_builder import LogQuery
    from dashctl.queries.promql import Expr

__all__ = [
    "FieldConfig", "Override", "Panel", "QUERY_SOURCE", "Query", "QueryLike", "QuerySource", "SourcedTarget",
    "field_config", "grid_pos", "legend", "one_of", "panel_targets", "reduce_options", "require_text", "tooltip",
]

_REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MATCHERS = ("byName", "byRegexp", "byType", "byFrameRefID", "byValue")


@dataclass(frozen=True, kw_only=True)
class Query:
    """One query of a panel: the expression, and the legend Grafana shows for its series (`{{route}}`)."""

    expr: Expr | LogQuery | str
    legend: str | None = None
    # Where the user's code built it (a preset's Query: the user's call of the preset), so that a problem with the
    # query points at the line that holds it, in build and lint alike.
    location: SourceLocation = field(default_factory=caller_location, compare=False, repr=False)

    def render(self) -> str:
        return self.expr if isinstance(self.expr, str) else str(self.expr)


QueryLike = "Query | Expr | LogQuery | str"
"""What a panel's `queries` take: a Query (with its legend), a PromQL/LogQL builder expression, or a string."""

QUERY_SOURCE = "__dashctl_query_source__"
"""The key under which a target carries its QuerySource through the compiler, which removes it."""


@dataclass(frozen=True, kw_only=True)
class QuerySource:
    """Where the user's code supplied a query: the call on `location`'s line (absolute file), and in it the
    `keyword=` argument (`expr` of a Query, or element `index` of a factory's `queries=` list) that holds it.

    The line is refined from the call to the argument only when a problem is reported (reading the file then).
    """

    location: SourceLocation
    keyword: str
    index: int | None = None


class SourcedTarget(dict):  # type: ignore[type-arg]
    """A target's JSON that remembers where its query was written (equal to the plain dict it holds)."""

    source: QuerySource | None = None


def panel_targets(queries: Sequence[QueryLike | Mapping[str, Any]], *, required: bool = True) -> list[dict[str, Any]]:
    """The panel's `targets`, with refIds A, B, ...; a Mapping is taken as a target of another datasource type
    (Tempo's `{"query": ..., "queryType": "traceql"}`) and only gets its refId."""
    if required and not queries:
        raise DefinitionError("a panel needs at least one query")
    if len(queries) > len(_REF_IDS):
        raise DefinitionError(f"a panel takes at most {len(_REF_IDS)} queries")
    targets: list[dict[str, Any]] = []
    called = caller_location()
    for index, (ref_id, query) in enumerate(zip(_REF_IDS, queries)):
        if isinstance(query, Mapping):
            targets.append({"refId": ref_id, **query})
            continue
        if isinstance(query, Query):
            source = QuerySource(location=query.location, keyword="expr")
        else:
            source = QuerySource(location=called, keyword="queries", index=index)
            query = Query(expr=query)
        target = SourcedTarget(expr=query.render(), refId=ref_id)
        target.source = source
        if query.legend:
            target["legendFormat"] = query.legend
        targets.append(target)
    return targets


def require_text(title: str, description: str, unit: str | None) -> None:
    """Every dashctl panel has a title and a description, and a unit where it shows numbers."""
    if not title:
        raise DefinitionError("a panel needs a title")
    if not description:
        raise DefinitionError(f"panel {title!r} needs a description", hint="say what it shows and how it is computed")
    if unit is not None and not unit:
        raise DefinitionError(f"panel {title!r} needs a unit", hint="use a constant of dashctl.dashboards.units")


def grid_pos(width: int | None, height: int | None, panel_type: str) -> dict[str, int] | None:
    """A gridPos of this size, the type's default size (layout.default_size) filling in what is not given; the
    auto layout (dashctl.dashboards.layout) computes x and y."""
    if width is None and height is None:
        return None
    default_width, default_height = default_size(panel_type)
    return {"h": height or default_height, "w": width or default_width, "x": 0, "y": 0}


@dataclass(frozen=True, kw_only=True)
class FieldConfig:
    """`fieldConfig.defaults`: how values are shown. `thresholds` are `(lower bound, colour)` steps, the first
    with no lower bound (`(None, "green")`); `color` is a colour mode (`thresholds`, `palette-classic`,
    `continuous-GrYlRd`, ...) or `fixed:<colour>`; `custom` holds the panel type's own field options."""

    unit: str | None = None
    decimals: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    thresholds: Sequence[tuple[float | None, str]] = ()
    percentage_thresholds: bool = False
    mappings: Sequence[Mapping[str, Any]] = ()
    color: str | None = None
    no_value: str | None = None
    display_name: str | None = None
    links: Sequence[DataLink] = ()
    custom: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in (("unit", self.unit), ("decimals", self.decimals), ("min", self.minimum),
                           ("max", self.maximum), ("noValue", self.no_value), ("displayName", self.display_name)):
            if value is not None:
                data[key] = value
        if self.thresholds:
            data["thresholds"] = {
                "mode": "percentage" if self.percentage_thresholds else "absolute",
                "steps": [{"color": color, "value": value} for value, color in self.thresholds],
            }
        if self.mappings:
            data["mappings"] = [dict(mapping) for mapping in self.mappings]
        if self.color:
            mode, _, fixed = self.color.partition(":")
            data["color"] = {"mode": mode, "fixedColor": fixed} if fixed else {"mode": mode}
        if self.links:
            data["links"] = [link.to_json_data() for link in self.links]
        if self.custom:
            data["custom"] = dict(self.custom)
        return data


@dataclass(frozen=True, kw_only=True)
class Override:
    """One `fieldConfig.overrides` entry: the fields `matcher` selects (`byName` "errors", `byRegexp` "5..",
    `byType` "number", `byFrameRefID` "B") get `properties` (Grafana's ids: `unit`, `custom.lineWidth`, `color`)."""

    matcher: str
    value: str
    properties: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.matcher not in _MATCHERS:
            raise DefinitionError(f"unknown override matcher {self.matcher!r}", hint=f"one of {', '.join(_MATCHERS)}")

    def to_json(self) -> dict[str, Any]:
        return {
            "matcher": {"id": self.matcher, "options": self.value},
            "properties": [{"id": key, "value": value} for key, value in self.properties.items()],
        }


@dataclass(frozen=True, kw_only=True)
class Panel:
    """A panel of type `type` (Grafana's plugin id) with its options and field config.

    `extra` is merged into the panel's JSON last (nested mappings key by key), for what the factories do not
    type: `extra={"options": {"legend": {"showLegend": False}}}`.
    """

    type: str
    title: str
    description: str
    datasource: DatasourceSpec | Mapping[str, str] | None = None
    targets: Sequence[Mapping[str, Any]] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    field_config: FieldConfig = field(default_factory=FieldConfig)
    overrides: Sequence[Override] = ()
    transformations: Sequence[Mapping[str, Any]] = ()
    links: Sequence[DataLink] = ()
    width: int | None = None
    height: int | None = None
    extra: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        require_text(self.title, self.description, None)
        if self.targets and self.datasource is None:
            raise DefinitionError(f"panel {self.title!r} has queries but no datasource",
                                  hint="datasource='metrics' (or another logical name)")

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "options": dict(self.options),
            "fieldConfig": {"defaults": self.field_config.to_json(),
                            "overrides": [override.to_json() for override in self.overrides]},
        }
        if self.datasource is not None:
            from dashctl.presets.variables import datasource_json

            data["datasource"] = datasource_json(self.datasource)
        if self.targets:
            data["targets"] = [dict(target) for target in self.targets]
        if self.transformations:
            data["transformations"] = [dict(item) for item in self.transformations]
        if self.links:
            data["links"] = [link.to_json_data() for link in self.links]
        grid = grid_pos(self.width, self.height, self.type)
        if grid is not None:
            data["gridPos"] = grid
        return _merge(data, self.extra or {})


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def reduce_options(reduce: str, *, all_values: bool = False, fields: str = "") -> dict[str, Any]:
    """`reduceOptions` of the single-value panels (stat, gauge, bar gauge, pie chart): one calculation."""
    return {"calcs": [reduce], "fields": fields, "values": all_values}


def one_of(name: str, value: str, allowed: Sequence[str]) -> str:
    """`value` if it is one of the `allowed` values Grafana knows for option `name`; else a DefinitionError."""
    if value not in allowed:
        import difflib

        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
        raise DefinitionError(f"{name}={value!r} is not one of Grafana's: {', '.join(allowed)}",
                              hint=f"did you mean {close[0]!r}?" if close else None)
    return value


def legend(mode: str, placement: str, *, calcs: Iterable[str] = ()) -> dict[str, Any]:
    """The `legend` option of graph panels: `mode` list, table or hidden; `placement` bottom or right."""
    one_of("legend_mode", mode, ("list", "table", "hidden"))
    return {"displayMode": mode, "placement": placement, "showLegend": mode != "hidden", "calcs": list(calcs)}


def tooltip(mode: str) -> dict[str, Any]:
    """The `tooltip` option: `single`, `multi` (every series, sorted by value) or `none`."""
    one_of("tooltip_mode", mode, ("single", "multi", "none"))
    return {"mode": mode, "sort": "desc" if mode == "multi" else "none"}


def field_config(field: FieldConfig, *, unit: str | None = None, thresholds: Sequence[tuple[float | None, str]] = (),
                 minimum: float | None = None, maximum: float | None = None, links: Sequence[DataLink] = (),
                 mappings: Sequence[Mapping[str, Any]] = (), custom: Mapping[str, Any] | None = None) -> FieldConfig:
    """`field` with the factory's own keywords laid over it (a keyword given wins over the same in `field`)."""
    changes: dict[str, Any] = {}
    for name, value in (("unit", unit), ("minimum", minimum), ("maximum", maximum)):
        if value is not None:
            changes[name] = value
    if thresholds:
        changes["thresholds"] = tuple(thresholds)
    if links:
        changes["links"] = (*field.links, *links)
    if mappings:
        changes["mappings"] = (*field.mappings, *mappings)
    if custom:
        changes["custom"] = {**custom, **field.custom}
    return replace(field, **changes) if changes else field
