"""`dashctl build` and `dashctl lint` point at the same line for the same problem: the line that holds the bad
value, in the user's Python file, or in dashctl.toml when the definition read the value from the configuration.

Each case is a small project with one problem; both commands run on it through the CLI. A problem that the build
does not refuse (a unit Grafana does not know is a warning: Grafana shows it as a suffix) is checked in lint only,
and the build must pass.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import pytest

from tests.conftest import BASIC_CONFIG, BASIC_DATASOURCES

DASHBOARD = '''
from grafanalib.core import Dashboard, Logs, Target, TimeSeries

from dashctl.definitions import dashboard
from dashctl.presets.panels import Query, time_series


@dashboard(uid="shop", folder="Shop")
def shop(env):
    return Dashboard(
        title="Shop",
        editable=False,
        panels=[
{panels}
        ],
    )
'''

ALERTS = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="shop", folder="Shop", interval="1m", team="shop")
def shop(env):
    ratio = env.value("error_ratio")
    return [
        AlertRule(
            uid="shop-errors",
            title="Shop errors",
            severity="warning",
            query=PromQL(
                expr={expr!r},
            ),
            condition=Threshold(above={threshold}),
            for_="5m",
            summary="Shop fails",
            description="The shop fails requests.",
            runbook_url="https://runbooks.example.com/shop",
        ),
    ]
'''

GOOD = "sum(rate(http_requests_total[$__rate_interval]))"
GOOD_RATIO = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'


def time_series(*, expr: str = GOOD, datasource: str = '"metrics"', unit: str = '"reqps"') -> str:
    return f'''\
TimeSeries(
    title="Requests",
    description="Requests per second.",
    dataSource={datasource},
    unit={unit},
    targets=[Target(expr={expr!r}, refId="A")],
),'''


def dashboard(*panels: str) -> str:
    return DASHBOARD.format(panels=textwrap.indent("\n".join(panels), " " * 12))


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    at: tuple[str, str]
    """(file, text on the line the problem must be reported at: its first occurrence)."""
    message: str
    values: str = ""
    """Extra lines for [environments.dev.values] in dashctl.toml."""
    build_refuses: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


PRESET_HELPER = '''
from dashctl.presets.panels import time_series


def requests_panel(title):
    return time_series(
        title=title,
        description="Requests per second.",
        unit="reqps",
        datasource="metrics",
        queries=[
            "sum(rate(http_requests_total[$__rate_interval])) by",
        ],
    )
'''

CASES = [
    Case("bad PromQL in a panel",
         {"dashboards/shop.py": dashboard(time_series(expr="sum(rate(http_requests_total[$__rate_interval])"))},
         ("dashboards/shop.py", "sum(rate(http_requests_total[$__rate_interval])'"), "unclosed left parenthesis"),
    Case("bad PromQL in a preset's Query",
         {"dashboards/shop.py": dashboard('''\
time_series(
    title="Requests",
    description="Requests per second.",
    unit="reqps",
    datasource="metrics",
    queries=[
        Query(
            legend="{{route}}",
            expr="sum by (route) (increse(http_requests_total[$__rate_interval]))",
        ),
    ],
),''')},
         ("dashboards/shop.py", "increse("), "unknown function with name 'increse'"),
    Case("bad PromQL given to a preset in a helper module",
         {"dashboards/shop.py": dashboard("requests_panel('Requests'),").replace(
             "from dashctl.definitions", "from dashboards.helpers import requests_panel\nfrom dashctl.definitions"),
          "dashboards/helpers.py": PRESET_HELPER},
         ("dashboards/helpers.py", ") by\","), "unexpected end of input"),
    Case("bad PromQL in an alert rule",
         {"alerts/shop.py": ALERTS.format(expr="sum(rate(http_requests_total[5m]) >", threshold="ratio")},
         ("alerts/shop.py", "expr="), "unclosed left parenthesis"),
    Case("a variable no template variable defines",
         {"dashboards/shop.py": dashboard(time_series(expr='sum(rate(http_requests_total{pod="$pod"}[5m]))'))},
         ("dashboards/shop.py", '{pod="$pod"}'), "uses $pod, which no template variable of this dashboard defines"),
    Case("bad LogQL in a panel",
         {"dashboards/shop.py": dashboard('''\
Logs(
    title="Errors",
    description="Error lines.",
    dataSource="logs",
    targets=[Target(expr='{app="shop"} | jsn', refId="A")],
),''')},
         ("dashboards/shop.py", "| jsn"), "unknown parser `jsn`"),
    Case("a unit Grafana does not know",
         {"dashboards/shop.py": dashboard(time_series(unit='"reqsps"'))},
         ("dashboards/shop.py", 'unit="reqsps"'), "unit 'reqsps' is not one of Grafana's unit ids",
         build_refuses=False),
    Case("a unit from the configuration",
         {"dashboards/shop.py": dashboard(time_series(unit='env.value("unit", "reqps")'))},
         ("dashctl.toml", 'unit = "reqsps"'), "unit 'reqsps' is not one of Grafana's unit ids",
         values='unit = "reqsps"', build_refuses=False),
    Case("a threshold from the configuration",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio")},
         ("dashctl.toml", 'error_ratio = "five percent"'), "above must be a number, not 'five percent'",
         values='error_ratio = "five percent"'),
    Case("a pending period from the configuration",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio").replace(
             'for_="5m"', 'for_=env.value("pending", "5m")')},
         ("dashctl.toml", 'pending = "30s"'), "the rule has for 30s with an evaluation interval of 1m",
         values='pending = "30s"', build_refuses=False),
    Case("a duration from the configuration that is none",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio").replace(
             'for_="5m"', 'for_=env.value("pending", "5m")')},
         ("dashctl.toml", 'pending = "5 minutes"'), "for_: not a duration: '5 minutes'",
         values='pending = "5 minutes"'),
    Case("a datasource name that does not resolve",
         {"dashboards/shop.py": dashboard(time_series(datasource='"metric"'))},
         ("dashboards/shop.py", 'dataSource="metric"'), "datasource 'metric' does not resolve"),
    Case("a datasource name from the configuration",
         {"dashboards/shop.py": dashboard(time_series(datasource='env.value("datasource", "metrics")'))},
         ("dashctl.toml", 'datasource = "metric"'), "datasource 'metric' does not resolve",
         values='datasource = "metric"'),
    Case("an alert query's datasource name that does not resolve",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio").replace(
             "            ),\n            condition", '                datasource="metric",\n            ),\n            condition')},
         ("alerts/shop.py", 'datasource="metric"'), "datasource 'metric' is not defined"),
    Case("an alert query's datasource name from the configuration",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio").replace(
             "            ),\n            condition",
             '                datasource=env.value("datasource", "metrics"),\n            ),\n            condition')},
         ("dashctl.toml", 'datasource = "metric"'), "datasource 'metric' is not defined",
         values='datasource = "metric"'),
    Case("an unknown severity written in Python",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio").replace(
             'severity="warning"', 'severity="warn"')},
         ("alerts/shop.py", 'severity="warn"'), "unknown severity 'warn'"),
    Case("a pending period written in Python that is no duration",
         {"alerts/shop.py": ALERTS.format(expr=GOOD_RATIO, threshold="ratio").replace('for_="5m"', 'for_="5x"')},
         ("alerts/shop.py", 'for_="5x"'), "for_: not a duration: '5x'"),
    Case("a duplicate uid",
         {"dashboards/shop.py": dashboard(time_series()),
          "dashboards/shop_copy.py": dashboard(time_series()).replace("def shop(", "def shop_copy(")},
         ("dashboards/shop_copy.py", '@dashboard(uid="shop"'), "duplicate dashboard uid 'shop'"),
]


def config(values: str) -> str:
    # dev gets the case's values; error_ratio stays a good number unless the case sets it.
    dev = BASIC_CONFIG.replace("[environments.dev.values]\nerror_ratio = 0.05\n",
                               f"[environments.dev.values]\n{values}\n" if "error_ratio" in values
                               else f"[environments.dev.values]\nerror_ratio = 0.05\n{values}\n")
    assert dev != BASIC_CONFIG or not values
    return dev


_REPORTED = re.compile(r"^(?:error: )?(?P<file>[\w./-]+):(?P<line>\d+): (?P<rest>.*)$")


def reported_lines(output: str, message: str) -> list[str]:
    """`file:line` of every reported problem whose first line holds `message`."""
    found = []
    for text in output.splitlines():
        match = _REPORTED.match(text)
        if match and message in match["rest"]:
            found.append(f"{match['file']}:{match['line']}")
    return found


def line_of(path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_build_and_lint_report_the_line_that_holds_the_bad_value(make_project, case):
    project = make_project({"datasources/stack.py": BASIC_DATASOURCES, **case.files}, basic=False,
                           config=config(case.values))
    file, text = case.at
    expected = f"{file}:{line_of(project.root / file, text)}"

    linted = project.run("lint")
    lint_says = reported_lines(linted.stdout + linted.stderr, case.message)
    assert lint_says == [expected], linted.stdout + linted.stderr

    built = project.run("build")
    if case.build_refuses:
        assert built.exit_code == 3, built.stderr
        assert reported_lines(built.stderr, case.message) == [expected], built.stderr
    else:
        assert built.exit_code == 0, built.stderr
        assert case.message not in built.stderr


def test_a_configured_value_names_the_python_line_that_used_it(make_project):
    case = next(case for case in CASES if case.name == "a threshold from the configuration")
    project = make_project({"datasources/stack.py": BASIC_DATASOURCES, **case.files}, basic=False,
                           config=config(case.values))
    built = project.run("build")
    used = line_of(project.root / "alerts/shop.py", "condition=Threshold(")
    assert f"the value of error_ratio under [environments.dev.values], read at alerts/shop.py:{used}" \
        in built.stderr
    # Only dev configures the bad value: prod's number is fine and prod is not named.
    assert "[environment dev]" in built.stderr and "prod" not in built.stderr


def test_an_equal_number_written_in_python_is_not_taken_for_the_configured_one(make_project):
    """Identity, not equality: `above=0.05` typed in Python stays at its Python line even if dev configures 0.05."""
    rules = ALERTS.format(expr="sum(rate(http_requests_total[5m]))", threshold='"0.05"')
    project = make_project({"datasources/stack.py": BASIC_DATASOURCES, "alerts/shop.py": rules}, basic=False,
                           config=config('error_ratio = "0.05"'))
    built = project.run("build")
    expected = f"alerts/shop.py:{line_of(project.root / 'alerts/shop.py', 'condition=Threshold(')}"
    assert reported_lines(built.stderr, "above must be a number, not '0.05'") == [expected], built.stderr


def test_a_preset_panel_made_in_a_helper_points_at_the_helper(make_project):
    """The panel's title is a variable, so it cannot be found by its text: its queries recorded the call."""
    helper = PRESET_HELPER.replace('unit="reqps"', 'unit="reqsps"').replace(
        '"sum(rate(http_requests_total[$__rate_interval])) by"', '"sum(rate(http_requests_total[$__rate_interval]))"')
    files = {"datasources/stack.py": BASIC_DATASOURCES, "dashboards/helpers.py": helper,
             "dashboards/shop.py": dashboard("requests_panel('Requests'),").replace(
                 "from dashctl.definitions", "from dashboards.helpers import requests_panel\nfrom dashctl.definitions")}
    project = make_project(files, basic=False)
    linted = project.run("lint")
    unit = f"dashboards/helpers.py:{line_of(project.root / 'dashboards/helpers.py', 'unit=')}"
    assert reported_lines(linted.stdout, "unit 'reqsps' is not one of Grafana's unit ids") == [unit], linted.stdout
