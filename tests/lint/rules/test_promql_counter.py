import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series

RULE = "promql/counter"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"

CASES = [
    Case("counters inside rate and increase", files={
        DASHBOARD: dashboard(time_series(expr="sum(rate(x_total[$__rate_interval]))")),
        ALERTS: alert_rules(alert_rule(expr="sum(increase(x_total[15m]))")),
    }),
    Case("a gauge read as it is", files={DASHBOARD: dashboard(time_series(expr="sum(process_resident_memory_bytes)"))}),
    Case("a counter read as it is in a panel", files={DASHBOARD: dashboard(
        time_series(title="Total", expr="sum(http_requests_total)"))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="http_requests_total is a counter")]),
    Case("a histogram count read as it is in an alert", files={ALERTS: alert_rules(alert_rule(
        expr='sum(http_request_duration_seconds_count{code="500"})'))},
         expect=[Expect(ALERTS, at="query=PromQL(", message="http_request_duration_seconds_count is a counter")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
