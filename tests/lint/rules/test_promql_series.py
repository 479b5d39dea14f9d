import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series
from tests.lint.rules.live import inventories  # noqa: F401 - fixture

RULE = "promql/series"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"

CASES = [
    Case("metrics with series", files={
        DASHBOARD: dashboard(time_series(expr='sum(rate(http_request_duration_seconds_count{namespace="prod"}'
                                              '[$__rate_interval]))')),
        ALERTS: alert_rules(alert_rule(expr="sum(up) < 1")),
    }),
    Case("a misspelt metric in an alert", files={ALERTS: alert_rules(alert_rule(
        expr='sum(rate(http_request_duration_seconds_cont{namespace="prod"}[5m])) > 1'))},
         expect=[Expect(ALERTS, at="query=PromQL(", message="http_request_duration_seconds_cont has never had series",
                        environments=("dev", "prod"))]),
    Case("a metric that disappeared, in a panel", files={DASHBOARD: dashboard(
        time_series(title="Orders", expr="sum(rate(shop_orders_total[$__rate_interval]))"))},
         expect=[Expect(DASHBOARD, at='targets=[Target(expr=', message="shop_orders_total has had no series for 1 h")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, inventories, case):  # noqa: F811
    check_case(make_project, RULE, case, live=inventories)


def test_did_you_mean(make_project, inventories):  # noqa: F811
    found = check_case(make_project, RULE, CASES[1], live=inventories)
    assert "did you mean http_request_duration_seconds_count?" in found[0].message


def test_last_seen(make_project, inventories, live_prometheus):  # noqa: F811
    from tests.history import ORDERS_UNTIL

    found = check_case(make_project, RULE, CASES[2], live=inventories)
    last = live_prometheus.start + (ORDERS_UNTIL - 5) * 60  # the last sample of tests/history.py
    from dashctl.backtest.window import format_time

    # count() at a 5-minute step sees the last sample for up to the 5-minute lookback after it
    assert any(f"last seen {format_time(last + shift)}" in found[0].message for shift in (0, 300))
    assert found[0].severity.label == "warning"


def test_without_live_the_rule_does_not_run(make_project):
    check_case(make_project, RULE, Case("no prometheus asked", files=CASES[1].files))
