"""The presets under test, each called as a dashboard would call it, with the inputs the telemetry contract gives.

Shared by the table-driven tests: every case is a name and a function returning a Section.
"""

from __future__ import annotations

from collections.abc import Callable

from dashctl.presets import (
    NGINX_COMBINED_REQUEST_TIME,
    PINO_HTTP,
    Histogram,
    Section,
    ServiceLogs,
    access_log_red_row,
    datasource_variable,
    label_values,
    logs_row,
    metric_selector,
    red_row,
)
from dashctl.project.environment import DatasourceRef, Environment
from dashctl.queries.logql_builder import stream

METRICS = DatasourceRef(uid="prom-dev", type="prometheus")
LOGS = DatasourceRef(uid="loki-dev", type="loki")
ENVIRONMENT = Environment(name="dev", namespace="dev", datasources={"metrics": METRICS, "logs": LOGS})

HISTOGRAM = Histogram(name="http_request_duration_seconds")
BACKEND_SELECTOR = {"namespace": "$namespace", "container": "backend"}
BACKEND_LOGS = ServiceLogs(selector={"namespace": "$namespace", "app": "backend"}, format=PINO_HTTP, datasource=LOGS)
FRONTEND_ACCESS = ServiceLogs(
    selector={"namespace": "$namespace", "app": "frontend", "stream": "stdout"},
    format=NGINX_COMBINED_REQUEST_TIME,
    datasource=LOGS,
)
FRONTEND_LOGS = ServiceLogs(
    selector={"namespace": "$namespace", "app": "frontend"}, format=NGINX_COMBINED_REQUEST_TIME, datasource=LOGS
)
BACKEND_PODS = label_values("pod", label="pod", selector=metric_selector(HISTOGRAM.count, BACKEND_SELECTOR))
FRONTEND_PODS = label_values(
    "pod", label="pod", selector=stream(namespace="$namespace", app="frontend"), datasource=LOGS
)
PICKED_PROMETHEUS = datasource_variable("datasource", plugin="prometheus", current=METRICS)
PICKED_LOKI = datasource_variable("logs_datasource", plugin="loki", current=LOGS)

NAMESPACE_VARIABLE = "namespace"
"""Defined by the dashboard (namespace_variable(env.namespace)), not by the presets: they only use it."""

CASES: dict[str, Callable[[], Section]] = {
    "red_row": lambda: red_row(
        service="backend", histogram=HISTOGRAM, selector=BACKEND_SELECTOR, filters=[BACKEND_PODS], logs=BACKEND_LOGS
    ),
    "red_row without pods or route": lambda: red_row(
        service="backend", histogram=HISTOGRAM, selector=BACKEND_SELECTOR, route_filter=False, logs=BACKEND_LOGS
    ),
    "red_row with datasource variables": lambda: red_row(
        service="backend",
        histogram=HISTOGRAM,
        selector=BACKEND_SELECTOR,
        datasource=PICKED_PROMETHEUS,
        logs=ServiceLogs(selector=BACKEND_LOGS.selector, format=PINO_HTTP, datasource=PICKED_LOKI),
    ),
    "red_row with access-log logs": lambda: red_row(
        service="frontend", histogram=HISTOGRAM, selector=BACKEND_SELECTOR, logs=FRONTEND_ACCESS
    ),
    "access_log_red_row": lambda: access_log_red_row(service="frontend", logs=FRONTEND_ACCESS, filters=[FRONTEND_PODS]),
    "access_log_red_row p99 only": lambda: access_log_red_row(
        service="frontend", logs=FRONTEND_ACCESS, quantiles=[0.99]
    ),
    "logs_row JSON": lambda: logs_row(service="backend", logs=BACKEND_LOGS, filters=[BACKEND_PODS]),
    "logs_row JSON errors only": lambda: logs_row(
        service="backend", logs=BACKEND_LOGS, filters=[BACKEND_PODS], errors_only=True
    ),
    "logs_row access log by stream": lambda: logs_row(
        service="frontend", logs=FRONTEND_LOGS, volume_by="stream", search=False
    ),
}


def compile_section(section: Section, *, uid: str = "preset-test") -> dict:
    """The section in a dashboard that defines `$namespace`, compiled as `dashctl build` compiles it."""
    from grafanalib.core import Dashboard

    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.definitions import Definition
    from dashctl.errors import SourceLocation
    from dashctl.presets import namespace_variable, templating

    definition = Definition(
        kind="dashboard",
        name="preset_test",
        build=lambda env: None,
        location=SourceLocation(file="dashboards/preset_test.py", line=1),
        options={"uid": uid, "folder": "Tests", "layout": "auto"},
    )
    built = Dashboard(
        title="Preset test",
        templating=templating(namespace_variable(ENVIRONMENT.namespace), section),
        panels=list(section.panels),
    )
    return compile_dashboard(definition, built, ENVIRONMENT).model
