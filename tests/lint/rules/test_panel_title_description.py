import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "panel/title-description"
FILE = "dashboards/shop.py"

CASES = [
    Case("title and description", files={FILE: dashboard(time_series())}),
    Case("rows and text panels are exempt", files={FILE: dashboard('RowPanel(title="Traffic")',
                                                                   'Text(title="", content="Read me")')}),
    Case("no description", files={FILE: dashboard(time_series(title="Errors", description=""))},
         expect=[Expect(FILE, at='title="Errors"', message="the panel has no description")]),
    Case("no title", files={FILE: dashboard(time_series(title=""))},
         expect=[Expect(FILE, at="@dashboard(", message="has no title")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
