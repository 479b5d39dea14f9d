import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "dashboard/editable"
FILE = "dashboards/shop.py"

CASES = [
    Case("not editable", files={FILE: dashboard(time_series(), editable=False)}),
    Case("editable by grafanalib's default", files={FILE: dashboard(time_series(), editable=None)},
         expect=[Expect(FILE, at="@dashboard(", message="editable in Grafana's UI")]),
    Case("editable on purpose", files={FILE: dashboard(time_series(), editable=True)},
         expect=[Expect(FILE, at="@dashboard(", message="editable in Grafana's UI")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
