import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, without_annotation

RULE = "alert/summary"
ALERTS = "alerts/shop.py"

CASES = [
    Case("a one-line summary", files={ALERTS: alert_rules(alert_rule())}),
    Case("no summary (refused by AlertRule; what Grafana would get)", files={ALERTS: alert_rules(alert_rule())},
         transform=without_annotation("summary"),
         expect=[Expect(ALERTS, at='summary="Shop fails"', message="has no summary")]),
    Case("a summary over several lines", files={ALERTS: alert_rules(
        'AlertRule(uid="shop-errors", title="Shop errors", severity="warning",\n'
        '          query=PromQL(expr="sum(rate(x_total[5m]))"), condition=Threshold(above=1), for_="5m",\n'
        '          summary="Shop fails\\nsee the dashboard", description="The shop fails.")')},
         expect=[Expect(ALERTS, at="summary=", message="spans several lines")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
