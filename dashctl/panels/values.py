"""Panels that show one value per series or a grid of values: stat, gauge, bar gauge, pie chart, table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashctl.dashboards.panel import (
    FieldConfig,
    Override,
    Panel,
    QueryLike,
    field_config,
    one_of,
    panel_targets,
    reduce_options,
    require_text,
)
from dashctl.presets.links import DataLink
from dashctl.presets.panels import stat
from dashctl.presets.variables import DatasourceSpec

__all__ = ["bar_gauge", "gauge", "pie_chart", "stat", "table"]

Thresholds = Sequence[tuple[float | None, str]]


def gauge(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    minimum: float | None = None,
    maximum: float | None = None,
    thresholds: Thresholds = (),
    reduce: str = "lastNotNull",
    show_threshold_markers: bool = True,
    show_threshold_labels: bool = False,
    orientation: str = "auto",
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """A dial per series, coloured by `thresholds` (`[(None, "green"), (0.8, "red")]`), between `minimum` and
    `maximum`; `reduce` is the calculation that turns a series into its value (lastNotNull, mean, max...)."""
    require_text(title, description, unit)
    return Panel(
        type="gauge", title=title, description=description, datasource=datasource, targets=panel_targets(queries),
        options={
            "reduceOptions": reduce_options(reduce),
            "orientation": one_of("orientation", orientation, ("auto", "horizontal", "vertical")),
            "showThresholdMarkers": show_threshold_markers,
            "showThresholdLabels": show_threshold_labels,
        },
        field_config=field_config(field, unit=unit, minimum=minimum, maximum=maximum, thresholds=thresholds,
                                  links=links),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def bar_gauge(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    minimum: float | None = None,
    maximum: float | None = None,
    thresholds: Thresholds = (),
    reduce: str = "lastNotNull",
    display_mode: str = "gradient",
    orientation: str = "horizontal",
    show_unfilled: bool = True,
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """A bar per series (e.g. per pod), filled to its value; `display_mode` gradient, lcd or basic."""
    require_text(title, description, unit)
    return Panel(
        type="bargauge", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries),
        options={
            "reduceOptions": reduce_options(reduce),
            "displayMode": one_of("display_mode", display_mode, ("gradient", "lcd", "basic")),
            "orientation": one_of("orientation", orientation, ("auto", "horizontal", "vertical")),
            "showUnfilled": show_unfilled,
            "valueMode": "color",
            "namePlacement": "auto",
            "sizing": "auto",
        },
        field_config=field_config(field, unit=unit, minimum=minimum, maximum=maximum, thresholds=thresholds,
                                  links=links),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def pie_chart(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    reduce: str = "lastNotNull",
    donut: bool = False,
    labels: Sequence[str] = ("percent",),
    legend_values: Sequence[str] = ("value",),
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Each series' share of the whole; `labels` on the slices (name, value, percent), `legend_values` in the
    legend (value, percent)."""
    require_text(title, description, unit)
    for label in labels:
        one_of("labels", label, ("name", "value", "percent"))
    return Panel(
        type="piechart", title=title, description=description, datasource=datasource,
        targets=panel_targets(queries),
        options={
            "reduceOptions": reduce_options(reduce),
            "pieType": "donut" if donut else "pie",
            "displayLabels": list(labels),
            "legend": {"displayMode": "list", "placement": "right", "showLegend": True,
                       "values": list(legend_values)},
            "tooltip": {"mode": "single", "sort": "none"},
        },
        field_config=field_config(field, unit=unit, links=links),
        overrides=overrides, links=panel_links, width=width, height=height, extra=extra,
    )


def table(
    *,
    title: str,
    description: str,
    datasource: DatasourceSpec,
    queries: Sequence[QueryLike],
    unit: str,
    instant: bool = True,
    show_header: bool = True,
    sort_by: Sequence[tuple[str, bool]] = (),
    cell_type: str = "auto",
    filterable: bool = False,
    footer: Sequence[str] = (),
    thresholds: Thresholds = (),
    transformations: Sequence[Mapping[str, Any]] = (),
    field: FieldConfig = FieldConfig(),
    overrides: Sequence[Override] = (),
    links: Sequence[DataLink] = (),
    panel_links: Sequence[DataLink] = (),
    width: int | None = None,
    height: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Panel:
    """Rows of values. `instant` queries give one row per series (the usual Prometheus table, with the
    `merge`/`organize` transformations of `transformations`); `sort_by` is `[("Value", True)]` (column,
    descending); `cell_type` auto, color-text, color-background, gauge, data-links, json-view; `footer` the
    calculations shown under the columns (sum, mean...)."""
    require_text(title, description, unit)
    targets = [{**target, "instant": True, "range": False, "format": "table"} if instant else target
               for target in panel_targets(queries)]
    cell_types = ("auto", "color-text", "color-background", "gauge", "data-links", "json-view")
    return Panel(
        type="table", title=title, description=description, datasource=datasource, targets=targets,
        options={
            "showHeader": show_header,
            "cellHeight": "sm",
            "sortBy": [{"displayName": column, "desc": descending} for column, descending in sort_by],
            "footer": {"show": bool(footer), "reducer": list(footer), "countRows": False, "fields": ""},
        },
        field_config=field_config(field, unit=unit, thresholds=thresholds, links=links, custom={
            "align": "auto",
            "cellOptions": {"type": one_of("cell_type", cell_type, cell_types)},
            "filterable": filterable,
        }),
        overrides=overrides, transformations=transformations, links=panel_links, width=width, height=height,
        extra=extra,
    )
