import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, without_annotation

RULE = "alert/runbook-url"
ALERTS = "alerts/shop.py"
CRITICAL = alert_rule(severity="critical", lines='runbook_url="https://runbooks.example.com/shop-errors",')

CASES = [
    Case("a critical rule with a runbook", files={ALERTS: alert_rules(CRITICAL)}),
    Case("a warning needs none", files={ALERTS: alert_rules(alert_rule(severity="warning"))}),
    Case("a critical rule without one (refused by AlertRule; what Grafana would get)",
         files={ALERTS: alert_rules(CRITICAL)}, transform=without_annotation("runbook_url"),
         expect=[Expect(ALERTS, at="AlertRule(", message="critical and has no runbook_url")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
