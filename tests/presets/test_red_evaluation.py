"""The RED queries of the deployed backend dashboard, evaluated by Prometheus's own engine (`promtool test rules`).

The queries are taken from the compiled `backend-api` dashboard of this repository (what ArgoCD deploys), with
Grafana's variables replaced by the values Grafana would send (`$__rate_interval` → 5m, `$namespace` → dev, "All"
→ `.*`). The input series follow the telemetry contract (DESIGN.md §1.1): prom-client's
`http_request_duration_seconds` histogram with prom-client's default buckets, labels `namespace`, `pod`,
`container`, `job`, `method`, `route`, `status_code`, scraped every 15 s.

Traffic, per second, in namespace dev:
- backend-1, GET /api/cart: 95 answered 200 and 5 answered 500 (5 errors in every 100 requests); of the 100,
  14 took at most 50 ms, 50 at most 100 ms, 30 at most 250 ms, 2 at most 500 ms and 4 at most 1 s (the 500s
  are the slow ones: timeouts).
- backend-2, GET /api/products/:id: 18 answered 200 and 2 answered 404, all within 50 to 100 ms.
and in namespace prod, which the dev dashboard must not see: 50 failing requests per second, all slower than 5 s.

promtool compares values exactly, so the traffic is chosen to make every expected value exact in binary floating
point. Each expectation also says which histogram bucket the quantile must fall in.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dashctl.queries.variables import find_variables
from tests.conftest import REPO

PROMTOOL = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)
pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (Debian: apt-get install prometheus); CI installs it"
)

INTERVAL_SECONDS = 15
SAMPLES = 80  # 20 minutes of samples
EVAL_TIME = "10m"
RATE_INTERVAL = "5m"
BUCKETS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf")
"""prom-client's default buckets."""

# (namespace, pod, route, status): requests per second, and how many of them per second fall in each bucket
# (non-cumulative, aligned with BUCKETS).
TRAFFIC = {
    ("dev", "backend-1", "/api/cart", "200"): (95, {"0.05": 14, "0.1": 50, "0.25": 30, "0.5": 1}),
    ("dev", "backend-1", "/api/cart", "500"): (5, {"0.5": 1, "1": 4}),
    ("dev", "backend-2", "/api/products/:id", "200"): (18, {"0.1": 18}),
    ("dev", "backend-2", "/api/products/:id", "404"): (2, {"0.1": 2}),
    ("prod", "backend-1", "/api/cart", "500"): (50, {"10": 50}),
}


def _labels(namespace: str, pod: str, route: str, status: str, **extra: str) -> str:
    labels = {
        "namespace": namespace,
        "pod": pod,
        "container": "backend",
        "job": f"{namespace}/backend",
        "method": "GET",
        "route": route,
        "status_code": status,
        **extra,
    }
    return "{" + ", ".join(f'{name}="{value}"' for name, value in labels.items()) + "}"


def _counter(per_second: int) -> str:
    return f"0+{per_second * INTERVAL_SECONDS}x{SAMPLES}"


def input_series() -> list[dict[str, str]]:
    series = []
    for (namespace, pod, route, status), (rate, buckets) in TRAFFIC.items():
        assert sum(buckets.values()) == rate, "every request falls in a bucket"
        labels = (namespace, pod, route, status)
        series.append({"series": f"http_request_duration_seconds_count{_labels(*labels)}", "values": _counter(rate)})
        cumulative = 0
        for le in BUCKETS:
            cumulative += buckets.get(le, 0)
            series.append(
                {
                    "series": f"http_request_duration_seconds_bucket{_labels(*labels, le=le)}",
                    "values": _counter(cumulative),
                }
            )
    return series


def with_values(query: str, values: dict[str, str]) -> str:
    """`query` as Grafana sends it: every variable replaced by its value; an unknown variable fails the test."""
    for reference in reversed(find_variables(query)):
        assert reference.name in values, f"no value for ${reference.name} in {query}"
        query = query[: reference.start] + values[reference.name] + query[reference.end :]
    return query


def grafana(route: str = ".*", pod: str = ".*") -> dict[str, str]:
    return {"__rate_interval": RATE_INTERVAL, "namespace": "dev", "pod": pod, "route": route}


def run_promtool(tmp_path: Path, tests: list[dict]) -> subprocess.CompletedProcess:
    document = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [{"interval": f"{INTERVAL_SECONDS}s", "input_series": input_series(), "promql_expr_test": tests}],
    }
    path = tmp_path / "red_test.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return subprocess.run(
        [PROMTOOL, "test", "rules", path.name], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def expect(query: str, samples: list[tuple[str, float]]) -> dict:
    return {
        "expr": query,
        "eval_time": EVAL_TIME,
        "exp_samples": [{"labels": labels, "value": value} for labels, value in samples],
    }


def assert_passes(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"promtool test rules failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def red():
    """The RED panels' queries of the dev `backend-api` dashboard, by panel title, as compiled for deployment."""
    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.project.config import load_project
    from dashctl.project.discovery import discover_definitions

    project = load_project(REPO)
    (environment,) = project.select_environments(["dev"])
    discovery = discover_definitions(project)
    (definition,) = [d for d in discovery.of_kind("dashboard") if d.options["uid"] == "backend-api"]
    model = compile_dashboard(definition, definition.build(environment), environment).model
    return {panel["title"]: [t["expr"] for t in panel.get("targets", [])] for panel in model["panels"]}


def test_request_rate_by_route_counts_every_status_of_each_route(red, tmp_path):
    (query,) = red["Request rate by route"]
    result = run_promtool(
        tmp_path,
        [
            expect(
                with_values(query, grafana()),
                [('{route="/api/cart"}', 100), ('{route="/api/products/:id"}', 20)],
            ),
            # The pod filter narrows it: backend-2 served only the product pages.
            expect(with_values(query, grafana(pod="backend-2")), [('{route="/api/products/:id"}', 20)]),
        ],
    )
    assert_passes(result)


def test_error_ratio_is_5xx_over_all_requests(red, tmp_path):
    (query,) = red["Error ratio (5xx / all)"]
    result = run_promtool(
        tmp_path,
        [
            # 5 errors in 100 requests.
            expect(with_values(query, grafana(route="/api/cart")), [("{}", 0.05)]),
            # All routes: still 5 errors, now in 120 requests; the 404s are the client's and do not count.
            expect(with_values(query, grafana()), [("{}", 5 / 120)]),
            # A route without any 5xx series shows 0, not an empty graph.
            expect(with_values(query, grafana(route="/api/products/:id")), [("{}", 0)]),
        ],
    )
    assert_passes(result)


# (quantile, expected value, the bucket it must fall in)
LATENCY = [
    (0.5, 0.086, (0.05, 0.1)),  # the 50th of 100 requests: 14 faster than 50 ms, 50 more by 100 ms
    (0.9, 0.23, (0.1, 0.25)),  # the 90th: 64 by 100 ms, 30 more by 250 ms
    (0.99, 0.875, (0.5, 1.0)),  # the 99th: 96 by 500 ms, the 4 timeouts by 1 s
]


def test_latency_quantiles_fall_in_the_right_bucket(red, tmp_path):
    queries = red["Latency p50 / p90 / p99"]
    assert [q.split(",")[0] for q in queries] == [f"histogram_quantile({q}" for q, _, _ in LATENCY]
    for _, value, (low, high) in LATENCY:
        assert low < value <= high
    result = run_promtool(
        tmp_path,
        [
            expect(with_values(query, grafana(route="/api/cart")), [("{}", value)])
            for query, (_, value, _) in zip(queries, LATENCY)
        ],
    )
    assert_passes(result)


def test_promtool_rejects_a_wrong_expectation(red, tmp_path):
    """The harness compares: an error ratio of 0.06 for 5 errors in 100 requests fails."""
    (query,) = red["Error ratio (5xx / all)"]
    result = run_promtool(tmp_path, [expect(with_values(query, grafana(route="/api/cart")), [("{}", 0.06)])])
    assert result.returncode != 0
    assert "0.06" in result.stdout + result.stderr or "6E-02" in result.stdout + result.stderr


def test_the_dashboard_queries_are_the_presets(red):
    """What promtool evaluated is what `red_row` builds from the contract's names, not a hand-written copy."""
    import telemetry as t
    from dashctl.presets import Histogram, label_values, metric_selector, red_queries

    histogram = Histogram(
        name=t.HTTP_DURATION,
        route_label=t.HTTP_ROUTE_LABEL,
        status_label=t.HTTP_STATUS_LABEL,
        method_label=t.HTTP_METHOD_LABEL,
    )
    selector = {t.NAMESPACE_LABEL: "$namespace", t.CONTAINER_LABEL: t.BACKEND}
    pods = label_values("pod", label=t.POD_LABEL, selector=metric_selector(histogram.count, selector))
    route = label_values("route", label=t.HTTP_ROUTE_LABEL, selector=metric_selector(histogram.count, selector))
    expected = red_queries(histogram, selector, filters=[pods], route=route)
    assert red["Request rate by route"] == [str(expected.requests_by_route)]
    assert red["Error ratio (5xx / all)"] == [str(expected.error_ratio)]
    assert red["Latency p50 / p90 / p99"] == [str(expr) for _, expr in expected.latency]
