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

# --- Added for the platform's alerts (alerts/) ---------------------------------------------------------------
JOB_LABEL = "job"
STREAM_LABEL = "stream"  # Promtail: stdout or stderr

# backend logs: one JSON object a line (pino); `| json` turns `level` into a label.
BACKEND_LOG_LEVEL = "level"
# frontend: nginx `combined` access log plus the request time, for LogQL's `| pattern` (see DESIGN.md §1.1).
FRONTEND_ACCESS_LOG_PATTERN = (
    '<ip> - <user> [<time>] "<method> <path> <protocol>" <status> <bytes> "<referer>" "<user_agent>" <request_time>'
)
FRONTEND_STATUS_FIELD = "status"

# MongoDB (percona mongodb_exporter).
MONGODB_UP = "mongodb_up"
MONGODB_CONNECTIONS = "mongodb_ss_connections"
MONGODB_CONN_TYPE_LABEL = "conn_type"

# Kubernetes (kube-state-metrics).
KUBE_RESTARTS = "kube_pod_container_status_restarts_total"
KUBE_REPLICAS_AVAILABLE = "kube_deployment_status_replicas_available"
KUBE_REPLICAS_SPEC = "kube_deployment_spec_replicas"
DEPLOYMENT_LABEL = "deployment"

# Logging pipeline: Promtail and Loki.
PROMTAIL_DROPPED = "promtail_dropped_entries_total"
PROMTAIL_REQUEST_DURATION = "promtail_request_duration_seconds"
LOKI_DISCARDED = "loki_discarded_samples_total"
REASON_LABEL = "reason"

# Prometheus itself.
UP = "up"
PROMETHEUS_RULE_FAILURES = "prometheus_rule_evaluation_failures_total"
RULE_GROUP_LABEL = "rule_group"

# --- Added for the platform's dashboards (dashboards/) -----------------------------------------------------------
# backend logs (pino-http): the labels Loki's `| json` makes of `res.statusCode`, `req.method`, `req.url`,
# `responseTime` (milliseconds).
BACKEND_LOG_STATUS = "res_statusCode"
BACKEND_LOG_METHOD = "req_method"
BACKEND_LOG_URL = "req_url"
BACKEND_LOG_DURATION_MS = "responseTime"
# frontend access log: the labels FRONTEND_ACCESS_LOG_PATTERN extracts besides the status.
FRONTEND_METHOD_FIELD = "method"
FRONTEND_PATH_FIELD = "path"
FRONTEND_REQUEST_TIME_FIELD = "request_time"  # seconds
STDOUT = "stdout"  # the stream the access log goes to (nginx's error log goes to stderr)

# MongoDB (percona mongodb_exporter).
MONGODB_OPCOUNTERS = "mongodb_ss_opcounters"
MONGODB_OPCOUNTERS_TYPE_LABEL = "legacy_op_type"
MONGODB_OP_LATENCY = "mongodb_ss_opLatencies_latency"  # microseconds, a counter
MONGODB_OP_LATENCY_OPS = "mongodb_ss_opLatencies_ops"
MONGODB_OP_TYPE_LABEL = "op_type"

# Kubernetes (cAdvisor).
CONTAINER_CPU = "container_cpu_usage_seconds_total"
CONTAINER_MEMORY = "container_memory_working_set_bytes"

# Logging pipeline.
PROMTAIL_SENT = "promtail_sent_entries_total"
PROMTAIL_READ_BYTES = "promtail_read_bytes_total"
LOKI_LINES_RECEIVED = "loki_distributor_lines_received_total"
LOKI_BYTES_RECEIVED = "loki_distributor_bytes_received_total"
LOKI_REQUEST_DURATION = "loki_request_duration_seconds"
LOKI_ROUTE_LABEL = "route"

# Prometheus itself.
PROMETHEUS_HEAD_SERIES = "prometheus_tsdb_head_series"
# MongoDB's own log (mongod 4.4 and later): one JSON object a line; `s` is the severity (F, E, W, I, D1-D5).
MONGODB_LOG_SEVERITY = "s"
