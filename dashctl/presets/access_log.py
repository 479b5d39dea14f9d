"""The RED row of a service that only has access logs: rate, errors and duration computed by Loki.

    access_log_red_row(
        service="frontend",
        logs=ServiceLogs(selector={"namespace": "$namespace", "app": "frontend", "stream": "stdout"},
                         format=NGINX_COMBINED_REQUEST_TIME, datasource=env.datasource("logs")),
    )

Each access log line is one request. The log format's parser extracts method, path, status and duration; a line
counts as a request when it has a status. Four panels: request rate by path (the busiest paths), the share of 5xx
responses, latency quantiles from the unwrapped durations (`quantile_over_time`), and 4xx / 5xx responses by path.
Every range is Grafana's `$__auto`, the step Loki queries use. Each panel links to the matching lines in Explore.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashctl.dashboards import units
from dashctl.errors import DefinitionError
from dashctl.presets.links import DataLink, explore_link
from dashctl.presets.panels import Query, row, time_series
from dashctl.presets.red import QUANTILES, quantile_legend
from dashctl.presets.section import Section, sentence
from dashctl.presets.signals import ServiceLogs
from dashctl.presets.variables import Variable
from dashctl.queries.logql_builder import (
    Expr,
    Ge,
    LabelFilter,
    LogQuery,
    Not,
    quantile_over_time,
    rate,
    ratio,
    sum_by,
    topk,
)
from dashctl.queries.promql import call

__all__ = ["AccessLogQueries", "access_log_queries", "access_log_red_row"]

_CLICKED_VALUE = "${__value.raw}"


@dataclass(frozen=True, kw_only=True)
class AccessLogQueries:
    """The LogQL of an access-log RED row."""

    request_rate: Expr
    requests_by_path: Expr
    error_ratio: Expr
    latency: tuple[tuple[float, Expr], ...]
    client_and_server_errors_by_path: Expr


def _fields(logs: ServiceLogs) -> tuple[str, str, str]:
    log_format = logs.format
    missing = [name for name in ("status", "path", "duration") if getattr(log_format, name) is None]
    if missing:
        raise DefinitionError(
            f"log format {log_format.name!r} has no {', '.join(missing)} label; an access-log RED row needs "
            "status, path and duration",
            hint="use NGINX_COMBINED_REQUEST_TIME or a LogFormat that extracts them",
        )
    return log_format.status, log_format.path, log_format.duration  # type: ignore[return-value]


def _requests(logs: ServiceLogs, filters: Sequence[Variable], *, regex_format: bool = False) -> LogQuery:
    """The service's lines that are requests: parsed, and with a status."""
    status, _, _ = _fields(logs)
    return logs.format.parse(logs.stream(filters, regex_format=regex_format)).where(**{status: Not("")})


def access_log_queries(
    logs: ServiceLogs, *, filters: Sequence[Variable] = (), quantiles: Sequence[float] = QUANTILES, top: int = 10
) -> AccessLogQueries:
    """The LogQL behind `access_log_red_row`."""
    status, path, duration = _fields(logs)
    requests = _requests(logs, filters)
    errors = requests.where(**{status: Ge(500)}).without_errors()
    failures = requests.where(**{status: Ge(400)}).without_errors()
    durations = requests.unwrap(duration).without_errors()
    # One latency series per service: group by the labels the selector fixes (pods and paths merge).
    group = list(logs.fixed_labels)
    return AccessLogQueries(
        request_rate=sum_by([], rate(requests)),
        requests_by_path=topk(top, sum_by([path], rate(requests))),
        error_ratio=ratio(sum_by([], rate(errors)).or_(call("vector", 0)), sum_by([], rate(requests))),
        latency=tuple((q, quantile_over_time(q, durations, by=group)) for q in quantiles),
        client_and_server_errors_by_path=topk(top, sum_by([path, status], rate(failures))),
    )


def access_log_red_row(
    *,
    service: str,
    logs: ServiceLogs,
    filters: Sequence[Variable] = (),
    quantiles: Sequence[float] = QUANTILES,
    top: int = 10,
    title: str | None = None,
) -> Section:
    """A row with the RED panels of `service` computed from its access logs by Loki."""
    if not service:
        raise DefinitionError("access_log_red_row needs the service's name, for titles and descriptions")
    status, path, duration = _fields(logs)
    queries = access_log_queries(logs, filters=filters, quantiles=quantiles, top=top)
    clicked_path = "${__field.labels.%s}" % path
    linked = _requests(logs, filters, regex_format=True)

    def link(title: str, query: LogQuery) -> list[DataLink]:
        return [explore_link(title, query, logs.datasource)]

    slower = LabelFilter(label=duration, operator=">=", value=_CLICKED_VALUE, numeric=True)
    window = "over $__auto (the step of the graph)"
    duration_unit = logs.format.duration_unit
    panels = [
        row(title or f"{sentence(service)}: requests, errors, duration (from access logs)"),
        time_series(
            title="Request rate by path",
            description=f"Requests per second that {service} answered, per path, counted from its access log "
            f"lines {window}; the {top} busiest paths.",
            unit=units.REQUESTS_PER_SECOND,
            datasource=logs.datasource,
            queries=[Query(expr=queries.requests_by_path, legend=f"{{{{{path}}}}}")],
            links=link(f"Logs of {service} {clicked_path}", linked.where(**{path: clicked_path})),
            width=12,
        ),
        time_series(
            title="Error ratio (5xx / all)",
            description=f"Share of {service} requests answered with a 5xx status, from the access log {window}. "
            "4xx responses are the client's and do not count.",
            unit=units.PERCENT_UNIT,
            datasource=logs.datasource,
            queries=[Query(expr=queries.error_ratio, legend="5xx ratio")],
            links=link(f"{sentence(service)} 5xx responses", linked.where(**{status: Ge(500)}).without_errors()),
            minimum=0,
            width=12,
        ),
        time_series(
            title="Latency " + " / ".join(quantile_legend(q) for q in quantiles),
            description=f"Request duration quantiles of {service}: quantile_over_time of the {duration} each "
            f"access log line records, {window}, over all pods and paths. Exact quantiles of the logged "
            "durations, not a histogram estimate.",
            unit=duration_unit,
            datasource=logs.datasource,
            queries=[Query(expr=expr, legend=quantile_legend(q)) for q, expr in queries.latency],
            # The clicked quantile is in the log's own duration unit, so it compares with the lines directly.
            links=link(
                f"{sentence(service)} requests slower than the clicked latency",
                linked.then(slower).without_errors(),
            ),
            minimum=0,
            width=12,
        ),
        time_series(
            title="4xx and 5xx by path",
            description=f"Responses with a 4xx or 5xx status per path and status, per second, from the {service} "
            f"access log {window}; the {top} largest.",
            unit=units.REQUESTS_PER_SECOND,
            datasource=logs.datasource,
            queries=[Query(expr=queries.client_and_server_errors_by_path, legend=f"{{{{{status}}}}} {{{{{path}}}}}")],
            links=link(
                f"Failed {service} requests to {clicked_path}",
                linked.where(**{path: clicked_path, status: Ge(400)}).without_errors(),
            ),
            stacked=True,
            width=12,
        ),
    ]
    variables = [*filters, *([logs.datasource] if isinstance(logs.datasource, Variable) else [])]
    return Section(panels=panels, variables=variables)

