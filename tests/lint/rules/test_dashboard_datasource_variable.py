import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "dashboard/datasource-variable"
FILE = "dashboards/shop.py"
GOOD = 'datasource_variable("datasource", plugin="prometheus", current=env.datasource("metrics"))'

CASES = [
    Case("no datasource variable: logical names suffice", files={FILE: dashboard(time_series())}),
    Case("a variable with a default, used by a panel", files={FILE: dashboard(
        time_series(datasource='"${datasource}"'), variables=GOOD)}),
    Case("a variable without a default", files={FILE: dashboard(
        time_series(datasource='"${datasource}"'),
        variables='datasource_variable("datasource", plugin="prometheus")')},
         expect=[Expect(FILE, at="@dashboard(", message="has no default")]),
    Case("a variable no panel uses", files={FILE: dashboard(time_series(), variables=GOOD)},
         expect=[Expect(FILE, at="@dashboard(", message="is not used by any panel")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
