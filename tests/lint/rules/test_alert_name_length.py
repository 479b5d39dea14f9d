import pytest

from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case

RULE = "alert/name-length"
ALERTS = "alerts/shop.py"

CASES = [
    Case("40 characters", files={ALERTS: alert_rules(alert_rule(title="x" * 40))}),
    Case("41 characters", files={ALERTS: alert_rules(alert_rule(title="Shop checkout failing for many customers!"))},
         expect=[Expect(ALERTS, at='title="Shop checkout', message="is 41 characters long")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
