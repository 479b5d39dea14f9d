"""Panels that show something other than numbers over time: logs, text, news, dashboard list, alert list, node
graph, traces, flame graph, geomap and canvas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashctl.dashboards.panel import (
    FieldConfig,
    Override,
    Panel,
    QueryLike,
    field_config,
    one_of,
    panel_targets,
    require_text,
)
from dashctl.errors import DefinitionError
from dashctl.presets.links import DataLink
from dashctl.presets.panels import logs_panel as logs
from dashctl.presets.variables import DatasourceSpec

__all__ = ["CanvasElement", "alert_list", "canvas", "dashboard_list", "flame_graph", "geomap", "logs", "news",
           "node_graph", "text", "traces"]


def text(
    *,
    title: str,
    description: str,
    content: str,
    mode: str = "markdown",
    code_language: str = "plaintext",
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Markdown (or `html`, or `code` in `code_language`): a note on how to read the dashboard, a runbook link."""
    require_text(title, description, None)
    one_of("mode", mode, ("markdown", "html", "code"))
    return Panel(
        type="text", title=title, description=description,
        options={"mode": mode, "content": content,
                 "code": {"language": code_language, "showLineNumbers": False, "showMiniMap": False}},
        width=width, height=height, extra=extra,
    )


def news(
    *,
    title: str,
    description: str,
    feed_url: str,
    show_image: bool = True,
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """The entries of an RSS or Atom feed (a status page, release notes); Grafana's server must reach `feed_url`."""
    require_text(title, description, None)
    if not feed_url.startswith(("https://", "http://")):
        raise DefinitionError(f"panel {title!r}: feed_url {feed_url!r} is not an http(s) URL")
    return Panel(type="news", title=title, description=description,
                 options={"feedUrl": feed_url, "showImage": show_image}, width=width, height=height, extra=extra)


def dashboard_list(
    *,
    title: str,
    description: str,
    search: bool = True,
    query: str = "",
    tags: Sequence[str] = (),
    folder_uid: str | None = None,
    starred: bool = False,
    recently_viewed: bool = False,
    max_items: int = 10,
    include_variables: bool = False,
    keep_time: bool = False,
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Links to dashboards: those a search finds (`query`, `tags`, `folder_uid`), starred, recently viewed;
    `include_variables` and `keep_time` carry this dashboard's variables and time range along."""
    require_text(title, description, None)
    options: dict[str, Any] = {
        "showSearch": search, "showStarred": starred, "showRecentlyViewed": recently_viewed, "showHeadings": True,
        "showFolderNames": True, "maxItems": max_items, "query": query, "tags": list(tags),
        "includeVars": include_variables, "keepTime": keep_time,
    }
    if folder_uid:
        options["folderUID"] = folder_uid
    return Panel(type="dashlist", title=title, description=description, options=options, width=width,
                 height=height, extra=extra)


_ALERT_STATES = ("firing", "pending", "noData", "normal", "error", "recovering")


def alert_list(
    *,
    title: str,
    description: str,
    states: Sequence[str] = ("firing", "pending"),
    view: str = "list",
    label_filter: str = "",
    name_filter: str = "",
    folder_uid: str | None = None,
    group_by: Sequence[str] = (),
    max_items: int = 20,
    this_dashboard_only: bool = False,
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Grafana-managed alerts in the given `states` (firing, pending, noData, normal, error, recovering), as a
    `list` or a `stat` count; `label_filter` is a matcher list (`team=checkout, severity=~"critical|warning"`)."""
    require_text(title, description, None)
    unknown = sorted(set(states) - set(_ALERT_STATES))
    if unknown:
        raise DefinitionError(f"panel {title!r}: unknown alert state(s) {', '.join(unknown)}",
                              hint=f"one of {', '.join(_ALERT_STATES)}")
    one_of("view", view, ("list", "stat"))
    options: dict[str, Any] = {
        "viewMode": view, "groupMode": "custom" if group_by else "default", "groupBy": list(group_by),
        "maxItems": max_items, "sortOrder": 1, "dashboardAlerts": this_dashboard_only, "alertName": name_filter,
        "alertInstanceLabelFilter": label_filter,
        "stateFilter": {state: state in states for state in _ALERT_STATES},
    }
    if folder_uid:
        options["folder"] = {"uid": folder_uid}
    return Panel(type="alertlist", title=title, description=description, options=options, width=width,
                 height=height, extra=extra)


def node_graph(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike | Mapping[str, Any]],
    node_unit: str | None = None,
    edge_unit: str | None = None,
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Nodes and the edges between them (a service graph): the queries return a nodes frame (id, title,
    mainstat...) and an edges frame (id, source, target); `node_unit` and `edge_unit` are their main stats'."""
    require_text(title, description, None)
    nodes = {"mainStatUnit": node_unit} if node_unit else {}
    edges = {"mainStatUnit": edge_unit} if edge_unit else {}
    return Panel(type="nodeGraph", title=title, description=description, datasource=datasource,
                 targets=panel_targets(queries), options={"nodes": nodes, "edges": edges, "zoomMode": "cooperative"},
                 width=width, height=height, extra=extra)


def traces(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    query: str,
    query_type: str = "traceql",
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """One trace as a waterfall of its spans, from a tracing datasource (Tempo): `query` is a trace id, or the
    `${traceId}` variable a data link fills in, or TraceQL with `query_type="traceql"`."""
    require_text(title, description, None)
    if not query:
        raise DefinitionError(f"panel {title!r} needs a trace id or a TraceQL query")
    return Panel(type="traces", title=title, description=description, datasource=datasource,
                 targets=panel_targets([{"query": query, "queryType": query_type}]), options={},
                 width=width, height=height, extra=extra)


def flame_graph(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    label_selector: str,
    profile_type: str = "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Where a program spends its time or memory, from a profiling datasource (Pyroscope): `label_selector`
    picks the profiles (`{service_name="checkout"}`), `profile_type` which measurement (CPU by default)."""
    require_text(title, description, None)
    return Panel(type="flamegraph", title=title, description=description, datasource=datasource,
                 targets=panel_targets([{"labelSelector": label_selector, "profileTypeId": profile_type,
                                         "queryType": "profile", "groupBy": []}]),
                 options={}, width=width, height=height, extra=extra)


def geomap(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    latitude_field: str | None = None,
    longitude_field: str | None = None,
    lookup_field: str | None = None,
    layer: str = "markers",
    center: tuple[float, float] = (0.0, 0.0),
    zoom: float = 1,
    thresholds: Sequence[tuple[float | None, str]] = (),
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Values on a world map, as `markers` or a `heatmap` layer, placed by `latitude_field`/`longitude_field`,
    by `lookup_field` (country or US state codes), or found automatically; centred on `center` (lat, lon)."""
    require_text(title, description, unit)
    one_of("layer", layer, ("markers", "heatmap"))
    if (latitude_field is None) != (longitude_field is None):
        raise DefinitionError(f"panel {title!r}: give latitude_field and longitude_field together")
    location: dict[str, Any] = {"mode": "auto"}
    if latitude_field:
        location = {"mode": "coords", "latitude": latitude_field, "longitude": longitude_field}
    elif lookup_field:
        location = {"mode": "lookup", "lookup": lookup_field, "gazetteer": "public/gazetteer/countries.json"}
    latitude, longitude = center
    return Panel(
        type="geomap", title=title, description=description, datasource=datasource, targets=panel_targets(queries),
        options={
            "view": {"id": "coords", "lat": latitude, "lon": longitude, "zoom": zoom, "allLayers": True},
            "controls": {"showZoom": True, "mouseWheelZoom": False, "showAttribution": True},
            "basemap": {"type": "default", "name": "Basemap", "config": {}},
            "layers": [{"type": layer, "name": "Values", "location": location, "tooltip": True,
                        "config": {"showLegend": True}}],
            "tooltip": {"mode": "details"},
        },
        field_config=field_config(field, unit=unit, thresholds=thresholds, links=links),
        overrides=overrides, width=width, height=height, extra=extra,
    )


@dataclass(frozen=True, kw_only=True)
class CanvasElement:
    """One element of a canvas: `metric-value` shows the value of `field`, `text` shows `text`, `rectangle` and
    `ellipse` are shapes (with `text` inside); placed at `left`, `top` with `width`, `height` in pixels."""

    type: str
    name: str
    left: int
    top: int
    width: int = 120
    height: int = 40
    text: str | None = None
    field: str | None = None
    color: str = "text"
    background: str = "transparent"

    def __post_init__(self) -> None:
        one_of("type", self.type, ("metric-value", "text", "rectangle", "ellipse"))
        if self.type == "metric-value" and not self.field:
            raise DefinitionError(f"canvas element {self.name!r} shows a value: name its field=")

    def to_json(self) -> dict[str, Any]:
        shown = {"mode": "field", "field": self.field} if self.field else {"mode": "fixed", "fixed": self.text or ""}
        return {
            "type": self.type, "name": self.name,
            "config": {"text": shown, "color": {"fixed": self.color}, "align": "center", "valign": "middle",
                       "size": 16},
            "background": {"color": {"fixed": self.background}},
            "border": {"color": {"fixed": "dark-green"}},
            "constraint": {"horizontal": "left", "vertical": "top"},
            "placement": {"left": self.left, "top": self.top, "width": self.width, "height": self.height},
        }


def canvas(
    *,
    title: str,
    description: str,
    elements: Sequence[CanvasElement],
    datasource: DatasourceSpec | None = None,
    queries: Sequence[QueryLike] = (),
    unit: str | None = None,
    thresholds: Sequence[tuple[float | None, str]] = (),
    field: FieldConfig = FieldConfig(),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """A free layout of values, texts and shapes (a system diagram with live numbers)."""
    require_text(title, description, unit)
    if not elements:
        raise DefinitionError(f"panel {title!r}: a canvas needs at least one element")
    names = [element.name for element in elements]
    if len(set(names)) != len(names):
        raise DefinitionError(f"panel {title!r}: canvas element names must be unique")
    if queries and datasource is None:
        raise DefinitionError(f"panel {title!r} has queries but no datasource")
    return Panel(
        type="canvas", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries, required=False),
        options={"inlineEditing": False, "showAdvancedTypes": True, "panZoom": False, "infinitePan": False,
                 "root": {"type": "frame", "name": "Element root", "elements": [e.to_json() for e in elements],
                          "background": {"color": {"fixed": "transparent"}}, "border": {"color": {"fixed": "dark-green"}},
                          "constraint": {"horizontal": "left", "vertical": "top"}}},
        field_config=field_config(field, unit=unit, thresholds=thresholds),
        width=width, height=height, extra=extra,
    )
