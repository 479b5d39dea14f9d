import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series

RULE = "promql/rate-interval"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"

CASES = [
    Case("$__rate_interval", files={DASHBOARD: dashboard(time_series(expr="sum(rate(x_total[$__rate_interval]))"))}),
    Case("$__range over the whole time range", files={DASHBOARD: dashboard(
        time_series(expr="sum(rate(x_total[$__range]))"))}),
    Case("increase and *_over_time are not rates", files={DASHBOARD: dashboard(
        time_series(expr="sum(increase(x_total[1h])) + max_over_time(y[5m])"))}),
    Case("alert rules use fixed windows", files={ALERTS: alert_rules(alert_rule(
        expr="sum(rate(x_total[5m]))"))}),
    Case("an instant query asks for its window", files={DASHBOARD: dashboard(
        'Stat(title="Availability", description="Over 30 days.", dataSource="metrics", format="percentunit",\n'
        '     targets=[Target(expr="1 - sum(rate(err_total[30d])) / sum(rate(req_total[30d]))", instant=True)])')}),
    Case("a fixed window", files={DASHBOARD: dashboard(time_series(title="Fixed", expr="sum(rate(x_total[5m]))"))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="rate(x_total[5m]) uses a window of 5m")]),
    Case("$__interval", files={DASHBOARD: dashboard(time_series(title="Interval",
                                                                expr="sum(irate(x_total[$__interval]))"))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="irate(x_total[$__interval])")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
