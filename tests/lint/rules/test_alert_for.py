import pytest

from tests.lint.harness import Case, Expect, alert_rules, check_case

RULE = "alert/for"
ALERTS = "alerts/shop.py"
SLO_FILE = "alerts/slo.py"


def rule(pending: str) -> str:
    return ('AlertRule(\n'
            '    uid="shop-errors", title="Shop errors", severity="warning",\n'
            '    query=PromQL(expr="sum(rate(x_total[5m]))"), condition=Threshold(above=1),\n'
            f'{pending}'
            '    summary="Shop fails", description="The shop fails.",\n'
            ')')


SLO = '''
from dashctl.alerts import SLO, slo


@slo(folder="SLOs", group="shop-slo", interval="1m")
def shop_availability(env):
    return SLO(uid="shop-availability", name="Shop availability", objective=0.999,
               errors='sum(rate(http_requests_total{code=~"5.."}[$window]))',
               total="sum(rate(http_requests_total[$window]))", period="30d",
               runbook_url="https://runbooks.example.com/shop-slo")
'''

CASES = [
    Case("for as long as the interval", files={ALERTS: alert_rules(rule('    for_="1m",\n'))}),
    Case("longer than the interval", files={ALERTS: alert_rules(rule('    for_="10m",\n'), interval="2m")}),
    Case("multi-window burn-rate rules need no for", files={SLO_FILE: SLO}),
    Case("no for at all", files={ALERTS: alert_rules(rule(""))},
         expect=[Expect(ALERTS, at="AlertRule(", message="the rule has for 0s with an evaluation interval of 1m")]),
    Case("shorter than the interval", files={ALERTS: alert_rules(rule('    for_="30s",\n'), interval="2m")},
         expect=[Expect(ALERTS, at='for_="30s"', message="has for 30s with an evaluation interval of 2m")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
