import pytest

from tests.lint.harness import Case, Expect, alert_rules, check_case, dashboard

RULE = "logql/line-filter-order"
DASHBOARD = "dashboards/shop.py"
ALERTS = "alerts/shop.py"


def logs(query: str, title: str = "Lines") -> str:
    return f'Logs(title="{title}", description="Log lines.", dataSource="logs", targets=[Target(expr={query!r})])'


CASES = [
    Case("line filter first", files={DASHBOARD: dashboard(logs('{app="shop"} |= "error" | json | level="error"'))}),
    Case("a filter on a rewritten line", files={DASHBOARD: dashboard(
        logs('{app="shop"} | json | line_format "{{.msg}}" |= "timeout"'))}),
    Case("a line filter after the parser", files={DASHBOARD: dashboard(
        logs('{app="shop"} | json |= "error"', title="Errors"))},
         expect=[Expect(DASHBOARD, at='title="Errors"', message='line filter |= "error" comes after the json parser')]),
    Case("in an alert query", files={ALERTS: alert_rules(
        'AlertRule(uid="shop-errors", title="Shop errors", severity="warning",\n'
        '          query=LogQL(expr=\'sum(count_over_time({app="shop"} | logfmt |~ "err.*" [5m]))\'),\n'
        '          condition=Threshold(above=10), for_="5m", summary="Errors", description="Errors.")')},
         expect=[Expect(ALERTS, at="query=LogQL(", message="after the logfmt parser")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)


def test_the_caret_points_at_the_filter(make_project):
    (finding,) = check_case(make_project, RULE, CASES[2])
    assert finding.query[finding.position:].startswith('|= "error"')
