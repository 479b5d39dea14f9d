"""Presets: rows of panels for common questions, from typed descriptions of what a service emits.

    from dashctl.presets import (PINO_HTTP, Histogram, ServiceLogs, label_values, logs_row,
                                 namespace_variable, red_row, templating)

    pods = label_values("pod", label="pod", selector=metric("http_request_duration_seconds_count",
                                                            namespace="$namespace", container="backend"))
    logs = ServiceLogs(selector={"namespace": "$namespace", "app": "backend"}, format=PINO_HTTP,
                       datasource=env.datasource("logs"))
    red = red_row(service="backend", histogram=Histogram(name="http_request_duration_seconds"),
                  selector={"namespace": "$namespace", "container": "backend"}, filters=[pods], logs=logs)
    errors = logs_row(service="backend", logs=logs, filters=[pods], errors_only=True)
    Dashboard(title="Backend API", templating=templating(namespace_variable(env.namespace), red, errors),
              panels=[*red.panels, *errors.panels])

- `red_row`: request rate by route, 5xx ratio, p50 / p90 / p99 latency from a request-duration histogram.
- `access_log_red_row`: the same from access logs with LogQL (`pattern`, `unwrap`, `quantile_over_time`), and
  4xx / 5xx by path.
- `logs_row`: log volume by level, error lines per second, the log lines.

Each returns a `Section`: the row's grafanalib panels (every one with a description and a unit) and the template
variables its queries use. Panels link to the matching logs in Explore. See docs/presets.md.
"""

from dashctl.presets.access_log import AccessLogQueries, access_log_queries, access_log_red_row
from dashctl.presets.links import DataLink, dashboard_link, explore_link, explore_query
from dashctl.presets.logs import LogsQueries, error_lines, logs_queries, logs_row
from dashctl.presets.panels import Query, logs_panel, row, stat, time_series
from dashctl.presets.red import QUANTILES, RedQueries, red_queries, red_row
from dashctl.presets.section import Section, templating
from dashctl.presets.signals import (
    NGINX_COMBINED_PATTERN,
    NGINX_COMBINED_REQUEST_TIME,
    PINO_HTTP,
    Histogram,
    LogFormat,
    ServiceLogs,
    metric_selector,
)
from dashctl.presets.variables import (
    Variable,
    constant,
    datasource_variable,
    label_values,
    merge_variables,
    namespace_variable,
    textbox,
)

__all__ = [
    "AccessLogQueries",
    "DataLink",
    "Histogram",
    "LogFormat",
    "LogsQueries",
    "NGINX_COMBINED_PATTERN",
    "NGINX_COMBINED_REQUEST_TIME",
    "PINO_HTTP",
    "QUANTILES",
    "Query",
    "RedQueries",
    "Section",
    "ServiceLogs",
    "Variable",
    "access_log_queries",
    "access_log_red_row",
    "constant",
    "dashboard_link",
    "datasource_variable",
    "error_lines",
    "explore_link",
    "explore_query",
    "label_values",
    "logs_panel",
    "logs_queries",
    "logs_row",
    "merge_variables",
    "metric_selector",
    "namespace_variable",
    "red_queries",
    "red_row",
    "row",
    "stat",
    "templating",
    "textbox",
    "time_series",
]
