"""Panels that draw series against time or another axis: time series, trend, bar chart, histogram, heatmap,
state timeline, status history, XY chart, candlestick."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashctl.dashboards.panel import (
    FieldConfig,
    Override,
    Panel,
    QueryLike,
    field_config,
    legend,
    one_of,
    panel_targets,
    require_text,
    tooltip,
)
from dashctl.errors import DefinitionError
from dashctl.presets.links import DataLink
from dashctl.presets.panels import time_series
from dashctl.presets.variables import DatasourceSpec

__all__ = ["bar_chart", "candlestick", "heatmap", "histogram", "state_timeline", "status_history", "time_series",
           "trend", "xy_chart"]

Thresholds = Sequence[tuple[float | None, str]]


def _graph_options(legend_mode: str, legend_placement: str, tooltip_mode: str) -> dict[str, Any]:
    return {"legend": legend(legend_mode, legend_placement), "tooltip": tooltip(tooltip_mode)}


def trend(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    x_field: str,
    line_width: int = 1,
    fill_opacity: int = 0,
    legend_mode: str = "list",
    tooltip_mode: str = "multi",
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    transformations: Sequence[Mapping[str, Any]] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """A time series whose x axis is another numeric field (`x_field`), e.g. latency against load."""
    require_text(title, description, unit)
    return Panel(
        type="trend", title=title, description=description, datasource=datasource, targets=panel_targets(queries),
        options={**_graph_options(legend_mode, "bottom", tooltip_mode), "xField": x_field},
        field_config=field_config(field, unit=unit, links=links, custom={
            "drawStyle": "line", "lineWidth": line_width, "fillOpacity": fill_opacity}),
        overrides=overrides, transformations=transformations, links=panel_links, width=width, height=height,
        extra=extra,
    )


def bar_chart(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    x_field: str | None = None,
    orientation: str = "auto",
    stacked: bool = False,
    show_values: str = "auto",
    legend_mode: str = "list",
    tooltip_mode: str = "single",
    thresholds: Thresholds = (),
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    transformations: Sequence[Mapping[str, Any]] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Bars per category: the string field `x_field` (or the first) is the category axis; usually fed by an
    instant query with the `reduce` or `labelsToFields` transformation. `show_values` auto, always or never."""
    require_text(title, description, unit)
    options: dict[str, Any] = {
        **_graph_options(legend_mode, "bottom", tooltip_mode),
        "orientation": one_of("orientation", orientation, ("auto", "horizontal", "vertical")),
        "stacking": "normal" if stacked else "none",
        "showValue": one_of("show_values", show_values, ("auto", "always", "never")),
        "groupWidth": 0.7,
        "barWidth": 0.97,
        "xTickLabelRotation": 0,
    }
    if x_field:
        options["xField"] = x_field
    return Panel(
        type="barchart", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries), options=options,
        field_config=field_config(field, unit=unit, thresholds=thresholds, links=links,
                                  custom={"fillOpacity": 80, "lineWidth": 1, "gradientMode": "none"}),
        overrides=overrides, transformations=transformations, links=panel_links, width=width, height=height,
        extra=extra,
    )


def histogram(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    bucket_count: int | None = None,
    bucket_size: float | None = None,
    combine: bool = False,
    legend_mode: str = "list",
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """How the values of the series are distributed, in buckets Grafana computes (`bucket_count` or
    `bucket_size`); `combine` puts every series into one histogram. For Prometheus histograms use `heatmap`."""
    require_text(title, description, unit)
    if bucket_count is not None and bucket_size is not None:
        raise DefinitionError(f"panel {title!r}: give bucket_count or bucket_size, not both")
    options: dict[str, Any] = {**_graph_options(legend_mode, "bottom", "single"), "combine": combine}
    if bucket_count is not None:
        options["bucketCount"] = bucket_count
    if bucket_size is not None:
        options["bucketSize"] = bucket_size
    return Panel(
        type="histogram", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries), options=options,
        field_config=field_config(field, unit=unit, links=links, custom={"fillOpacity": 80, "lineWidth": 1}),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def heatmap(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    buckets_from_data: bool = True,
    color_scheme: str = "Oranges",
    y_axis_unit: str | None = None,
    show_cell_values: bool = False,
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Buckets over time, coloured by count. With `buckets_from_data` (the default) the series are the buckets,
    as a Prometheus histogram gives them (`sum by (le) (rate(x_bucket[$__rate_interval]))`, formatted as a
    heatmap); otherwise Grafana computes buckets from raw values. `unit` is that of the cell values (counts:
    units.SHORT), `y_axis_unit` that of the buckets (default: `unit`)."""
    require_text(title, description, unit)
    targets = [{**target, "format": "heatmap", "legendFormat": target.get("legendFormat", "{{le}}")}
               if buckets_from_data else target for target in panel_targets(queries)]
    return Panel(
        type="heatmap", title=title, description=description, datasource=datasource, targets=targets,
        options={
            "calculate": not buckets_from_data,
            "yAxis": {"axisPlacement": "left", "unit": y_axis_unit or unit},
            "rowsFrame": {"layout": "auto"},
            "color": {"mode": "scheme", "scheme": color_scheme, "fill": "dark-orange", "scale": "exponential",
                      "exponent": 0.5, "steps": 64, "reverse": False},
            "cellGap": 1,
            "cellValues": {"unit": unit} if show_cell_values else {},
            "showValue": "auto" if show_cell_values else "never",
            "tooltip": {"mode": "single", "yHistogram": False},
            "legend": {"show": True},
            "exemplars": {"color": "rgba(255,0,255,0.7)"},
            "filterValues": {"le": 1e-9},
        },
        field_config=field_config(field, unit=unit, links=links,
                                  custom={"scaleDistribution": {"type": "linear"},
                                          "hideFrom": {"legend": False, "tooltip": False, "viz": False}}),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def state_timeline(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    mappings: Sequence[Mapping[str, Any]] = (),
    thresholds: Thresholds = (),
    merge_values: bool = True,
    show_values: str = "auto",
    row_height: float = 0.9,
    unit: str | None = None,
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """One row per series, coloured by state over time (up/down, a deployment's phase): states come from value
    `mappings` (`{"type": "value", "options": {"0": {"text": "Down", "color": "red"}}}`) or `thresholds`;
    `merge_values` joins equal neighbouring values into one bar."""
    require_text(title, description, unit)
    return Panel(
        type="state-timeline", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries),
        options={**_graph_options("list", "bottom", "single"), "mergeValues": merge_values,
                 "showValue": show_values, "alignValue": "left", "rowHeight": row_height},
        field_config=field_config(field, unit=unit, thresholds=thresholds, links=links, mappings=mappings,
                                  custom={"fillOpacity": 70, "lineWidth": 0}),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def status_history(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    mappings: Sequence[Mapping[str, Any]] = (),
    thresholds: Thresholds = (),
    show_values: str = "auto",
    column_width: float = 0.9,
    unit: str | None = None,
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """A grid of cells per series and time step, coloured by `mappings` or `thresholds` (periodic health
    checks, SLO burn per window)."""
    require_text(title, description, unit)
    return Panel(
        type="status-history", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries),
        options={**_graph_options("list", "bottom", "single"), "showValue": show_values, "rowHeight": 0.9,
                 "colWidth": column_width},
        field_config=field_config(field, unit=unit, thresholds=thresholds, links=links, mappings=mappings,
                                  custom={"fillOpacity": 70, "lineWidth": 1}),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def xy_chart(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    x_field: str,
    y_fields: Sequence[str] = (),
    show: str = "points",
    point_size: int = 5,
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    transformations: Sequence[Mapping[str, Any]] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """A scatter plot of `y_fields` (default: every other numeric field) against `x_field`; `show` points,
    lines or points-and-lines (`points`, `lines`, `points+lines`)."""
    require_text(title, description, unit)
    one_of("show", show, ("points", "lines", "points+lines"))
    series: dict[str, Any] = {"x": {"matcher": {"id": "byName", "options": x_field}}}
    if y_fields:
        series["y"] = {"matcher": {"id": "byNames", "options": {"mode": "include", "names": list(y_fields)}}}
    return Panel(
        type="xychart", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries),
        options={**_graph_options("list", "bottom", "single"), "mapping": "auto", "series": [series]},
        field_config=field_config(field, unit=unit, links=links,
                                  custom={"show": show, "pointSize": {"fixed": point_size}, "lineWidth": 1}),
        overrides=overrides, transformations=transformations, links=panel_links, width=width, height=height,
        extra=extra,
    )


def candlestick(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    mode: str = "candles+volume",
    candle_style: str = "candles",
    color_strategy: str = "open-close",
    fields: Mapping[str, str] | None = None,
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    transformations: Sequence[Mapping[str, Any]] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Open, high, low, close (and volume) per time step; `fields` maps those roles to field names when they are
    not called open, high, low, close, volume (`{"open": "first", "close": "last"}`)."""
    require_text(title, description, unit)
    one_of("mode", mode, ("candles", "volume", "candles+volume"))
    return Panel(
        type="candlestick", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries),
        options={**_graph_options("list", "bottom", "single"), "mode": mode, "candleStyle": candle_style,
                 "colorStrategy": color_strategy, "colors": {"up": "green", "down": "red"},
                 "fields": dict(fields or {}), "includeAllFields": False},
        field_config=field_config(field, unit=unit, links=links, custom={"drawStyle": "line", "lineWidth": 1}),
        overrides=overrides, transformations=transformations, links=panel_links, width=width, height=height,
        extra=extra,
    )

