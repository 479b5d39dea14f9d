"""The LogQL evaluator behind `dashctl test` for LogQL rules: Loki's semantics on log lines, table-driven, and
the rule tests that use it."""

from __future__ import annotations

import pytest

from dashctl.alerts.testing.logql_evaluation import (
    EvaluationError,
    LogStream,
    UnsupportedLogQL,
    evaluate,
    parse_testable_query,
)
from tests.alerts.sources import RULES

NGINX = '10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "{method} {path} HTTP/1.1" {status} 512 "-" "curl/8" {seconds}'
PATTERN = '<ip> - <_> [<_>] "<method> <path> <_>" <status> <_> "<_>" "<_>" <request_time>'


def nginx(status, method="GET", path="/cart", seconds="0.012"):
    return NGINX.format(status=status, method=method, path=path, seconds=seconds)


STREAMS = [
    LogStream(labels={"app": "frontend", "stream": "stdout"}, entries=(
        (10.0, nginx(200)), (20.0, nginx(503)), (30.0, nginx(200, "POST", "/order", "1.5")), (40.0, nginx(404)),
        (301.0, nginx(500)),
    )),
    LogStream(labels={"app": "frontend", "stream": "stderr"}, entries=((15.0, "[error] upstream timed out"),)),
    LogStream(labels={"app": "backend", "stream": "stdout"}, entries=(
        (5.0, '{"level":"error","msg":"db down","req":{"method":"GET"},"responseTime":30}'),
        (6.0, '{"level":"info","msg":"ok","req":{"method":"POST"},"responseTime":10}'),
        (7.0, '{"level":"error","msg":"db down","req":{"method":"POST"},"responseTime":50}'),
        (8.0, "not json at all"),
        (9.0, "level=warn msg=\"slow query\" duration=2s"),
    )),
]


@pytest.mark.parametrize(
    "query, time, expected",
    [
        ('count_over_time({app="frontend"}[5m])', 300, {(("app", "frontend"), ("stream", "stdout")): 4.0,
                                                        (("app", "frontend"), ("stream", "stderr")): 1.0}),
        ('sum(count_over_time({app="frontend"}[5m]))', 300, {(): 5.0}),
        # the window is (t - range, t]: the line at 10s leaves at 310s, the one at 301s enters
        ('sum(count_over_time({app="frontend", stream="stdout"}[5m]))', 310, {(): 4.0}),
        ('sum(count_over_time({app="frontend"} |= "503" [5m]))', 300, {(): 1.0}),
        ('sum(count_over_time({app="frontend"} != "GET" [5m]))', 300, {(): 2.0}),
        ('sum(count_over_time({app=~"front.*"} |~ "\\" 5\\\\d\\\\d " [5m]))', 300, {(): 1.0}),
        (f'sum(count_over_time({{app="frontend"}} | pattern `{PATTERN}` | status >= 500 [5m]))', 300, {(): 1.0}),
        (f'sum by (method) (count_over_time({{app="frontend"}} | pattern `{PATTERN}` | status > 0 [5m]))', 300,
         {(("method", "GET"),): 3.0, (("method", "POST"),): 1.0}),
        (f'max(max_over_time({{app="frontend", stream="stdout"}} | pattern `{PATTERN}` '
         '| unwrap request_time [5m]))', 300,
         {(): 1.5}),
        ('sum(count_over_time({app="backend"} | json | level="error" [5m]))', 300, {(): 2.0}),
        ('sum by (req_method) (count_over_time({app="backend"} | json | level="error" [5m]))', 300,
         {(("req_method", "GET"),): 1.0, (("req_method", "POST"),): 1.0}),
        ('sum(sum_over_time({app="backend"} | json | __error__="" | unwrap responseTime [5m]))', 300, {(): 90.0}),
        # a label filter after unwrap runs on the unwrapped sample's labels
        ('sum(sum_over_time({app="backend"} | json | unwrap responseTime | __error__="" [5m]))', 300, {(): 90.0}),
        ('sum(count_over_time({app="backend"} | logfmt | level="warn" [5m]))', 300, {(): 1.0}),
        ('sum(count_over_time({app="backend"} | regexp "msg=\\"(?P<what>[a-z ]+)\\"" | what="slow query" [5m]))',
         300, {(): 1.0}),
        ('sum(rate({app="frontend", stream="stdout"}[5m]))', 300, {(): 4 / 300}),
        ('sum(count_over_time({app="frontend"}[5m] offset 1m))', 360, {(): 5.0}),
        ('sum(count_over_time({app="frontend"}[5m])) / sum(count_over_time({app="backend"}[5m])) > 0.5', 300,
         {(): 1.0}),
        ('sum(count_over_time({app="frontend"}[5m])) > bool 10', 300, {(): 0.0}),
        ('sum(count_over_time({app="nothing"}[5m])) or vector(0)', 300, {(): 0.0}),
        ('quantile_over_time(0.5, {app="backend"} | json | __error__="" | unwrap responseTime [5m]) by (app)', 300,
         {(("app", "backend"),): 30.0}),
    ],
)
def test_evaluator(query, time, expected):
    result = evaluate(parse_testable_query(query), STREAMS, time)
    assert {key: pytest.approx(value) for key, value in result.items()} == expected


def test_a_metric_query_over_lines_in_error_fails_as_in_loki():
    # `| json` marks the non-JSON line with __error__; without `| __error__=""` Loki fails the query.
    with pytest.raises(EvaluationError, match="JSONParserErr"):
        evaluate(parse_testable_query('sum(count_over_time({app="backend"} | json [5m]))'), STREAMS, 300)


@pytest.mark.parametrize(
    "query, reason",
    [
        ('sum(count_over_time({app="x"} | line_format "{{.msg}}" [5m]))', "line_format"),
        ('sum(count_over_time({app="x"} | json | duration > 10s [5m]))', "duration and bytes label filters"),
        ('topk(3, count_over_time({app="x"}[5m]))', r"topk\(\) is not supported"),
        ('sum(count_over_time({app="x"}[5m])) / on (a) group_left sum(count_over_time({app="y"}[5m]))',
         "group_left"),
        ('sum(count_over_time({app="x"} |= "a" or "b" [5m]))', "'or' between line filters"),
        ('sum(count_over_time({app="x"} |> "<_> GET <_>" [5m]))', r"pattern line filter \|>"),
        ('sum(count_over_time({app="x"} | logfmt --strict [5m]))', "logfmt --strict"),
        ('sum(count_over_time({app="x"} | unpack [5m]))', "unpack"),
        ('sum(count_over_time({app="x"}[5m] offset -1m))', "negative offset"),
        ('sum(count_over_time({app="x"}[$__auto]))', r"Grafana variable \$__auto"),
        ('sum by ($group) (count_over_time({app="x"}[5m]))', r"Grafana variable \$group"),
        ('{app="x"} |= "error"', "a log query"),
        ('sum(count_over_time({app="x"} | json | level == "error" [5m]))', "invalid LogQL"),
    ],
)
def test_outside_the_subset_is_unsupported_with_a_reason(query, reason):
    with pytest.raises(UnsupportedLogQL, match=reason):
        parse_testable_query(query)


LOG_TESTS = '''
from dashctl.alerts import AlertTest, Expect, ExpectedAlert, LogLines, alert_tests


@alert_tests
def log_tests(env):
    stream = {"namespace": env.namespace, "app": "shop", "pod": "shop-1"}
    error = '{"level":"error","msg":"payment failed"}'
    return [
        AlertTest(
            name="error lines fire",
            logs=[LogLines(labels=stream, line=error, every="10s", end="20m"),
                  LogLines(labels=stream, entries=[("30s", "not json"), ("60s", '{"level":"info"}')])],
            expect=[Expect(rule="shop-error-lines", at="10m", alerts=[
                ExpectedAlert(labels={EXPECTED}, annotations={"summary": "30 error lines"})])],
        ),
    ]
'''


def log_tests(expected: str = '"level": "error", "severity": "warning", "team": "shop"') -> str:
    return LOG_TESTS.replace("{EXPECTED}", "{" + expected + "}")


@pytest.fixture
def project(make_project):
    return make_project({"alerts/shop.py": RULES})


def test_logql_rule_test_passes(project):
    project.write("alerts/log_tests.py", log_tests())
    result = project.run("test", "-k", "error lines")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == ["PASS  dev  alerts/log_tests.py:9  error lines fire",
                                          "PASS  prod  alerts/log_tests.py:9  error lines fire"]


def test_logql_rule_test_failure_shows_expected_and_got(project):
    project.write("alerts/log_tests.py", log_tests('"severity": "warning", "team": "shop"'))
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "FAIL  dev  alerts/log_tests.py:9  error lines fire",
        "    rule shop-error-lines at 10m:",
        "      expected:",
        '        labels {severity="warning", team="shop"} annotations {summary="30 error lines"}',
        "      got:",
        '        labels {level="error", severity="warning", team="shop"} annotations {summary="30 error lines"}',
    ]


def test_logql_rule_outside_the_subset_is_reported_as_not_unit_testable(project):
    project.write("alerts/shop.py", RULES.replace("| json | level=\"error\"", "| json | line_format \"{{.msg}}\""))
    project.write("alerts/log_tests.py", log_tests())
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 1
    assert result.stdout.startswith("NOT TESTABLE dev  alerts/log_tests.py:9  error lines fire\n")
    assert "not unit-testable: rule shop-error-lines: the line_format stage is not supported" in result.stdout


def test_logql_query_failing_on_the_fixtures_fails_the_test(project):
    project.write("alerts/shop.py", RULES.replace('| json | level="error" [5m]', "| json [5m]"))
    project.write("alerts/log_tests.py", log_tests())
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 1
    assert "FAIL  dev" in result.stdout and "JSONParserErr" in result.stdout


BURST = '''
from dashctl.alerts import (AlertRule, AlertTest, Expect, ExpectedAlert, LogLines, LogQL, Threshold, alert_tests,
                            rule_group)


@rule_group(name="bursts", folder="Shop", interval="1m")
def bursts(env):
    return [AlertRule(uid="burst", title="Burst", severity="info", summary="peak {{ $values.B.Value }}/min",
                      query=LogQL(expr='sum(count_over_time({app="shop"}[1m]))', range="5m", step="1m"),
                      condition=Threshold(above=20, reduce="{reducer}"), keep_firing_for="{keep}")]


@alert_tests
def burst_tests(env):
    return [AlertTest(name="burst", logs=[
        LogLines(labels={"app": "shop"}, line="x", every="10s", end="30m"),          # 6 a minute
        LogLines(labels={"app": "shop"}, line="y", every="2s", start="10m2s", end="11m"),  # 30 more in 10m..11m
    ], expect=[Expect(rule="burst", at=at, alerts=[ExpectedAlert(labels={"severity": "info"},
                                                                 annotations={"summary": "peak 36/min"})]
                      if fires else []) for at, fires in {expect}])]
'''


@pytest.mark.parametrize(
    "reducer, keep, expect",
    [
        # max over the 5m range sees the burst minute (36 lines) until it leaves the range
        ("max", "0s", [("10m", False), ("11m", True), ("16m", True), ("17m", False)]),
        # last sees it only at 11m; keep_firing_for holds the alert two more minutes
        ("last", "2m", [("11m", True), ("12m", True), ("13m", True), ("14m", False)]),
    ],
)
def test_range_query_reduced_by_the_evaluator(make_project, reducer, keep, expect):
    source = BURST.replace("{reducer}", reducer).replace("{keep}", keep).replace("{expect}", repr(expect))
    project = make_project({"alerts/bursts.py": source}, basic=False)
    result = project.run("test", "--env", "dev")
    assert result.exit_code == 0, result.stdout


def test_rate_over_an_unwrapped_range_is_reported_not_unit_testable():
    from dashctl.alerts.testing.logql_evaluation import UnsupportedLogQL, parse_testable_query

    import pytest

    with pytest.raises(UnsupportedLogQL, match="rate over an unwrapped range"):
        parse_testable_query('sum(rate({app="a"} | json | unwrap x [5m]))')
