"""The telemetry names the platform's definitions assume (DESIGN.md §1.1), in one place.

A team whose exporters or labels are named differently changes this module, not every dashboard and alert.
"""

# Labels on every scraped series, and on every Promtail log stream.
NAMESPACE_LABEL = "namespace"
POD_LABEL = "pod"
CONTAINER_LABEL = "container"
APP_LABEL = "app"  # Promtail: from the pod's app.kubernetes.io/name

# Services as they appear in the `app` stream label and the `container` scrape label.
BACKEND = "backend"
FRONTEND = "frontend"
MONGODB = "mongodb"

# backend: prom-client with an Express middleware.
HTTP_DURATION = "http_request_duration_seconds"
HTTP_METHOD_LABEL = "method"
HTTP_ROUTE_LABEL = "route"
HTTP_STATUS_LABEL = "status_code"
NODE_CPU = "process_cpu_seconds_total"
NODE_RSS = "process_resident_memory_bytes"
NODE_EVENT_LOOP_LAG = "nodejs_eventloop_lag_seconds"
NODE_HEAP_USED = "nodejs_heap_size_used_bytes"
