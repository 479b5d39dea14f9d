import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "panel/no-targets"
FILE = "dashboards/shop.py"

CASES = [
    Case("a panel with a query", files={FILE: dashboard(time_series())}),
    Case("a text panel needs none", files={FILE: dashboard('Text(title="About", content="Read me")')}),
    Case("a time series without a query", files={FILE: dashboard(
        'TimeSeries(title="Empty", description="Nothing.", unit="s", dataSource="metrics", targets=[])')},
         expect=[Expect(FILE, at='title="Empty"', message="has no query")]),
    Case("every query hidden", files={FILE: dashboard(
        'TimeSeries(title="Hidden", description="Hidden.", unit="s", dataSource="metrics",\n'
        '           targets=[Target(expr="up", refId="A", hide=True)])')},
         expect=[Expect(FILE, at='title="Hidden"', message="every query of the panel is hidden")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
