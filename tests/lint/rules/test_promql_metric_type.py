import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series
from tests.lint.rules.live import inventories  # noqa: F401 - fixture

RULE = "promql/metric-type"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"

CASES = [
    Case("rate of counters and of a histogram's series; quantile over buckets", files={
        DASHBOARD: dashboard(time_series(expr="sum(rate(process_cpu_seconds_total[$__rate_interval]))"),
                             time_series(title="Count", expr="sum(rate(http_request_duration_seconds_count"
                                                              "[$__rate_interval]))")),
        ALERTS: alert_rules(alert_rule(expr='histogram_quantile(0.99, sum by (le) (rate('
                                            'http_request_duration_seconds_bucket[5m]))) > 1')),
    }),
    Case("a gauge inside rate", files={ALERTS: alert_rules(alert_rule(
        expr="sum(rate(process_resident_memory_bytes[5m])) > 1"))},
         expect=[Expect(ALERTS, at="query=PromQL(", message="rate() expects a counter, but "
                                                          "process_resident_memory_bytes is a gauge")]),
    Case("histogram_quantile over series without le", files={DASHBOARD: dashboard(time_series(
        title="p99", expr="histogram_quantile(0.99, sum by (route) (rate(http_request_duration_seconds_bucket"
                          "[$__rate_interval])))"))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="histogram_quantile() reads series without an 'le'")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, inventories, case):  # noqa: F811
    check_case(make_project, RULE, case, live=inventories)
