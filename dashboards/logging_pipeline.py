"""Logging pipeline: Promtail reading and shipping, Loki receiving, answering and discarding."""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import NAMESPACE, PLATFORM_TAG, namespace, platform_links
from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.presets import Query, metric_selector, row, templating, time_series
from dashctl.queries.promql import Regex, bucket_quantile, rate, sum_by

LOKI_ROUTES = Regex("loki_api_v1_push|api_prom_push|loki_api_v1_query_range|loki_api_v1_query")
"""The routes that matter to users: pushes from Promtail, queries from Grafana."""


def series(name, **labels):
    return metric_selector(name, NAMESPACE, **labels)


@dashboard(uid="logging-pipeline", folder="Observability")
def logging_pipeline(env):
    per_pod = f"{{{{{t.POD_LABEL}}}}}"
    panels = [
        row("Promtail: reading and shipping"),
        time_series(
            title="Bytes read by pod",
            description="Bytes per second each Promtail pod read from the log files under /var/log/pods "
            "(one Promtail per node).",
            unit=units.BYTES_PER_SECOND,
            datasource="metrics",
            queries=[Query(expr=sum_by([t.POD_LABEL], rate(series(t.PROMTAIL_READ_BYTES))), legend=per_pod)],
            stacked=True,
            width=8,
        ),
        time_series(
            title="Entries sent and dropped",
            description="Log entries per second Promtail pushed to Loki, and those it dropped after running out "
            "of retries (lost for good). Any dropped entry is a gap in the logs.",
            unit=units.COUNTS_PER_SECOND,
            datasource="metrics",
            queries=[
                Query(expr=sum_by([], rate(series(t.PROMTAIL_SENT))), legend="sent"),
                Query(expr=sum_by([], rate(series(t.PROMTAIL_DROPPED))), legend="dropped"),
            ],
            minimum=0,
            width=8,
        ),
        time_series(
            title="Push latency p99 by status",
            description="99th percentile duration of Promtail's pushes to Loki by status code, from the "
            "promtail_request_duration_seconds histogram; a non-2xx status code means Loki refused or failed.",
            unit=units.SECONDS,
            datasource="metrics",
            queries=[
                Query(
                    expr=bucket_quantile(
                        0.99, series(f"{t.PROMTAIL_REQUEST_DURATION}_bucket"), by=[t.HTTP_STATUS_LABEL]
                    ),
                    legend=f"p99 {{{{{t.HTTP_STATUS_LABEL}}}}}",
                )
            ],
            minimum=0,
            width=8,
        ),
        row("Loki: ingestion and queries"),
        time_series(
            title="Lines received",
            description="Log lines per second Loki's distributors accepted, over $__rate_interval.",
            unit=units.COUNTS_PER_SECOND,
            datasource="metrics",
            queries=[Query(expr=sum_by([], rate(series(t.LOKI_LINES_RECEIVED))), legend="lines")],
            minimum=0,
            width=8,
        ),
        time_series(
            title="Bytes received",
            description="Log bytes per second Loki's distributors accepted: what ingestion limits count.",
            unit=units.BYTES_PER_SECOND,
            datasource="metrics",
            queries=[Query(expr=sum_by([], rate(series(t.LOKI_BYTES_RECEIVED))), legend="bytes")],
            minimum=0,
            width=8,
        ),
        time_series(
            title="Discarded samples by reason",
            description="Log lines per second Loki refused, by reason (rate_limited, line_too_long, "
            "greater_than_max_sample_age, ...): lines that never reach storage.",
            unit=units.COUNTS_PER_SECOND,
            datasource="metrics",
            queries=[
                Query(
                    expr=sum_by([t.REASON_LABEL], rate(series(t.LOKI_DISCARDED))),
                    legend=f"{{{{{t.REASON_LABEL}}}}}",
                )
            ],
            minimum=0,
            width=8,
        ),
        time_series(
            title="Request latency p99 by route",
            description="99th percentile duration of Loki's pushes and queries, by route, from the "
            "loki_request_duration_seconds histogram over $__rate_interval.",
            unit=units.SECONDS,
            datasource="metrics",
            queries=[
                Query(
                    expr=bucket_quantile(
                        0.99,
                        series(f"{t.LOKI_REQUEST_DURATION}_bucket", **{t.LOKI_ROUTE_LABEL: LOKI_ROUTES}),
                        by=[t.LOKI_ROUTE_LABEL],
                    ),
                    legend=f"{{{{{t.LOKI_ROUTE_LABEL}}}}}",
                ),
            ],
            minimum=0,
            width=12,
        ),
        time_series(
            title="Request failures by route",
            description="Loki requests per second that ended with a 5xx status, by route.",
            unit=units.REQUESTS_PER_SECOND,
            datasource="metrics",
            queries=[
                Query(
                    expr=sum_by(
                        [t.LOKI_ROUTE_LABEL],
                        rate(
                            series(
                                f"{t.LOKI_REQUEST_DURATION}_count",
                                **{t.LOKI_ROUTE_LABEL: LOKI_ROUTES, t.HTTP_STATUS_LABEL: Regex("5..")},
                            )
                        ),
                    ),
                    legend=f"{{{{{t.LOKI_ROUTE_LABEL}}}}}",
                )
            ],
            minimum=0,
            width=12,
        ),
    ]
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="Logging pipeline",
        description="Promtail reading and shipping logs, Loki receiving, discarding and answering queries.",
        tags=[PLATFORM_TAG, "observability", "logs"],
        time=Time("now-3h", "now"),
        refresh="1m",
        timezone="browser",
        links=platform_links(),
        templating=templating(namespace(env)),
        panels=panels,
    )
