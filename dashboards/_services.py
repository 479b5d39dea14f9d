"""The platform's services as its dashboards see them: selectors, the backend's histogram, the log formats.

Shared by the dashboard files (a `_` file is not scanned for definitions); every name comes from telemetry.py.
"""

from grafanalib.core import DashboardLink

import telemetry as t
from dashctl.dashboards import units
from dashctl.presets import Histogram, LogFormat, ServiceLogs, label_values, metric_selector, namespace_variable
from dashctl.queries.logql_builder import Parser, stream

NAMESPACE = {t.NAMESPACE_LABEL: "$namespace"}
"""Every selector starts here: `$namespace` is the environment's namespace (a hidden constant)."""

BACKEND_METRICS = {**NAMESPACE, t.CONTAINER_LABEL: t.BACKEND}
BACKEND_HISTOGRAM = Histogram(
    name=t.HTTP_DURATION,
    route_label=t.HTTP_ROUTE_LABEL,
    status_label=t.HTTP_STATUS_LABEL,
    method_label=t.HTTP_METHOD_LABEL,
)
BACKEND_LOG_FORMAT = LogFormat(
    name="backend JSON lines (pino)",
    parser=Parser(kind="json"),
    level=t.BACKEND_LOG_LEVEL,
    status=t.BACKEND_LOG_STATUS,
    method=t.BACKEND_LOG_METHOD,
    path=t.BACKEND_LOG_URL,
    duration=t.BACKEND_LOG_DURATION_MS,
    duration_unit=units.MILLISECONDS,
)
FRONTEND_LOG_FORMAT = LogFormat(
    name="frontend nginx access log (combined + request time)",
    parser=Parser(kind="pattern", expression=t.FRONTEND_ACCESS_LOG_PATTERN),
    status=t.FRONTEND_STATUS_FIELD,
    method=t.FRONTEND_METHOD_FIELD,
    path=t.FRONTEND_PATH_FIELD,
    duration=t.FRONTEND_REQUEST_TIME_FIELD,
    duration_unit=units.SECONDS,
)


def namespace(env):
    """The hidden `$namespace` constant every platform dashboard defines."""
    return namespace_variable(env.namespace)


def backend_pods():
    """`$pod`: the backend pods that served requests in the time range."""
    return label_values(
        "pod",
        label=t.POD_LABEL,
        selector=metric_selector(BACKEND_HISTOGRAM.count, BACKEND_METRICS),
        title="Pod",
        description="The backend pods to show; All by default.",
    )


def frontend_pods(env):
    """`$pod`: the frontend pods that logged in the time range (the frontend has no metrics of its own)."""
    return label_values(
        "pod",
        label=t.POD_LABEL,
        selector=stream(**NAMESPACE, **{t.APP_LABEL: t.FRONTEND}),
        datasource=env.datasource("logs"),
        title="Pod",
        description="The frontend pods to show; All by default.",
    )


def backend_logs(env):
    """The backend's log streams: one JSON object a line."""
    return ServiceLogs(
        selector={**NAMESPACE, t.APP_LABEL: t.BACKEND},
        format=BACKEND_LOG_FORMAT,
        datasource=env.datasource("logs"),
    )


def frontend_access_logs(env):
    """The frontend's access log: nginx writes it to stdout, its error log to stderr."""
    return ServiceLogs(
        selector={**NAMESPACE, t.APP_LABEL: t.FRONTEND, t.STREAM_LABEL: t.STDOUT},
        format=FRONTEND_LOG_FORMAT,
        datasource=env.datasource("logs"),
    )


def frontend_logs(env):
    """Everything the frontend's nginx writes: access log (stdout) and error log (stderr)."""
    return ServiceLogs(
        selector={**NAMESPACE, t.APP_LABEL: t.FRONTEND},
        format=FRONTEND_LOG_FORMAT,
        datasource=env.datasource("logs"),
    )


PLATFORM_TAG = "platform"


def platform_links():
    """The dashboard's header links: every platform dashboard, in a dropdown, keeping the time range."""
    return [
        DashboardLink(
            title="Platform dashboards",
            type="dashboards",
            tags=[PLATFORM_TAG],
            asDropdown=True,
            keepTime=True,
            includeVars=False,
        )
    ]
