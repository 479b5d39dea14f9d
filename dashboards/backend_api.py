"""Backend API: RED from the request-duration histogram, the Node.js runtime, and the error logs."""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import (
    BACKEND_HISTOGRAM,
    BACKEND_METRICS,
    PLATFORM_TAG,
    backend_logs,
    backend_pods,
    namespace,
    platform_links,
)
from alerts._slos import backend_availability
from dashctl.alerts import slo_panels
from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.presets import Query, Section, logs_row, metric_selector, red_row, row, templating, time_series
from dashctl.queries.promql import max_by, rate, sum_by


def node_runtime(pods):
    """CPU, memory, event loop lag and heap of the backend's Node.js processes, per pod."""

    def series(name):
        return metric_selector(name, BACKEND_METRICS, [pods])

    per_pod = f"{{{{{t.POD_LABEL}}}}}"
    return Section(
        panels=[
            row("Backend: Node.js runtime"),
            time_series(
                title="CPU by pod",
                description="CPU time the Node.js process used per second, per pod: 1 is one core busy.",
                unit=units.suffix(" cores"),
                datasource="metrics",
                queries=[Query(expr=sum_by([t.POD_LABEL], rate(series(t.NODE_CPU))), legend=per_pod)],
                minimum=0,
                width=6,
            ),
            time_series(
                title="Resident memory by pod",
                description="Resident set size of the Node.js process per pod: what the kernel counts against "
                "the container's memory limit.",
                unit=units.BYTES,
                datasource="metrics",
                queries=[Query(expr=sum_by([t.POD_LABEL], series(t.NODE_RSS)), legend=per_pod)],
                minimum=0,
                width=6,
            ),
            time_series(
                title="Event loop lag by pod",
                description="How late the event loop ran a timer, per pod: a busy or blocked loop delays every "
                "request that pod serves.",
                unit=units.SECONDS,
                datasource="metrics",
                queries=[Query(expr=max_by([t.POD_LABEL], series(t.NODE_EVENT_LOOP_LAG)), legend=per_pod)],
                minimum=0,
                width=6,
            ),
            time_series(
                title="Heap used by pod",
                description="V8 heap in use per pod; a steady climb across garbage collections suggests a leak.",
                unit=units.BYTES,
                datasource="metrics",
                queries=[Query(expr=sum_by([t.POD_LABEL], series(t.NODE_HEAP_USED)), legend=per_pod)],
                minimum=0,
                width=6,
            ),
        ],
        variables=[pods],
    )


# dashctl-lint: ignore[promql/rate-interval] reason: the SLO row's burn-rate panel shows the alerting windows
# (1h, 6h) by design; every other panel's windows are checked by tests/dashboards/test_platform.py
@dashboard(uid="backend-api", folder="Backend")
def backend_api(env):
    pods = backend_pods()
    logs = backend_logs(env)
    red = red_row(
        service=t.BACKEND,
        histogram=BACKEND_HISTOGRAM,
        selector=BACKEND_METRICS,
        filters=[pods],
        logs=logs,
    )
    runtime = node_runtime(pods)
    errors = logs_row(service=t.BACKEND, logs=logs, filters=[pods], errors_only=True, title="Backend: error logs")
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="Backend API",
        description=f"Requests, errors and latency of the {t.BACKEND} API, its Node.js runtime, and its error logs.",
        tags=[PLATFORM_TAG, "backend", "red"],
        time=Time("now-1h", "now"),
        refresh="30s",
        timezone="browser",
        links=platform_links(),
        templating=templating(namespace(env), red, runtime, errors),
        panels=[*red.panels, *slo_panels(backend_availability(env)), *runtime.panels, *errors.panels],
    )
