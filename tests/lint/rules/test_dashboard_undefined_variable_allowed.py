import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "dashboard/undefined-variable-allowed"
FILE = "dashboards/shop.py"
QUERY = 'sum(rate(http_requests_total{instance="$hostname"}[$__rate_interval]))'


def allowing(source: str, names: str) -> str:
    return source.replace('folder="Shop")', f'folder="Shop", allow_undefined_variables={names})')


CASES = [
    Case("every variable defined, nothing allowed", files={FILE: dashboard(time_series())}),
    Case("an undefined variable allowed by name", files={FILE: allowing(dashboard(time_series(expr=QUERY)),
                                                                        '("hostname",)')},
         expect=[Expect(FILE, at="@dashboard(", message="$hostname is used but no template variable defines it")]),
    Case("two allowed: one finding each", files={FILE: allowing(dashboard(time_series(
        expr='sum(rate(http_requests_total{instance="$hostname", pod="${pod}"}[$__rate_interval]))')),
        '("hostname", "pod")')},
         expect=[Expect(FILE, at="@dashboard(", message="$hostname is used"),
                 Expect(FILE, at="@dashboard(", message="$pod is used")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
