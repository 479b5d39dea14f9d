"""Backend API: RED (rate, errors, duration) from the request-duration histogram, and its error logs from Loki."""

from grafanalib.core import Dashboard, Logs, Target, Templating, Time, TimeSeries

import telemetry as t
from dashctl.definitions import dashboard

SELECTOR = f'{t.NAMESPACE_LABEL}="$namespace", {t.CONTAINER_LABEL}="{t.BACKEND}"'
RATE = f"[$__rate_interval]"


@dashboard(uid="backend-api", folder="Backend")
def backend_api(env):
    requests = f"{t.HTTP_DURATION}_count{{{SELECTOR}}}"
    errors = f'{t.HTTP_DURATION}_count{{{SELECTOR}, {t.HTTP_STATUS_LABEL}=~"5.."}}'
    buckets = f"{t.HTTP_DURATION}_bucket{{{SELECTOR}}}"
    return Dashboard(
        title="Backend API",
        description=f"Requests, errors and latency of the {t.BACKEND} API, and its error logs.",
        tags=["backend", "red"],
        time=Time("now-1h", "now"),
        refresh="30s",
        timezone="browser",
        templating=Templating(
            list=[
                {"name": "namespace", "type": "constant", "query": env.namespace, "hide": 2},
            ]
        ),
        panels=[
            TimeSeries(
                title="Request rate by route",
                description="Requests per second handled by the backend, by Express route.",
                dataSource="metrics",
                unit="reqps",
                targets=[
                    Target(
                        expr=f"sum by ({t.HTTP_ROUTE_LABEL}) (rate({requests}{RATE}))",
                        legendFormat=f"{{{{{t.HTTP_ROUTE_LABEL}}}}}",
                        refId="A",
                    )
                ],
            ),
            TimeSeries(
                title="Error ratio (5xx / all)",
                description="Share of requests answered with a 5xx status.",
                dataSource="metrics",
                unit="percentunit",
                targets=[
                    Target(
                        expr=f"sum(rate({errors}{RATE})) / sum(rate({requests}{RATE}))",
                        legendFormat="5xx ratio",
                        refId="A",
                    )
                ],
            ),
            TimeSeries(
                title="Latency p50 / p90 / p99",
                description="Request duration quantiles estimated from the histogram buckets.",
                dataSource="metrics",
                unit="s",
                targets=[
                    Target(
                        expr=f"histogram_quantile({q}, sum by (le) (rate({buckets}{RATE})))",
                        legendFormat=f"p{int(q * 100)}",
                        refId=ref,
                    )
                    for ref, q in (("A", 0.5), ("B", 0.9), ("C", 0.99))
                ],
            ),
            Logs(
                title="Error logs",
                description="Backend log lines at level error.",
                dataSource="logs",
                targets=[
                    Target(
                        expr=f'{{{t.NAMESPACE_LABEL}="$namespace", {t.APP_LABEL}="{t.BACKEND}"}} | json | level="error"',
                        refId="A",
                    )
                ],
                showTime=True,
                wrapLogMessages=True,
            ),
        ],
    ).auto_panel_ids()
