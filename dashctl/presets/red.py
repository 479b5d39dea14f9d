"""The RED row of a service with a request-duration histogram: rate, errors, duration.

    red = red_row(
        service="backend",
        histogram=Histogram(name="http_request_duration_seconds"),
        selector={"namespace": "$namespace", "container": "backend"},
        filters=[pods],
        logs=ServiceLogs(selector={"namespace": "$namespace", "app": "backend"}, format=PINO_HTTP,
                         datasource=env.datasource("logs")),
    )

Three panels: request rate by route, the share of 5xx responses, and the p50 / p90 / p99 latency estimated from
the histogram's buckets, every rate over Grafana's `$__rate_interval`. A `route` variable (all routes by default)
narrows all three. With `logs`, each panel links to the matching log lines in Explore: the clicked route (when the
log format carries the route), the 5xx responses, the requests slower than the clicked latency (when the log
format's durations are in seconds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashctl.dashboards import units
from dashctl.errors import DefinitionError
from dashctl.presets.links import DataLink, explore_link
from dashctl.presets.panels import Query, row, time_series
from dashctl.presets.section import Section, sentence
from dashctl.presets.signals import Histogram, ServiceLogs, metric_selector
from dashctl.presets.variables import DatasourceSpec, Variable, label_values
from dashctl.queries.logql_builder import Ge, LabelFilter, LogQuery, Regex
from dashctl.queries.promql import Expr, bucket_quantile, call, rate, ratio, sum_by
from dashctl.queries.promql.selectors import LabelValue

__all__ = ["QUANTILES", "RedQueries", "quantile_legend", "red_queries", "red_row"]

QUANTILES = (0.5, 0.9, 0.99)
SERVER_ERRORS = Regex("5..")
"""The status codes that count as errors: 5xx. A 4xx is the client's mistake, not the service's."""
_CLICKED_VALUE = "${__value.raw}"
_CLICKED = "${__field.labels.%s}"


def quantile_legend(quantile: float) -> str:
    """`p99` for 0.99, `p99.9` for 0.999."""
    return "p" + f"{quantile * 100:.10g}"


@dataclass(frozen=True, kw_only=True)
class RedQueries:
    """The PromQL of a RED row, for panels, alerts and tests to share."""

    request_rate: Expr
    requests_by_route: Expr
    error_ratio: Expr
    latency: tuple[tuple[float, Expr], ...]


def red_queries(
    histogram: Histogram,
    selector: Mapping[str, LabelValue],
    *,
    filters: Sequence[Variable] = (),
    route: Variable | None = None,
    quantiles: Sequence[float] = QUANTILES,
) -> RedQueries:
    """Request rate by route, 5xx ratio and latency quantiles of `histogram` on the series `selector` picks."""
    narrowed = {histogram.route_label: Regex(route.reference)} if route is not None else {}
    requests = metric_selector(histogram.count, selector, filters, **narrowed)
    errors = requests.where(**{histogram.status_label: SERVER_ERRORS})
    buckets = metric_selector(histogram.buckets, selector, filters, **narrowed)
    # `or vector(0)`: with no 5xx series at all the ratio is 0, not an empty graph.
    error_ratio = ratio(sum_by([], rate(errors)).or_(call("vector", 0)), sum_by([], rate(requests)))
    return RedQueries(
        request_rate=sum_by([], rate(requests)),
        requests_by_route=sum_by([histogram.route_label], rate(requests)),
        error_ratio=error_ratio,
        latency=tuple((quantile, bucket_quantile(quantile, buckets)) for quantile in quantiles),
    )


def red_row(
    *,
    service: str,
    histogram: Histogram,
    selector: Mapping[str, LabelValue],
    datasource: DatasourceSpec = "metrics",
    filters: Sequence[Variable] = (),
    route_filter: bool = True,
    logs: ServiceLogs | None = None,
    quantiles: Sequence[float] = QUANTILES,
    title: str | None = None,
) -> Section:
    """A row with the RED panels of `service`, from `histogram` on the series `selector` picks.

    `filters` are label_values variables (pods, ...) that narrow every query; `route_filter` adds a `route`
    variable over the histogram's routes; `logs` adds links from each panel to the matching log lines.
    """
    if not service:
        raise DefinitionError("red_row needs the service's name, for titles and descriptions")
    if not quantiles:
        raise DefinitionError("red_row needs at least one latency quantile")
    route = None
    if route_filter:
        route = label_values(
            "route",
            label=histogram.route_label,
            selector=metric_selector(histogram.count, selector),
            datasource=datasource,
            title="Route",
            description=f"The {service} routes to show; All by default.",
        )
    queries = red_queries(histogram, selector, filters=filters, route=route, quantiles=quantiles)
    links = _RedLinks(service=service, histogram=histogram, logs=logs, filters=filters)
    window = "over $__rate_interval (at least four scrape intervals)"
    panels = [
        row(title or f"{sentence(service)}: requests, errors, duration"),
        time_series(
            title="Request rate by route",
            description=f"Requests per second that {service} answered, per {histogram.route_label}: the rate of "
            f"{histogram.count} {window}, summed over pods and status codes.",
            unit=units.REQUESTS_PER_SECOND,
            datasource=datasource,
            queries=[Query(expr=queries.requests_by_route, legend=f"{{{{{histogram.route_label}}}}}")],
            links=links.requests(),
            width=8,
        ),
        time_series(
            title="Error ratio (5xx / all)",
            description=f"Share of {service} requests answered with a 5xx status: the rate of 5xx responses "
            f"divided by the rate of all responses, {window}. 4xx responses are the client's and do not count.",
            unit=units.PERCENT_UNIT,
            datasource=datasource,
            queries=[Query(expr=queries.error_ratio, legend="5xx ratio")],
            links=links.errors(),
            minimum=0,
            width=8,
        ),
        time_series(
            title="Latency " + " / ".join(quantile_legend(q) for q, _ in queries.latency),
            description=f"Request duration quantiles of {service}, estimated by histogram_quantile from the "
            f"{histogram.buckets} buckets {window}: a p99 of 0.25 s means 1 request in 100 took longer. "
            "The estimate interpolates linearly inside the bucket the quantile falls in.",
            unit=units.SECONDS,
            datasource=datasource,
            queries=[Query(expr=expr, legend=quantile_legend(q)) for q, expr in queries.latency],
            links=links.latency(),
            minimum=0,
            width=8,
        ),
    ]
    variables = [*filters, *([route] if route else []), *_datasource_variables(datasource, logs)]
    return Section(panels=panels, variables=variables)


def _datasource_variables(*specs: object) -> list[Variable]:
    found = []
    for spec in specs:
        if isinstance(spec, ServiceLogs):
            spec = spec.datasource
        if isinstance(spec, Variable):
            found.append(spec)
    return found


@dataclass(frozen=True, kw_only=True)
class _RedLinks:
    """The links from the RED panels to the service's logs in Explore."""

    service: str
    histogram: Histogram
    logs: ServiceLogs | None
    filters: Sequence[Variable]

    def _base(self) -> LogQuery:
        assert self.logs is not None
        return self.logs.format.parse(self.logs.stream(self.filters, regex_format=True))

    def _link(self, title: str, query: LogQuery) -> list[DataLink]:
        assert self.logs is not None
        return [explore_link(title, query, self.logs.datasource)]

    def requests(self) -> list[DataLink]:
        if self.logs is None:
            return []
        route_field = self.logs.format.route
        if route_field is None:
            # The log lines do not carry the route template (Express's `/api/products/:id`), only the URL.
            return self._link(f"Logs of {self.service}", self._base())
        clicked = _CLICKED % self.histogram.route_label
        query = self._base().then(LabelFilter(label=route_field, operator="=", value=clicked))
        return self._link(f"Logs of {self.service} {clicked}", query)

    def errors(self) -> list[DataLink]:
        if self.logs is None:
            return []
        log_format = self.logs.format
        if log_format.status is not None:
            query = self._base().where(**{log_format.status: Ge(500)}).without_errors()
            return self._link(f"{sentence(self.service)} 5xx responses in the logs", query)
        if log_format.level is not None:
            query = self._base().where(**{log_format.level: Regex("|".join(log_format.error_levels))})
            return self._link(f"{sentence(self.service)} error logs", query)
        return self._link(f"Logs of {self.service}", self._base())

    def latency(self) -> list[DataLink]:
        if self.logs is None:
            return []
        log_format = self.logs.format
        if log_format.duration is None or log_format.duration_unit != units.SECONDS:
            # The clicked latency is in seconds; log durations in another unit cannot be compared with it.
            return self._link(f"Logs of {self.service}", self._base())
        slower = LabelFilter(label=log_format.duration, operator=">=", value=_CLICKED_VALUE, numeric=True)
        query = self._base().then(slower).without_errors()
        return self._link(f"{sentence(self.service)} requests slower than the clicked latency", query)
