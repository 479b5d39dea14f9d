"""`dashctl test` for CI: a name filter that selects nothing fails, and --junit writes a JUnit XML report."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree

import pytest

from tests.alerts.sources import NOTIFICATIONS, RULES, prom_tests

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")


@pytest.fixture
def project(make_project):
    project = make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})
    project.write("alerts/shop_tests.py", prom_tests())
    return project


def test_a_filter_that_selects_nothing_fails_listing_the_names(project):
    result = project.run("test", "-k", "nomatch")
    assert result.exit_code == 1
    assert "no test name matches -k 'nomatch'; the tests are:\n  shop 5xx fires\n" in result.stderr
    assert result.stdout == ""


def test_a_filter_that_selects_a_test_runs_it(project):
    result = project.run("test", "-k", "5xx", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["PASS  dev  alerts/shop_tests.py:7  shop 5xx fires"]


def test_junit_report_has_a_case_per_test_and_environment_with_the_failure(project, tmp_path):
    project.write("alerts/shop_tests.py", prom_tests('{"severity": "warning", "team": "shop", "service": "shop"}'))
    report = tmp_path / "junit.xml"
    result = project.run("test", "--junit", str(report))
    assert result.exit_code == 1
    root = ElementTree.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "2", "0")
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["dev", "prod"]
    case = suites[0].find("testcase")
    assert (case.get("name"), case.get("classname"), case.get("file"), case.get("line")) == (
        "shop 5xx fires", "dev", "alerts/shop_tests.py", "7")
    failure = case.find("failure")
    assert failure.get("type") == "failed"
    assert "expected:" in failure.text and 'severity="warning"' in failure.text and "got:" in failure.text


def test_junit_report_of_passing_tests_has_no_failures(project, tmp_path):
    report = tmp_path / "junit.xml"
    assert project.run("test", "--junit", str(report)).exit_code == 0
    root = ElementTree.parse(report).getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "0")
    assert all(len(case) == 0 for case in root.iter("testcase"))


def test_junit_file_that_cannot_be_written_is_an_output_error(project, tmp_path):
    result = project.run("test", "--junit", str(tmp_path / "missing" / "junit.xml"))
    assert result.exit_code == 3
    assert "cannot write" in result.stderr


def test_pass_is_green_on_a_terminal_and_plain_when_piped_or_no_color(project):
    from tests.lint.test_sarif_and_colour import _run_on_a_terminal

    coloured = _run_on_a_terminal(project.root, "test", "--env", "dev")
    assert "\x1b[32m\x1b[1mPASS \x1b[0m dev" in coloured
    assert "\x1b[" not in _run_on_a_terminal(project.root, "test", "--env", "dev", environment={"NO_COLOR": "1"})
    assert "\x1b[" not in project.run("test", "--env", "dev").stdout
