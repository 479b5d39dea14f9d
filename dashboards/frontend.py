"""Frontend: RED from the nginx access log (LogQL), 4xx and 5xx by path, and the logs themselves.

The frontend is a React app served by nginx, with no metrics of its own: Loki counts its requests from the access
log, which nginx writes to stdout in the `combined` format followed by the request time.
"""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import (
    PLATFORM_TAG,
    frontend_access_logs,
    frontend_logs,
    frontend_pods,
    namespace,
    platform_links,
)
from dashctl.definitions import dashboard
from dashctl.presets import access_log_red_row, logs_row, templating


@dashboard(uid="frontend", folder="Frontend")
def frontend(env):
    pods = frontend_pods(env)
    red = access_log_red_row(service=t.FRONTEND, logs=frontend_access_logs(env), filters=[pods])
    logs = logs_row(
        service=t.FRONTEND,
        logs=frontend_logs(env),
        filters=[pods],
        volume_by=t.STREAM_LABEL,
        title="Frontend: logs (access log on stdout, nginx errors on stderr)",
    )
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="Frontend",
        description="Requests, errors and latency of the frontend's nginx, computed by Loki from its access log, "
        "and its logs.",
        tags=[PLATFORM_TAG, "frontend", "red", "logs"],
        time=Time("now-1h", "now"),
        refresh="1m",
        timezone="browser",
        links=platform_links(),
        templating=templating(namespace(env), red, logs),
        panels=[*red.panels, *logs.panels],
    )
