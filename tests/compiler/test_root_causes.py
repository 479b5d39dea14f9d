"""One root cause, one report: a problem met in every environment is printed once and names them; what only
follows from it (tests of a rule that did not compile, the title a duplicated rule or dashboard repeats) is not
reported at all."""

from __future__ import annotations

import re

import pytest

RULES = '''
from dashctl.alerts import (AlertRule, AlertTest, Expect, ExpectedAlert, PromQL, Series, Threshold, alert_tests,
                            rule_group)


@rule_group(name="shop", folder="Shop")
def shop(env):
    return [
        AlertRule(uid="shop-down", title="Shop down", severity="warning", summary="s",
                  query=PromQL(expr=f'count(up{{{{namespace="{{env.namespace}}"}}}} == 0{CLOSE} or vector(0)'),
                  condition=Threshold(above=0)),
        AlertRule(uid="shop-slow", title="Shop slow", severity="warning", summary="s",
                  query=PromQL(expr='avg(shop_latency_seconds)'), condition=Threshold(above=1)),
    ]


@alert_tests
def shop_tests(env):
    return [
        AlertTest(name=f"down {{number}}", series=[Series(series="up", values="0x20")],
                  expect=[Expect(rule="shop-down", at="5m", alerts=[ExpectedAlert(labels={{"severity": "warning"}})])])
        for number in range(3)
    ] + [
        AlertTest(name="slow", series=[Series(series="shop_latency_seconds", values="2x20")],
                  expect=[Expect(rule="shop-slow", at="5m", alerts=[ExpectedAlert(labels={{"severity": "warning"}})])])
    ]
'''


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def broken(make_project):
    return make_project({"alerts/shop.py": RULES.format(CLOSE="")})


def test_a_broken_query_shared_by_two_environments_is_reported_once_by_build(broken):
    result = broken.run("build")
    assert result.exit_code == 3
    assert len(problems(result.stderr)) == 1, result.stderr
    assert "unclosed left parenthesis [environments dev, prod]" in result.stderr
    assert "1 problem found" in result.stderr


def test_a_typo_in_one_rule_gives_one_problem_in_dashctl_test(broken):
    result = broken.run("test")
    assert result.exit_code == 3
    # The one problem is the typo itself, at the line of the query, naming both environments; none of the four
    # tests that expect the rule says it is missing.
    (problem,) = problems(result.stderr)
    line = next(number for number, text in enumerate(
        (broken.root / "alerts/shop.py").read_text().splitlines(), start=1) if "query=PromQL(expr=f'count(up" in text)
    assert problem.startswith(f"error: alerts/shop.py:{line}: alert rule 'shop-down' query A: invalid PromQL: "
                              "unclosed left parenthesis [environments dev, prod]"), result.stderr
    assert "does not define" not in result.stderr and "expects rule" not in result.stderr
    assert "1 problem found" in result.stderr


def test_lint_reports_the_broken_query_once(broken):
    result = broken.run("lint")
    findings = [line for line in result.stdout.splitlines() if re.match(r"^\S+:\d+: error\[promql/syntax\]", line)]
    assert len(findings) == 1, result.stdout


def test_a_test_of_an_unknown_rule_is_still_reported_when_everything_compiles(make_project):
    project = make_project({"alerts/shop.py": RULES.format(CLOSE=")").replace('rule="shop-slow"', 'rule="shop-slw"')})
    result = project.run("test")
    assert result.exit_code == 3
    assert "expects rule 'shop-slw'" in result.stderr and "[environments dev, prod]" in result.stderr
    assert len(problems(result.stderr)) == 1, result.stderr


def test_a_duplicated_rule_is_one_problem_not_a_title_clash_with_itself(make_project):
    text = RULES.format(CLOSE=")")
    copy = text.replace('name="shop"', 'name="shop-copy"').replace("def shop(", "def shop_copy(")
    copy = copy[:copy.index("@alert_tests")]
    project = make_project({"alerts/shop.py": text, "alerts/copy.py": copy})
    result = project.run("build")
    assert result.exit_code == 3
    assert "duplicate alert rule uid 'shop-down'" in result.stderr
    assert "is also used by rule" not in result.stderr, result.stderr


def test_a_copied_dashboard_is_one_problem(make_project):
    project = make_project()
    project.write("dashboards/copy.py", (project.root / "dashboards/shop.py").read_text()
                  .replace("def shop_api(", "def shop_api_copy("))
    result = project.run("build")
    assert result.exit_code == 3
    assert len(problems(result.stderr)) == 1, result.stderr
    assert "duplicate dashboard uid 'shop-api'" in result.stderr


@pytest.mark.parametrize("command", ["build", "lint", "test"])
def test_one_duplicated_rule_uid_is_one_problem_in_every_command(make_project, command):
    text = RULES.format(CLOSE=")")
    # A second group that repeats only shop-slow (and its title): one root cause.
    copy = text[:text.index("@alert_tests")].replace('name="shop"', 'name="shop-copy"').replace(
        "def shop(", "def shop_copy(")
    copy = copy[:copy.index("        AlertRule(uid=\"shop-down\"")] + copy[copy.index("        AlertRule(uid=\"shop-slow\""):]
    project = make_project({"alerts/shop.py": text, "alerts/copy.py": copy})
    result = project.run(command)
    assert result.exit_code == 3
    (problem,) = problems(result.stderr)
    assert "duplicate alert rule uid 'shop-slow'" in problem and "alerts/copy.py:" in problem, result.stderr
    assert problem.endswith("[environments dev, prod]")


@pytest.mark.parametrize("command", ["build", "lint"])  # `dashctl test` builds only the alert rules
def test_a_copied_dashboard_is_one_problem_in_every_command(make_project, command):
    project = make_project()
    project.write("dashboards/copy.py", (project.root / "dashboards/shop.py").read_text()
                  .replace("def shop_api(", "def shop_api_copy("))
    result = project.run(command)
    assert result.exit_code == 3
    (problem,) = problems(result.stderr)
    # Reported at the later definition (discovery order: dashboards/shop.py after dashboards/copy.py), naming the
    # other; not once per environment, and no follow-on about the title both carry.
    assert problem.startswith("error: dashboards/shop.py:") and "dashboards/copy.py:" in problem, result.stderr
    assert "duplicate dashboard uid 'shop-api'" in problem
