import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, dashboard, time_series

RULE = "alert/dashboard-link"
ALERTS = "alerts/shop.py"

CASES = [
    Case("a linked panel", files={
        "dashboards/shop.py": dashboard(time_series(title="Requests")),
        ALERTS: alert_rules(alert_rule(lines='dashboard=DashboardPanel(uid="shop", panel="Requests"),')),
    }),
    Case("no link", files={ALERTS: alert_rules(alert_rule())},
         expect=[Expect(ALERTS, at="AlertRule(", message="links no dashboard panel")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
