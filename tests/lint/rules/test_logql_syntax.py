import pytest

from tests.lint.harness import Case, Expect, alert_rules, check_case, dashboard

RULE = "logql/syntax"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"


def logs(query: str, title: str = "Lines") -> str:
    return f'Logs(title="{title}", description="Log lines.", dataSource="logs", targets=[Target(expr={query!r})])'


def log_alert(expr: str) -> str:
    return (f'AlertRule(uid="shop-errors", title="Shop errors", severity="warning",\n'
            f'          query=LogQL(expr={expr!r}),\n'
            f'          condition=Threshold(above=10), for_="5m", summary="Errors", description="Errors.")')


CASES = [
    Case("valid log and metric queries", files={
        DASHBOARD: dashboard(logs('{app="shop"} |= "error" | json | level="error"')),
        ALERTS: alert_rules(log_alert('sum(count_over_time({app="shop"} |= "error" [5m]))')),
    }),
    Case("an invalid log query", files={DASHBOARD: dashboard(logs('{app="shop" |= "error"', title="Broken"))},
         expect=[Expect(DASHBOARD, at='title="Broken"', message="invalid LogQL")]),
    Case("an invalid alert query", files={
        ALERTS: alert_rules(log_alert('sum(count_over_time({app="shop"} | json [5m])'))},
         expect=[Expect(ALERTS, at="query=LogQL(", message="invalid LogQL")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
