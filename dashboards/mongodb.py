"""MongoDB: availability, connections, operations and their latency (percona mongodb_exporter), and its log."""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import NAMESPACE, PLATFORM_TAG, namespace, platform_links
from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.presets import (
    LogFormat,
    Query,
    Section,
    ServiceLogs,
    label_values,
    logs_row,
    metric_selector,
    row,
    stat,
    templating,
    time_series,
)
from dashctl.queries.logql_builder import Parser
from dashctl.queries.promql import Regex, min_by, rate, ratio, sum_by

MONGOD_JSON = LogFormat(
    name="mongod structured JSON log",
    parser=Parser(kind="json"),
    level=t.MONGODB_LOG_SEVERITY,
    error_levels=("F", "E"),
)
UP_DOWN = [{"type": "value", "options": {"0": {"text": "Down", "color": "red"}, "1": {"text": "Up", "color": "green"}}}]


def server(pods):
    def series(name, **labels):
        return metric_selector(name, NAMESPACE, [pods], **labels)

    def connections(conn_type):
        return series(t.MONGODB_CONNECTIONS, **{t.MONGODB_CONN_TYPE_LABEL: conn_type})

    per_pod = f"{{{{{t.POD_LABEL}}}}}"
    return Section(
        panels=[
            row("MongoDB: server"),
            stat(
                title="Up",
                description="Whether the exporter reaches mongod: the lowest mongodb_up of the selected pods "
                "(Down if any is down).",
                unit=units.NONE,
                datasource="metrics",
                queries=[min_by([], series(t.MONGODB_UP))],
                mappings=UP_DOWN,
                thresholds=[(None, "red"), (1, "green")],
                width=6,
            ),
            stat(
                title="Current connections",
                description="Client connections open now, over the selected pods.",
                unit=units.SHORT,
                datasource="metrics",
                queries=[sum_by([], connections("current"))],
                width=6,
            ),
            time_series(
                title="Connections in use",
                description="Share of the connections mongod allows that are in use, per pod: current / "
                "(current + available). At 100% new clients are refused.",
                unit=units.PERCENT_UNIT,
                datasource="metrics",
                queries=[
                    Query(
                        expr=ratio(
                            sum_by([t.POD_LABEL], connections("current")),
                            sum_by([t.POD_LABEL], connections(Regex("current|available"))),
                        ),
                        legend=per_pod,
                    )
                ],
                minimum=0,
                width=12,
            ),
            time_series(
                title="Operations by type",
                description="Operations per second mongod executed, by type (insert, query, update, delete, "
                "getmore, command), from its opcounters.",
                unit=units.OPS_PER_SECOND,
                datasource="metrics",
                queries=[
                    Query(
                        expr=sum_by([t.MONGODB_OPCOUNTERS_TYPE_LABEL], rate(series(t.MONGODB_OPCOUNTERS))),
                        legend=f"{{{{{t.MONGODB_OPCOUNTERS_TYPE_LABEL}}}}}",
                    )
                ],
                stacked=True,
                width=12,
            ),
            time_series(
                title="Average operation latency by type",
                description="Mean time mongod spent per operation, by type (reads, writes, commands, "
                "transactions): the rate of total latency divided by the rate of operations.",
                unit=units.MICROSECONDS,
                datasource="metrics",
                queries=[
                    Query(
                        expr=ratio(
                            sum_by([t.MONGODB_OP_TYPE_LABEL], rate(series(t.MONGODB_OP_LATENCY))),
                            sum_by([t.MONGODB_OP_TYPE_LABEL], rate(series(t.MONGODB_OP_LATENCY_OPS))),
                        ),
                        legend=f"{{{{{t.MONGODB_OP_TYPE_LABEL}}}}}",
                    )
                ],
                minimum=0,
                width=12,
            ),
        ],
        variables=[pods],
    )


@dashboard(uid="mongodb", folder="Data")
def mongodb(env):
    pods = label_values(
        "pod",
        label=t.POD_LABEL,
        selector=metric_selector(t.MONGODB_UP, NAMESPACE),
        title="Pod",
        description="The MongoDB pods to show; All by default.",
    )
    metrics = server(pods)
    logs = logs_row(
        service="MongoDB",
        logs=ServiceLogs(
            selector={**NAMESPACE, t.APP_LABEL: t.MONGODB}, format=MONGOD_JSON, datasource=env.datasource("logs")
        ),
        filters=[pods],
        title="MongoDB: log",
    )
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="MongoDB",
        description="Availability, connections, operations and latency of MongoDB, and its log.",
        tags=[PLATFORM_TAG, "mongodb", "data"],
        time=Time("now-3h", "now"),
        refresh="1m",
        timezone="browser",
        links=platform_links(),
        templating=templating(namespace(env), metrics, logs),
        panels=[*metrics.panels, *logs.panels],
    )
