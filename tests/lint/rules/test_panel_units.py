import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "panel/units"
FILE = "dashboards/shop.py"

CASES = [
    Case("a Grafana unit id", files={FILE: dashboard(time_series(unit="reqps"))}),
    Case("a custom suffix unit", files={FILE: dashboard(time_series(unit="suffix: cores"))}),
    Case("logs and text panels need no unit", files={FILE: dashboard(
        'Logs(title="Lines", description="Log lines.", dataSource="logs", targets=[Target(expr=\'{app="shop"}\')])',
        'Text(title="About", content="Read me")',
    )}),
    Case("a stat with value mappings", files={FILE: dashboard(
        'Stat(title="Up", description="Up or down.", dataSource="metrics", format="", '
        'mappings=[{"type": "value", "options": {"0": {"text": "Down"}}}], targets=[Target(expr="up")])',
    )}),
    Case("a time series without a unit", files={FILE: dashboard(time_series(unit=""))},
         expect=[Expect(FILE, at='title="Requests"', message="sets no unit")]),
    Case("a misspelt unit", files={FILE: dashboard(time_series(title="Memory", unit="byte"))},
         expect=[Expect(FILE, at='unit="byte"', message="unit 'byte' is not one of Grafana's unit ids")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)


def test_the_hint_suggests_the_unit_meant(make_project):
    (finding,) = check_case(make_project, RULE, CASES[-1])
    assert "did you mean 'bytes'" in finding.hint
