import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case, with_label, without_label

RULE = "alert/severity"
ALERTS = "alerts/shop.py"

# dashctl's AlertRule refuses a rule without a known severity, so the failing cases edit the compiled rule: the
# rule guards what Grafana gets, whatever produced it.
CASES = [
    Case("critical, warning and info", files={ALERTS: alert_rules(
        alert_rule("a", title="A", severity="critical", lines='runbook_url="https://runbooks.example.com/a",'),
        alert_rule("b", title="B", severity="warning"),
        alert_rule("c", title="C", severity="info"),
    )}),
    Case("no severity label", files={ALERTS: alert_rules(alert_rule())}, transform=without_label("severity"),
         expect=[Expect(ALERTS, at='severity="warning"', message="no severity label")]),
    Case("a severity the routing does not know", files={ALERTS: alert_rules(alert_rule())},
         transform=with_label("severity", "page"),
         expect=[Expect(ALERTS, at='severity="warning"', message="has severity 'page'")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
