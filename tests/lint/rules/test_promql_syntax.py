import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series

RULE = "promql/syntax"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"

CASES = [
    Case("valid queries, Grafana variables and all", files={
        DASHBOARD: dashboard(time_series(
            expr='sum by (code) (rate(x_total{pod=~"api-.*"}[$__rate_interval])) > $__interval_ms')),
        ALERTS: alert_rules(alert_rule()),
    }),
    Case("an invalid panel query is a finding, not a build error", files={
        DASHBOARD: dashboard(time_series(title="Broken", expr="sum(rate(x_total[$__rate_interval])"))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="invalid PromQL: unclosed left parenthesis")]),
    Case("an invalid alert query points at its PromQL(...)", files={
        ALERTS: alert_rules(alert_rule(expr="sum(rate(x_total[5m]) by (code)"))},
         expect=[Expect(ALERTS, at="query=PromQL(", message="invalid PromQL")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)


def test_the_finding_carries_the_position_in_the_query(make_project):
    (finding,) = check_case(make_project, RULE, CASES[1])
    assert finding.query == "sum(rate(x_total[$__rate_interval])" and finding.position == len(finding.query)
    assert finding.query_ref == "A" and finding.hint
