import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard

RULE = "panel/duplicate-query"
FILE = "dashboards/shop.py"


def panel(first: str, second: str) -> str:
    return (f'TimeSeries(title="Requests", description="Requests.", unit="reqps", dataSource="metrics",\n'
            f'           targets=[Target(expr={first!r}, refId="A"), Target(expr={second!r}, refId="B")])')


CASES = [
    Case("two different queries", files={FILE: dashboard(panel("sum(rate(a_total[$__rate_interval]))",
                                                               "sum(rate(b_total[$__rate_interval]))"))}),
    Case("the same query twice, spaced differently", files={FILE: dashboard(panel(
        "sum(rate(a_total[$__rate_interval]))", "sum(rate(a_total[$__rate_interval]))  "))},
         expect=[Expect(FILE, at='title="Requests"', message="query B is the same as query A")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
