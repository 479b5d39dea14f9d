"""The LogQL builder: what it renders, that the LogQL validator accepts it, and what it refuses."""

from __future__ import annotations

import dataclasses

import pytest

from dashctl.errors import DefinitionError
from dashctl.queries import promql
from dashctl.queries.logql_builder import (
    Eq,
    Ge,
    Gt,
    Le,
    LogRange,
    Lt,
    Ne,
    Not,
    NotRegex,
    Regex,
    absent_over_time,
    avg_over_time,
    bytes_over_time,
    bytes_rate,
    count_over_time,
    first_over_time,
    last_over_time,
    max_over_time,
    min_over_time,
    quantile_over_time,
    rate,
    rate_counter,
    ratio,
    raw,
    stddev_over_time,
    stdvar_over_time,
    stream,
    sum_by,
    sum_over_time,
    topk,
)

BACKEND = stream(namespace="$namespace", app="backend")
SELECTOR = '{namespace="$namespace", app="backend"}'
# DESIGN.md §1.1: nginx's combined format followed by the request time in seconds.
NGINX = '<ip> - - [<_>] "<method> <uri> <_>" <status> <size> "<_>" "<agent>" <request_time>'
FRONTEND = stream(namespace="$namespace", app="frontend").pattern(NGINX)
FRONTEND_TEXT = f'{{namespace="$namespace", app="frontend"}} | pattern `{NGINX}`'

RENDERED = [
    # log queries: selector, line filters, parsers, label filters, formatting
    (BACKEND, SELECTOR),
    (stream(app=Regex("backend|frontend"), stream=Not("stderr")), '{app=~"backend|frontend", stream!="stderr"}'),
    (BACKEND.contains("error"), f'{SELECTOR} |= "error"'),
    (BACKEND.not_contains("healthz"), f'{SELECTOR} != "healthz"'),
    (BACKEND.matches(r"status=5\d\d"), f"{SELECTOR} |~ `status=5\\d\\d`"),
    (BACKEND.not_matches("(?i)debug"), f'{SELECTOR} !~ "(?i)debug"'),
    (BACKEND.contains('say "hi"'), f'{SELECTOR} |= `say "hi"`'),
    (BACKEND.contains('`"\\'), f'{SELECTOR} |= "`\\"\\\\"'),
    (BACKEND.contains("$search"), f'{SELECTOR} |= "$search"'),
    (BACKEND.json(), f"{SELECTOR} | json"),
    (BACKEND.json(method="req.method", status="res.statusCode"),
     f'{SELECTOR} | json method="req.method", status="res.statusCode"'),
    (BACKEND.logfmt(), f"{SELECTOR} | logfmt"),
    (BACKEND.regexp(r"(?P<status>\d{3})"), f"{SELECTOR} | regexp `(?P<status>\\d{{3}})`"),
    (BACKEND.unpack(), f"{SELECTOR} | unpack"),
    (FRONTEND, FRONTEND_TEXT),
    (BACKEND.json().where(level="error"), f'{SELECTOR} | json | level="error"'),
    (BACKEND.json().where(level=Not("info"), msg=Regex("timeout.*"), url=NotRegex("/health.*")),
     f'{SELECTOR} | json | level!="info" | msg=~"timeout.*" | url!~"/health.*"'),
    (BACKEND.json().where(res_statusCode=Ge(500)), f"{SELECTOR} | json | res_statusCode >= 500"),
    (BACKEND.json().where(responseTime=Gt(250.5), size=Le("20MB"), took=Lt("1m30s")),
     f"{SELECTOR} | json | responseTime > 250.5 | size <= 20MB | took < 1m30s"),
    (BACKEND.json().where(status=Eq(404)).where(status=Ne(200)), f"{SELECTOR} | json | status == 404 | status != 200"),
    (BACKEND.json().without_errors(), f'{SELECTOR} | json | __error__=""'),
    (BACKEND.json().line_format("{{.level}} {{.msg}}"),
     f'{SELECTOR} | json | line_format "{{{{.level}}}} {{{{.msg}}}}"'),
    (BACKEND.json().label_format(route="{{.req_url}}"), f'{SELECTOR} | json | label_format route="{{{{.req_url}}}}"'),
    (BACKEND.drop("pod", "stream").keep("app"), f"{SELECTOR} | drop pod, stream | keep app"),
    # range aggregations, over $__auto by default
    (count_over_time(BACKEND), f"count_over_time({SELECTOR}[$__auto])"),
    (count_over_time(BACKEND.contains("error"), "5m", offset="1h"),
     f'count_over_time({SELECTOR} |= "error" [5m] offset 1h)'),
    (rate(BACKEND.json().where(level="error")), f'rate({SELECTOR} | json | level="error" [$__auto])'),
    (bytes_rate(BACKEND), f"bytes_rate({SELECTOR}[$__auto])"),
    (bytes_over_time(BACKEND, "$__range"), f"bytes_over_time({SELECTOR}[$__range])"),
    (absent_over_time(BACKEND, "10m"), f"absent_over_time({SELECTOR}[10m])"),
    (sum_over_time(BACKEND.json().unwrap("responseTime")),
     f"sum_over_time({SELECTOR} | json | unwrap responseTime [$__auto])"),
    (rate(BACKEND.json().unwrap("bytes")), f"rate({SELECTOR} | json | unwrap bytes [$__auto])"),
    (sum_over_time(BACKEND.logfmt().unwrap("took", "duration_seconds").without_errors()),
     f'sum_over_time({SELECTOR} | logfmt | unwrap duration_seconds(took) | __error__="" [$__auto])'),
    (max_over_time(BACKEND.logfmt().unwrap("size", "bytes")),
     f"max_over_time({SELECTOR} | logfmt | unwrap bytes(size) [$__auto])"),
    (rate_counter(BACKEND.logfmt().unwrap("total")), f"rate_counter({SELECTOR} | logfmt | unwrap total [$__auto])"),
    (avg_over_time(BACKEND.json().unwrap("responseTime"), by=["route"]),
     f"avg_over_time({SELECTOR} | json | unwrap responseTime [$__auto]) by (route)"),
    (max_over_time(BACKEND.json().unwrap("t"), without=["pod"]),
     f"max_over_time({SELECTOR} | json | unwrap t [$__auto]) without (pod)"),
    (min_over_time(BACKEND.json().unwrap("t")), f"min_over_time({SELECTOR} | json | unwrap t [$__auto])"),
    (first_over_time(BACKEND.json().unwrap("t")), f"first_over_time({SELECTOR} | json | unwrap t [$__auto])"),
    (last_over_time(BACKEND.json().unwrap("t")), f"last_over_time({SELECTOR} | json | unwrap t [$__auto])"),
    (stddev_over_time(BACKEND.json().unwrap("t")), f"stddev_over_time({SELECTOR} | json | unwrap t [$__auto])"),
    (stdvar_over_time(BACKEND.json().unwrap("t")), f"stdvar_over_time({SELECTOR} | json | unwrap t [$__auto])"),
    # the frontend's RED panels come from its logs (DESIGN.md §1.1)
    (sum_by(["status"], count_over_time(FRONTEND.where(status=Ge(500)))),
     f"sum by (status) (count_over_time({FRONTEND_TEXT} | status >= 500 [$__auto]))"),
    (quantile_over_time(0.99, FRONTEND.unwrap("request_time"), by="uri"),
     f"quantile_over_time(0.99, {FRONTEND_TEXT} | unwrap request_time [$__auto]) by (uri)"),
    # vector aggregations and arithmetic, the PromQL builder's
    (sum_by(["level"], count_over_time(BACKEND.json())),
     f"sum by (level) (count_over_time({SELECTOR} | json [$__auto]))"),
    (ratio(sum_by([], rate(BACKEND.json().where(level="error"))), sum_by([], rate(BACKEND))),
     f'sum(rate({SELECTOR} | json | level="error" [$__auto])) / sum(rate({SELECTOR}[$__auto]))'),
    (topk(5, sum_by(["req_url"], rate(BACKEND.json()))).gt(0.5),
     f"topk(5, sum by (req_url) (rate({SELECTOR} | json [$__auto]))) > 0.5"),
    (sum_by([], bytes_rate(BACKEND)) * 8, f"sum(bytes_rate({SELECTOR}[$__auto])) * 8"),
    (sum_by([], rate(BACKEND)).gt(10, as_bool=True), f"sum(rate({SELECTOR}[$__auto])) > bool 10"),
    (sum_by([], rate(BACKEND)).gt(raw("$threshold")), f"sum(rate({SELECTOR}[$__auto])) > ($threshold)"),
]


@pytest.mark.parametrize(("query", "expected"), RENDERED, ids=[expected for _, expected in RENDERED])
def test_builder_renders_logql(query: object, expected: str) -> None:
    assert str(query) == expected
    assert query.render() == expected


@pytest.mark.parametrize("query", [query for query, _ in RENDERED], ids=[expected for _, expected in RENDERED])
def test_builder_output_round_trips_through_the_logql_validator(query: object) -> None:
    from dashctl.queries.logql import check_logql  # written alongside; imported here so the rest runs without it

    check_logql(str(query))


def test_queries_are_immutable_and_share_a_base() -> None:
    errors = BACKEND.json().where(level="error")
    warnings = BACKEND.json().where(level="warn")
    assert str(BACKEND) == SELECTOR
    assert str(errors) != str(warnings)
    assert errors == BACKEND.json().where(level="error")
    with pytest.raises(dataclasses.FrozenInstanceError):
        BACKEND.stages = ()  # type: ignore[misc]
    assert count_over_time(BACKEND).window == "$__auto"
    assert isinstance(count_over_time(BACKEND), LogRange)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: stream(), "needs at least one label matcher"),
        (lambda: stream(app=Not("backend")), "needs a matcher that selects something"),
        (lambda: stream(app=Regex(".*")), "needs a matcher that selects something"),
        (lambda: stream(app=""), "needs a matcher that selects something"),
        (lambda: stream(**{"bad-label": "x"}), "invalid label name 'bad-label'"),
        (lambda: BACKEND.where(**{"req.url": "x"}), "invalid label name 'req.url'"),
        (lambda: BACKEND.where(responseTime=Gt("slow")), "invalid label filter value 'slow'"),
        (lambda: BACKEND.where(responseTime=Gt(True)), "expected a number, duration or byte size"),
        (lambda: BACKEND.unwrap("x", "seconds"), "unknown unwrap conversion 'seconds'"),
        (lambda: BACKEND.unwrap("x").json(), "only label filters may follow unwrap"),
        (lambda: BACKEND.label_format(), "needs at least one label"),
        (lambda: sum_over_time(BACKEND), "sum_over_time() needs sample values"),
        (lambda: quantile_over_time(0.9, BACKEND), "quantile_over_time() needs sample values"),
        (lambda: count_over_time(BACKEND.json().unwrap("x")), "cannot take an unwrapped query"),
        (lambda: bytes_rate(BACKEND.json().unwrap("x")), "cannot take an unwrapped query"),
        (lambda: LogRange(function="sum_over_time", query=BACKEND.unwrap("x"), by=("a",)), "cannot group"),
        (lambda: LogRange(function="count_over_time", query=BACKEND, by=("a",)), "cannot group"),
        (lambda: quantile_over_time(99, BACKEND.unwrap("x")), "outside [0, 1]"),
        (lambda: avg_over_time(BACKEND.unwrap("x"), by=["a"], without=["b"]), "either by or without"),
        (lambda: count_over_time(BACKEND, "5 minutes"), "invalid range"),
        (lambda: count_over_time(BACKEND, offset="later"), "invalid offset"),
        (lambda: count_over_time(promql.metric("up")), "needs a log query"),
        (lambda: rate(BACKEND) / promql.rate(promql.metric("up")), "cannot mix PromQL and LogQL"),
        (lambda: sum_by([], rate(BACKEND)).gt(promql.metric("up")), "cannot mix PromQL and LogQL"),
        (lambda: -rate(BACKEND), "LogQL has no unary minus"),
    ],
)
def test_builder_refuses_what_loki_would_refuse(build, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        build()
    assert message in caught.value.message
