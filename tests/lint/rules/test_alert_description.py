import pytest

from tests.lint.harness import Case, Expect, alert_rules, check_case

RULE = "alert/description"
ALERTS = "alerts/shop.py"


def rule(description: str) -> str:
    return ('AlertRule(uid="shop-errors", title="Shop errors", severity="warning",\n'
            '          query=PromQL(expr="sum(rate(x_total[5m]))"), condition=Threshold(above=1), for_="5m",\n'
            f'          summary="Shop fails"{description})')


CASES = [
    Case("a description", files={ALERTS: alert_rules(rule(', description="Requests fail."'))}),
    Case("no description", files={ALERTS: alert_rules(rule(""))},
         expect=[Expect(ALERTS, at="AlertRule(", message="has no description")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
