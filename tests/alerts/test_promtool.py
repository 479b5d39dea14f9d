"""`dashctl test` on PromQL rules: translated to Prometheus rules and evaluated by the real promtool."""

from __future__ import annotations

import shutil

import pytest

from tests.alerts.sources import NOTIFICATIONS, RULES, prom_tests

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")

TESTS = '''
from dashctl.alerts import AlertTest, Expect, ExpectedAlert, Series, alert_tests


@alert_tests
def more_tests(env):
    return [{tests}]
'''


def alert_tests_file(*tests: str) -> str:
    return TESTS.replace("{tests}", ",\n        ".join(tests))


def latency_test(name: str, values: str, at: str, fires: bool) -> str:
    alerts = '[ExpectedAlert(labels={"severity": "warning", "team": "shop"})]' if fires else "[]"
    return (f'AlertTest(name="{name}", series=[Series(series="shop_latency_seconds", values="{values}")], '
            f'expect=[Expect(rule="shop-latency-mean", at="{at}", alerts={alerts})])')


def math_test(name: str, errors: int, requests: int, fires: bool) -> str:
    alerts = '[ExpectedAlert(labels={"severity": "info", "team": "shop"})]' if fires else "[]"
    return (f'AlertTest(name="{name}", series=[Series(series="shop_errors", values="{errors}x10"), '
            f'Series(series="shop_requests", values="{requests}x10")], '
            f'expect=[Expect(rule="shop-errors-vs-requests", at="5m", alerts={alerts})])')


@pytest.fixture
def project(make_project):
    return make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})


def test_passing_tests_exit_0_in_every_environment(project):
    project.write("alerts/shop_tests.py", prom_tests())
    result = project.run("test")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.splitlines() == [
        "PASS  dev  alerts/shop_tests.py:7  shop 5xx fires",
        "PASS  prod  alerts/shop_tests.py:7  shop 5xx fires",
    ]
    assert "2 passed" in result.stderr
    assert "rules without a unit test: " in result.stderr
    assert "shop-errors-vs-requests (PromQL, dev)" in result.stderr
    assert "shop-error-lines (LogQL, dev)" in result.stderr


def test_a_failure_prints_expected_and_actual_alerts_and_exits_1(project):
    project.write("alerts/shop_tests.py", prom_tests('{"severity": "warning", "team": "shop", "service": "shop"}'))
    result = project.run("test", "--env", "prod")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "FAIL  prod  alerts/shop_tests.py:7  shop 5xx fires",
        "    rule shop-5xx-ratio at 15m:",
        "      expected:",
        '        labels {service="shop", severity="warning", team="shop"} '
        'annotations {summary="Shop answers 30% with a 5xx"}',
        "      got:",
        '        labels {service="shop", severity="critical", team="shop"} '
        'annotations {summary="Shop answers 30% with a 5xx"}',
    ]
    assert "1 failed" in result.stderr


def test_expecting_silence_during_the_pending_period_is_checked(project):
    # `for: 5m`: at 3m the alert is pending, so expecting it to fire already must fail.
    fired = ('ExpectedAlert(labels={"severity": "critical", "team": "shop", "service": "shop"}, '
             'annotations={"summary": "Shop answers 30% with a 5xx"})')
    source = prom_tests().replace('at="3m", alerts=[]', f'at="3m", alerts=[{fired}]')
    project.write("alerts/shop_tests.py", source)
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 1
    assert "rule shop-5xx-ratio at 3m:" in result.stdout
    assert "got:\n        (no alert)" in result.stdout


@pytest.mark.parametrize(
    "values, at, fires",
    [
        ("2x30", "15m", True),          # mean 2 is within (0.5, 10)
        ("20x30", "15m", False),        # above the range
        ("0.5x30", "15m", False),       # Grafana's ranges exclude their ends
        ("0.1x19 3x20", "20m", False),  # mean of 10m at 1m steps: 10 × 0.1 and one 3 → 0.36
        ("0.1x19 3x20", "21m", True),   # 9 × 0.1 and two 3s → 0.63
    ],
)
def test_reduce_mean_over_a_range_query_with_a_within_range_threshold(project, values, at, fires):
    project.write("alerts/shop_tests.py", alert_tests_file(latency_test("latency", values, at, fires)))
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 0, result.stdout
    flipped = alert_tests_file(latency_test("latency", values, at, not fires))
    project.write("alerts/shop_tests.py", flipped)
    assert project.run("test", "--env", "dev").exit_code == 1


@pytest.mark.parametrize("errors, requests, fires", [(30, 10, True), (30, 20, False), (5, 1, False)])
def test_math_condition(project, errors, requests, fires):
    project.write("alerts/shop_tests.py", alert_tests_file(math_test("math", errors, requests, fires)))
    result = project.run("test", "--env", "prod")
    assert result.exit_code == 0, result.stdout
    project.write("alerts/shop_tests.py", alert_tests_file(math_test("math", errors, requests, not fires)))
    assert project.run("test", "--env", "prod").exit_code == 1


def test_keep_firing_for_and_for_carry_over(make_project):
    rules = '''
from dashctl.alerts import (AlertRule, AlertTest, Expect, ExpectedAlert, PromQL, Series, Threshold, alert_tests,
                            rule_group)


@rule_group(name="flappy", folder="Shop")
def flappy(env):
    return [AlertRule(uid="flappy", title="Flappy", severity="info", summary="s", query=PromQL(expr="sum(flappy)"),
                      condition=Threshold(above=0, reduce=None), for_="2m", keep_firing_for="3m")]


@alert_tests
def flappy_tests(env):
    fired = [ExpectedAlert(labels={"severity": "info"})]
    return [AlertTest(name="flappy", series=[Series(series="flappy", values="0 1x4 0x10")], expect=[
        Expect(rule="flappy", at="2m", alerts=[]),
        Expect(rule="flappy", at="3m", alerts=fired),
        Expect(rule="flappy", at="7m", alerts=fired),
        Expect(rule="flappy", at="9m", alerts=[]),
    ])]
'''
    project = make_project({"alerts/flappy.py": rules})
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 0, result.stdout


def test_an_annotation_promtool_cannot_render_is_reported_not_skipped(project):
    source = RULES.replace('summary="Shop is slow"', 'summary="Shop is slow: {{ $value }}"')
    project.write("alerts/shop.py", source)
    test = latency_test("latency", "2x30", "15m", True).replace(
        'labels={"severity": "warning", "team": "shop"}',
        'labels={"severity": "warning", "team": "shop"}, annotations={"summary": "Shop is slow: 2"}')
    project.write("alerts/shop_tests.py", alert_tests_file(test))
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 1
    assert "NOT TESTABLE dev  alerts/shop_tests.py" in result.stdout
    assert "Grafana's $value" in result.stdout
    assert "1 not unit-testable" in result.stderr


@pytest.mark.parametrize(
    "replacement, needle",
    [
        (('values="0+30x30"', 'values="0+30y30"'), "'0+30y30' is not promtool's expanding notation"),
        (('rule="shop-5xx-ratio", at="15m"', 'rule="shop-5xx", at="15m"'), "expects rule 'shop-5xx', which"),
        (('at="15m"', 'at="15 minutes"'), "not a duration"),
    ],
    ids=["series-notation", "unknown-rule", "bad-time"],
)
def test_broken_tests_are_definition_errors(project, replacement, needle):
    source = prom_tests().replace(*replacement)
    assert source != prom_tests()
    project.write("alerts/shop_tests.py", source)
    result = project.run("test")
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert needle in result.stderr
    assert "alerts/shop_tests.py:" in result.stderr


def test_different_annotation_keys_for_one_rule_are_refused(project):
    source = prom_tests().replace(
        'alerts=[ExpectedAlert(', 'alerts=[ExpectedAlert(labels={"x": "y"}), ExpectedAlert(')
    project.write("alerts/shop_tests.py", source)
    result = project.run("test")
    assert result.exit_code == 3
    assert "compare different annotations" in result.stderr


def test_missing_promtool_is_a_usage_error(project):
    project.write("alerts/shop_tests.py", prom_tests())
    result = project.run("test", "--promtool", "/nonexistent/promtool")
    assert result.exit_code == 2
    assert "promtool not found" in result.stderr


def test_require_tests_fails_when_a_rule_has_none(project):
    project.write("alerts/shop_tests.py", prom_tests())
    result = project.run("test", "--require-tests")
    assert result.exit_code == 1
    assert "rules without a unit test" in result.stderr


def test_match_selects_tests(project):
    project.write("alerts/shop_tests.py", alert_tests_file(math_test("math fires", 30, 10, True),
                                                     latency_test("latency", "2x30", "15m", True)))
    result = project.run("test", "-k", "math*", "--env", "dev")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["PASS  dev  alerts/shop_tests.py:6  math fires"]


REDUCER_RULE = '''
from dashctl.alerts import (AlertRule, AlertTest, Expect, ExpectedAlert, PromQL, Series, Threshold, alert_tests,
                            rule_group)


@rule_group(name="reduced", folder="Shop")
def reduced(env):
    return [AlertRule(uid="reduced", title="Reduced", severity="info", summary="s",
                      query=PromQL(expr="sum(counter)", range="5m", step="1m"),
                      condition=Threshold({condition}, reduce="{reducer}"))]


@alert_tests
def reduced_tests(env):
    alerts = [ExpectedAlert(labels={{"severity": "info"}})] if {fires} else []
    return [AlertTest(name="reduced", series=[Series(series="counter", values="0+1x20")],
                      expect=[Expect(rule="reduced", at="10m", alerts=alerts)])]
'''


@pytest.mark.parametrize(
    "reducer, value",
    # At 10m the 5m range at 1m steps holds the samples of 5m..10m: 5, 6, 7, 8, 9, 10.
    [("last", 10), ("mean", 7.5), ("min", 5), ("max", 10), ("sum", 45), ("count", 6)],
)
@pytest.mark.parametrize("comparison", ["above", "below"])
def test_reducers_over_a_range_query(make_project, reducer, value, comparison):
    def run(threshold: float, fires: bool) -> int:
        source = REDUCER_RULE.format(condition=f"{comparison}={threshold}", reducer=reducer, fires=fires)
        project = make_project({"alerts/reduced.py": source}, basic=False)
        return project.run("test", "--env", "dev").exit_code

    inside, outside = (value - 0.5, value + 0.5) if comparison == "above" else (value + 0.5, value - 0.5)
    assert run(inside, True) == 0
    assert run(outside, False) == 0
    assert run(outside, True) == 1
