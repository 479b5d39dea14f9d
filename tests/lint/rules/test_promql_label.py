import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series
from tests.lint.rules.live import inventories  # noqa: F401 - fixture

RULE = "promql/label"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"

CASES = [
    Case("labels the series have; a label made by label_replace", files={
        DASHBOARD: dashboard(time_series(
            expr='sum by (route) (rate(http_request_duration_seconds_count{namespace="prod", '
                 'status_code=~"5.."}[$__rate_interval]))'),
            time_series(title="Replaced", expr='sum by (service) (label_replace(up, "service", "$1", "job", "(.*)"))')),
        ALERTS: alert_rules(alert_rule(expr='histogram_quantile(0.99, sum by (le) (rate('
                                            'http_request_duration_seconds_bucket{container="backend"}[5m]))) > 1')),
    }),
    Case("a wrong label in a matcher", files={ALERTS: alert_rules(alert_rule(
        expr='sum(rate(http_request_duration_seconds_count{namespace="prod", status="500"}[5m])) > 1'))},
         expect=[Expect(ALERTS, at="query=PromQL(", message="matches on label 'status'")]),
    Case("a wrong label in by", files={DASHBOARD: dashboard(time_series(
        title="By route", expr='sum by (routes) (rate(http_request_duration_seconds_count[$__rate_interval]))'))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="groups by label 'routes'")]),
    Case("a label in on() that one side lacks", files={DASHBOARD: dashboard(time_series(
        title="Joined", expr='sum by (pod) (rate(process_cpu_seconds_total[$__rate_interval])) '
                             '/ on (pod, deployment) sum by (pod) (process_resident_memory_bytes)'))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="matches on() by label 'deployment'")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, inventories, case):  # noqa: F811
    check_case(make_project, RULE, case, live=inventories)


def test_did_you_mean(make_project, inventories):  # noqa: F811
    found = check_case(make_project, RULE, CASES[2], live=inventories)
    assert "did you mean 'route'?" in found[0].message
