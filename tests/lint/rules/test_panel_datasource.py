import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "panel/datasource"
FILE = "dashboards/shop.py"
VARIABLE = 'datasource_variable("datasource", plugin="prometheus", current=env.datasource("metrics"))'

CASES = [
    Case("a logical datasource name", files={FILE: dashboard(time_series())}),
    Case("a datasource variable", files={FILE: dashboard(time_series(datasource='"${datasource}"'),
                                                         variables=VARIABLE)}),
    Case("pinned to a uid of no environment", files={FILE: dashboard(
        time_series(title="Pinned", datasource='{"type": "prometheus", "uid": "grafanacloud-prom"}'))},
         expect=[Expect(FILE, at='title="Pinned"', message="pinned to datasource uid 'grafanacloud-prom'")]),
    Case("a query on another datasource than its panel", files={FILE: dashboard(
        'TimeSeries(\n'
        '    title="Split",\n'
        '    description="Two datasources.",\n'
        '    unit="reqps",\n'
        '    dataSource="metrics",\n'
        '    targets=[Target(expr="up", refId="A", datasource={"type": "prometheus", "uid": "prom-dev"}),\n'
        '             Target(expr="up", refId="B", datasource={"type": "prometheus", "uid": "prom-other"})],\n'
        ')')},
         expect=[Expect(FILE, at='title="Split"', message="query B names datasource 'prom-other' but the panel uses "
                        "metrics", environments=("dev", "prod")),
                 Expect(FILE, at='title="Split"', message="query A names datasource 'prom-dev' but the panel uses "
                        "metrics", environments=("prod",))]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
