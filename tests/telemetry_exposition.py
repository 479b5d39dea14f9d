"""Current series that follow the platform's telemetry contract (DESIGN.md §1.1, telemetry.py), in Prometheus'
text exposition format with their types, for `lint --live` against a real Prometheus that scrapes them."""

from __future__ import annotations

POD_LABELS = {"namespace": "prod", "pod": "backend-7d9f-abcde", "container": "backend", "job": "prod/backend"}

# name → (type, label sets); the scrape labels are added to every series.
FAMILIES: dict[str, tuple[str, list[dict[str, str]]]] = {
    "http_request_duration_seconds": ("histogram", [
        {"method": "GET", "route": "/api/cart", "status_code": "200"},
        {"method": "POST", "route": "/api/orders", "status_code": "500"},
    ]),
    "process_cpu_seconds_total": ("counter", [{}]),
    "process_resident_memory_bytes": ("gauge", [{}]),
    "nodejs_eventloop_lag_seconds": ("gauge", [{}]),
    "nodejs_heap_size_used_bytes": ("gauge", [{}]),
    "mongodb_up": ("gauge", [{"container": "mongodb", "pod": "mongodb-0"}]),
    "mongodb_ss_connections": ("gauge", [{"container": "mongodb", "pod": "mongodb-0", "conn_type": "current"},
                                         {"container": "mongodb", "pod": "mongodb-0", "conn_type": "available"}]),
    "mongodb_ss_opcounters": ("counter", [{"container": "mongodb", "pod": "mongodb-0", "legacy_op_type": "query"}]),
    "mongodb_ss_opLatencies_latency": ("counter", [{"container": "mongodb", "pod": "mongodb-0", "op_type": "reads"}]),
    "mongodb_ss_opLatencies_ops": ("counter", [{"container": "mongodb", "pod": "mongodb-0", "op_type": "reads"}]),
    "kube_pod_container_status_restarts_total": ("counter", [{}]),
    "kube_deployment_status_replicas_available": ("gauge", [{"deployment": "backend"}]),
    "kube_deployment_spec_replicas": ("gauge", [{"deployment": "backend"}]),
    "container_cpu_usage_seconds_total": ("counter", [{}]),
    "container_memory_working_set_bytes": ("gauge", [{}]),
    "promtail_sent_entries_total": ("counter", [{"container": "promtail"}]),
    "promtail_dropped_entries_total": ("counter", [{"container": "promtail", "reason": "rate_limited"}]),
    "promtail_request_duration_seconds": ("histogram", [{"container": "promtail", "status_code": "204"}]),
    "promtail_read_bytes_total": ("counter", [{"container": "promtail", "path": "/var/log/pods/x.log"}]),
    "loki_distributor_lines_received_total": ("counter", [{"container": "loki"}]),
    "loki_distributor_bytes_received_total": ("counter", [{"container": "loki"}]),
    "loki_request_duration_seconds": ("histogram", [{"container": "loki", "route": "loki_api_v1_push",
                                                     "status_code": "204"}]),
    "loki_discarded_samples_total": ("counter", [{"container": "loki", "reason": "rate_limited"}]),
    "up": ("gauge", [{}]),
    "prometheus_tsdb_head_series": ("gauge", [{"container": "prometheus"}]),
    "prometheus_rule_evaluation_failures_total": ("counter", [{"container": "prometheus",
                                                              "rule_group": "/etc/rules.yaml;example"}]),
}


def exposition() -> bytes:
    lines = []
    for name, (kind, label_sets) in FAMILIES.items():
        lines.append(f"# TYPE {name} {kind}")
        for extra in label_sets:
            labels = {**POD_LABELS, **extra}
            if kind == "histogram":
                for bound in ("0.1", "1", "+Inf"):
                    lines.append(f"{name}_bucket{_labels({**labels, 'le': bound})} 1")
                lines.append(f"{name}_sum{_labels(labels)} 1")
                lines.append(f"{name}_count{_labels(labels)} 1")
            else:
                lines.append(f"{name}{_labels(labels)} 1")
    return ("\n".join(lines) + "\n").encode()


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"
