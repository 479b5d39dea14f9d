"""Panel factories with what every dashctl panel carries: a description, a unit, validated queries, data links.

They return grafanalib objects (`TimeSeries`, `Stat`, `Logs`, `RowPanel`), so a preset's panels mix freely with
hand-written ones. A query is a builder expression or a string; `Query` adds its legend:

    time_series(
        title="Request rate", description="Requests per second.", unit=units.REQUESTS_PER_SECOND,
        datasource="metrics", queries=[Query(expr=sum_by(["route"], rate(requests)), legend="{{route}}")],
    )
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from grafanalib.core import GridPos, Logs, RowPanel, Stat, Target, TimeSeries

from dashctl.dashboards.panel import Query, QueryLike, SourcedTarget, grid_pos, panel_targets, require_text
from dashctl.errors import DefinitionError
from dashctl.presets.links import DataLink
from dashctl.presets.variables import DatasourceSpec, datasource_json
from dashctl.queries.logql_builder import LogQuery

__all__ = ["Query", "logs_panel", "row", "stat", "time_series"]



class _SourcedTarget(Target):  # type: ignore[misc]
    """grafanalib's Target that hands the compiler where its query was written (panel.SourcedTarget)."""

    source = None

    def to_json_data(self) -> SourcedTarget:
        data = SourcedTarget(super().to_json_data())
        data.source = self.source
        return data


def _targets(queries: Sequence[QueryLike]) -> list[Target]:
    targets = []
    for target in panel_targets(queries):
        made = _SourcedTarget(expr=target["expr"], legendFormat=target.get("legendFormat", ""), refId=target["refId"])
        made.source = getattr(target, "source", None)
        targets.append(made)
    return targets


_require = require_text


def _extra(links: Iterable[DataLink], extra: dict[str, Any] | None) -> dict[str, Any] | None:
    """Data links go to fieldConfig.defaults.links, which grafanalib's TimeSeries and Stat do not expose."""
    data: dict[str, Any] = dict(extra or {})
    links = list(links)
    if links:
        field_config = data.setdefault("fieldConfig", {})
        field_config.setdefault("defaults", {})["links"] = links
    return data or None


def _grid(width: int | None, height: int | None, panel_type: str) -> GridPos | None:
    grid = grid_pos(width, height, panel_type)
    return None if grid is None else GridPos(**grid)


def time_series(
    *,
    title: str,
    description: str,
    unit: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    links: Iterable[DataLink] = (),
    panel_links: Iterable[DataLink] = (),
    minimum: int | None = None,
    maximum: int | None = None,
    stacked: bool = False,
    width: int | None = None,
    height: int | None = None,
    extra: dict[str, Any] | None = None,
) -> TimeSeries:
    """A time series graph. `links` become data links on every point, `panel_links` links in the panel's
    header; `stacked` stacks the series."""
    _require(title, description, unit)
    return TimeSeries(
        title=title,
        description=description,
        dataSource=datasource_json(datasource),
        unit=unit,
        targets=_targets(queries),
        valueMin=minimum,
        valueMax=maximum,
        stacking={"mode": "normal", "group": "A"} if stacked else {},
        fillOpacity=20 if stacked else 0,
        legendDisplayMode="list",
        tooltipMode="multi",
        tooltipSort="desc",
        gridPos=_grid(width, height, "timeseries"),
        links=list(panel_links),
        extraJson=_extra(links, extra),
    )


def stat(
    *,
    title: str,
    description: str,
    unit: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    links: Iterable[DataLink] = (),
    panel_links: Iterable[DataLink] = (),
    thresholds: Sequence[tuple[float | None, str]] = (),
    mappings: Sequence[dict[str, Any]] = (),
    reduce: str = "lastNotNull",
    width: int | None = None,
    height: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Stat:
    """A single big number (the last value by default) with a sparkline.

    `thresholds` colour the value: `[(None, "green"), (0.01, "orange"), (0.05, "red")]` (the first step has no
    lower bound); `mappings` are Grafana value mappings, e.g. 0 shown as "Down".
    """
    _require(title, description, unit)
    field_defaults: dict[str, Any] = {
        "thresholds": {
            "mode": "absolute",
            "steps": [{"color": color, "value": value} for value, color in (thresholds or [(None, "green")])],
        },
        "mappings": list(mappings),
        "noValue": None,  # grafanalib's "none" would read as a value; Grafana's own default says "No data"
    }
    extra = {**(extra or {})}
    extra["fieldConfig"] = {**extra.get("fieldConfig", {})}
    extra["fieldConfig"]["defaults"] = {**field_defaults, **extra["fieldConfig"].get("defaults", {})}
    return Stat(
        title=title,
        description=description,
        dataSource=datasource_json(datasource),
        format=unit,
        targets=_targets(queries),
        reduceCalc=reduce,
        colorMode="value",
        gridPos=_grid(width, height, "stat"),
        links=list(panel_links),
        extraJson=_extra(links, extra),
    )


def logs_panel(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    query: LogQuery | str,
    panel_links: Iterable[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Logs:
    """Log lines, newest first, with time, wrapping and the details drawer on; `panel_links` are links in the
    panel's header, `extra` Grafana's options the keywords do not name (`{"options": {"prettifyLogMessage":
    True}}`)."""
    _require(title, description, None)
    return Logs(
        title=title,
        description=description,
        dataSource=datasource_json(datasource),
        targets=_targets([query]),
        showTime=True,
        wrapLogMessages=True,
        enableLogDetails=True,
        sortOrder="Descending",
        gridPos=_grid(width, height, "logs"),
        links=list(panel_links),
        extraJson=extra or None,
    )


def row(title: str, *, collapsed: bool = False, panels: Sequence[Any] = ()) -> RowPanel:
    """A row header; a collapsed row carries its panels inside."""
    if collapsed:
        return RowPanel(title=title, collapsed=True, panels=list(panels))
    if panels:
        raise DefinitionError("an open row's panels follow it in the dashboard's panel list, not inside it")
    return RowPanel(title=title)
