"""Platform overview: one glance at every part of the platform, each stat linking to its own dashboard."""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import (
    BACKEND_HISTOGRAM,
    BACKEND_METRICS,
    NAMESPACE,
    PLATFORM_TAG,
    frontend_access_logs,
    namespace,
    platform_links,
)
from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.presets import (
    access_log_queries,
    dashboard_link,
    metric_selector,
    red_queries,
    row,
    stat,
    templating,
)
from dashctl.queries.promql import increase, min_by, rate, sum_by

ERROR_RATIO_STEPS = [(None, "green"), (0.01, "orange"), (0.05, "red")]
UP_DOWN = [{"type": "value", "options": {"0": {"text": "Down", "color": "red"}, "1": {"text": "Up", "color": "green"}}}]


def details(title, uid):
    """The header link from a stat to the dashboard with the details, same time range."""
    return [dashboard_link(title, uid)]


@dashboard(uid="platform-overview", folder="Platform")
def platform_overview(env):
    backend = red_queries(BACKEND_HISTOGRAM, BACKEND_METRICS, quantiles=[0.99])
    frontend_logs = frontend_access_logs(env)
    frontend = access_log_queries(frontend_logs, quantiles=[0.99])
    to_backend = details("Backend API", "backend-api")
    to_frontend = details("Frontend", "frontend")
    panels = [
        row("Backend API"),
        stat(
            title="Backend requests",
            description="Requests per second the backend answered, over $__rate_interval.",
            unit=units.REQUESTS_PER_SECOND,
            datasource="metrics",
            queries=[backend.request_rate],
            panel_links=to_backend,
            width=8,
        ),
        stat(
            title="Backend 5xx ratio",
            description="Share of backend requests answered with a 5xx status.",
            unit=units.PERCENT_UNIT,
            datasource="metrics",
            queries=[backend.error_ratio],
            thresholds=ERROR_RATIO_STEPS,
            panel_links=to_backend,
            width=8,
        ),
        stat(
            title="Backend p99 latency",
            description="99th percentile request duration of the backend, from its histogram.",
            unit=units.SECONDS,
            datasource="metrics",
            queries=[backend.latency[0][1]],
            thresholds=[(None, "green"), (0.5, "orange"), (1, "red")],
            panel_links=to_backend,
            width=8,
        ),
        row("Frontend"),
        stat(
            title="Frontend requests",
            description="Requests per second nginx answered, counted from its access log by Loki.",
            unit=units.REQUESTS_PER_SECOND,
            datasource=frontend_logs.datasource,
            queries=[frontend.request_rate],
            panel_links=to_frontend,
            width=8,
        ),
        stat(
            title="Frontend 5xx ratio",
            description="Share of frontend requests answered with a 5xx status, from the access log.",
            unit=units.PERCENT_UNIT,
            datasource=frontend_logs.datasource,
            queries=[frontend.error_ratio],
            thresholds=ERROR_RATIO_STEPS,
            panel_links=to_frontend,
            width=8,
        ),
        stat(
            title="Frontend p99 latency",
            description="99th percentile request time nginx logged.",
            unit=units.SECONDS,
            datasource=frontend_logs.datasource,
            queries=[frontend.latency[0][1]],
            thresholds=[(None, "green"), (0.5, "orange"), (1, "red")],
            panel_links=to_frontend,
            width=8,
        ),
        row("Platform"),
        stat(
            title="Unavailable replicas",
            description="Desired minus available replicas, over every deployment of the namespace.",
            unit=units.SHORT,
            datasource="metrics",
            queries=[
                sum_by([], metric_selector(t.KUBE_REPLICAS_SPEC, NAMESPACE))
                - sum_by([], metric_selector(t.KUBE_REPLICAS_AVAILABLE, NAMESPACE))
            ],
            thresholds=[(None, "green"), (1, "red")],
            panel_links=details("Kubernetes workloads", "kubernetes-workloads"),
            width=4,
        ),
        stat(
            title="Container restarts",
            description="Container restarts in the namespace over $__rate_interval (kube-state-metrics).",
            unit=units.SHORT,
            datasource="metrics",
            queries=[sum_by([], increase(metric_selector(t.KUBE_RESTARTS, NAMESPACE)))],
            thresholds=[(None, "green"), (1, "red")],
            panel_links=details("Kubernetes workloads", "kubernetes-workloads"),
            width=4,
        ),
        stat(
            title="MongoDB",
            description="Whether every MongoDB instance answers its exporter (mongodb_up).",
            unit=units.NONE,
            datasource="metrics",
            queries=[min_by([], metric_selector(t.MONGODB_UP, NAMESPACE))],
            mappings=UP_DOWN,
            thresholds=[(None, "red"), (1, "green")],
            panel_links=details("MongoDB", "mongodb"),
            width=4,
        ),
        stat(
            title="Log lines received",
            description="Log lines per second Loki accepted from Promtail.",
            unit=units.COUNTS_PER_SECOND,
            datasource="metrics",
            queries=[sum_by([], rate(metric_selector(t.LOKI_LINES_RECEIVED, NAMESPACE)))],
            panel_links=details("Logging pipeline", "logging-pipeline"),
            width=4,
        ),
        stat(
            title="Log entries dropped",
            description="Log entries per second Promtail gave up on: lost lines.",
            unit=units.COUNTS_PER_SECOND,
            datasource="metrics",
            queries=[sum_by([], rate(metric_selector(t.PROMTAIL_DROPPED, NAMESPACE)))],
            thresholds=[(None, "green"), (0.001, "red")],
            panel_links=details("Logging pipeline", "logging-pipeline"),
            width=4,
        ),
        stat(
            title="Scrape targets down",
            description="Prometheus scrape targets in the namespace whose last scrape failed.",
            unit=units.SHORT,
            datasource="metrics",
            queries=[sum_by([], metric_selector(t.UP, NAMESPACE).eq(0, as_bool=True))],
            thresholds=[(None, "green"), (1, "red")],
            panel_links=details("Prometheus", "prometheus-health"),
            width=4,
        ),
    ]
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="Platform overview",
        description="Every part of the platform at a glance; each stat links to the dashboard with the details.",
        tags=[PLATFORM_TAG, "overview"],
        time=Time("now-1h", "now"),
        refresh="1m",
        timezone="browser",
        links=platform_links(),
        templating=templating(namespace(env)),
        panels=panels,
    )
