"""The PromQL builder: what it renders, that the real parser accepts it, and what it refuses."""

from __future__ import annotations

import dataclasses
import inspect

import promql_parser
import pytest

from dashctl.errors import DefinitionError
from dashctl.queries.promql import (
    INTERVAL,
    BinaryOperation,
    Not,
    NotRegex,
    Regex,
    absent,
    aggregate,
    avg_by,
    bucket_quantile,
    call,
    check_promql,
    clamp_max,
    clamp_min,
    count_without,
    histogram_quantile,
    increase,
    irate,
    max_by,
    metric,
    min_without,
    number,
    offset,
    one_of,
    over_time,
    parse_promql,
    rate,
    ratio,
    raw,
    string,
    sum_by,
    sum_without,
    topk,
)

REQUESTS = metric("http_request_duration_seconds_count", namespace="$namespace")
ERRORS = REQUESTS.where(status_code=Regex("5.."))
BUCKETS = metric("http_request_duration_seconds_bucket", namespace="$namespace")
A, B, C = metric("a"), metric("b"), metric("c")

RENDERED = [
    # DESIGN.md §1.1: the backend's 5xx ratio and p99
    (
        ratio(sum_by([], rate(ERRORS)), sum_by([], rate(REQUESTS))),
        'sum(rate(http_request_duration_seconds_count{namespace="$namespace", status_code=~"5.."}'
        "[$__rate_interval])) / "
        'sum(rate(http_request_duration_seconds_count{namespace="$namespace"}[$__rate_interval]))',
    ),
    (
        bucket_quantile(0.99, BUCKETS, by=["route"]),
        "histogram_quantile(0.99, sum by (le, route) "
        '(rate(http_request_duration_seconds_bucket{namespace="$namespace"}[$__rate_interval])))',
    ),
    (
        histogram_quantile(0.5, sum_by(["le"], rate(BUCKETS, "5m"))),
        'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="$namespace"}[5m])))',
    ),
    (
        bucket_quantile(0.9, metric("x_bucket"), by="le"),
        "histogram_quantile(0.9, sum by (le) (rate(x_bucket[$__rate_interval])))",
    ),
    # selectors and matchers
    (metric("up"), "up"),
    (metric(None, job="api"), '{job="api"}'),
    (
        metric("x", a="b", c=Not("d"), e=Regex("f.*"), g=NotRegex("h|i"), status_code=500),
        'x{a="b", c!="d", e=~"f.*", g!~"h|i", status_code="500"}',
    ),
    (metric("x", route=one_of("/cart", "/a.b(1)")), 'x{route=~"/cart|/a\\\\.b\\\\(1\\\\)"}'),
    (metric("x", msg='say "hi"\\\n'), 'x{msg="say \\"hi\\"\\\\\\n"}'),
    (metric("x", **{"class": "a"}), 'x{class="a"}'),
    (metric("${prefix}_total", pod=Regex("${pod:regex}")), '${prefix}_total{pod=~"${pod:regex}"}'),
    # range functions, default windows
    (rate(A), "rate(a[$__rate_interval])"),
    (irate(A, "1m"), "irate(a[1m])"),
    (increase(A, "$__range"), "increase(a[$__range])"),
    (over_time("max", A), "max_over_time(a[$__interval])"),
    (over_time("avg", A, "1h30m"), "avg_over_time(a[1h30m])"),
    # aggregations
    (sum_by(["route", "method"], rate(A)), "sum by (route, method) (rate(a[$__rate_interval]))"),
    (sum_without(["pod"], A), "sum without (pod) (a)"),
    (avg_by("route", A), "avg by (route) (a)"),
    (max_by([], A), "max(a)"),
    (min_without([], A), "min without () (a)"),
    (count_without(["instance"], A), "count without (instance) (a)"),
    (topk(5, sum_by(["route"], rate(A))), "topk(5, sum by (route) (rate(a[$__rate_interval])))"),
    (topk(3, A, by=["ns"]), "topk by (ns) (3, a)"),
    (aggregate("quantile", A, parameter=0.9, by=["route"]), "quantile by (route) (0.9, a)"),
    (aggregate("count_values", A, parameter=string("version")), 'count_values("version", a)'),
    # functions and literals
    (clamp_min(A, 0), "clamp_min(a, 0)"),
    (clamp_max(A, 1.5), "clamp_max(a, 1.5)"),
    (absent(metric("up", job="api")), 'absent(up{job="api"})'),
    (call("label_replace", A, string("dst"), string("$1"), string("src"), string("(.*)")),
     'label_replace(a, "dst", "$1", "src", "(.*)")'),
    (call("vector", 1), "vector(1)"),
    (call("time") - number(3600), "time() - 3600"),
    (A * 1e-3 + 1_000_000, "a * 0.001 + 1000000"),
    (A.gt(float("inf"), as_bool=True), "a > bool +Inf"),
    # comparisons, bool and vector matching
    (ratio(A, B).gt(0.05), "a / b > 0.05"),
    (ratio(A, B).gt(0.05, as_bool=True), "a / b > bool 0.05"),
    (A.ne(0).and_(B, on=["pod"]), "a != 0 and on (pod) b"),
    (A.lt(B, ignoring=["le"]), "a < ignoring (le) b"),
    (A.unless(B, on=[]), "a unless on () b"),
    (ratio(A, B, on="pod"), "a / on (pod) b"),
    (BinaryOperation(operator="*", left=A, right=B, on=("pod",), group_left=("node",)),
     "a * on (pod) group_left (node) b"),
    (BinaryOperation(operator="/", left=A, right=B, ignoring=("x",), group_right=()), "a / ignoring (x) group_right b"),
    # offset applies to every selector, after the range
    (offset(ratio(sum_by([], rate(ERRORS)), sum_by([], rate(REQUESTS))), "1w"),
     'sum(rate(http_request_duration_seconds_count{namespace="$namespace", status_code=~"5.."}'
     "[$__rate_interval] offset 1w)) / "
     'sum(rate(http_request_duration_seconds_count{namespace="$namespace"}[$__rate_interval] offset 1w))'),
    (offset(A, "-5m"), "a offset -5m"),
    (offset(A + 1, "$__range"), "a offset $__range + 1"),
    # the escape hatch
    (A.gt(raw("$threshold")), "a > ($threshold)"),
    (raw("sum(a)") / 2, "(sum(a)) / 2"),
]


@pytest.mark.parametrize(("expr", "expected"), RENDERED, ids=[expected for _, expected in RENDERED])
def test_builder_renders_promql(expr: object, expected: str) -> None:
    assert str(expr) == expected
    assert expr.render() == expected


@pytest.mark.parametrize("expr", [expr for expr, _ in RENDERED], ids=[expected for _, expected in RENDERED])
def test_builder_output_round_trips_through_the_validator(expr: object) -> None:
    check_promql(str(expr))


def _shape(node: promql_parser.Expr) -> object:
    """The AST as nested tuples, parentheses dropped: what the query means, not how it was written."""
    if isinstance(node, promql_parser.ParenExpr):
        return _shape(node.expr)
    if isinstance(node, promql_parser.BinaryExpr):
        return (str(node.op), _shape(node.lhs), _shape(node.rhs))
    if isinstance(node, promql_parser.UnaryExpr):
        inner = _shape(node.expr)
        return -inner if isinstance(inner, float) else ("neg", inner)
    if isinstance(node, promql_parser.NumberLiteral):
        return node.val
    if isinstance(node, promql_parser.VectorSelector):
        return node.name
    raise AssertionError(f"unexpected node {node!r}")


@pytest.mark.parametrize(
    ("expr", "meaning"),
    [
        ((A + B) * C, ("*", ("+", "a", "b"), "c")),
        (A + B * C, ("+", "a", ("*", "b", "c"))),
        (A - (B - C), ("-", "a", ("-", "b", "c"))),
        ((A - B) - C, ("-", ("-", "a", "b"), "c")),
        (A / (B * C), ("/", "a", ("*", "b", "c"))),
        (A ** (B**C), ("^", "a", ("^", "b", "c"))),
        ((A**B) ** C, ("^", ("^", "a", "b"), "c")),
        (-(A**2), ("neg", ("^", "a", 2.0))),
        ((-A) ** 2, ("^", ("neg", "a"), 2.0)),
        (-(A + B), ("neg", ("+", "a", "b"))),
        (A - -1, ("-", "a", -1.0)),
        (number(-2) ** A, ("^", -2.0, "a")),
        (2 ** A, ("^", 2.0, "a")),
        (10 % A, ("%", 10.0, "a")),
        (1 - ratio(A, B), ("-", 1.0, ("/", "a", "b"))),
        ((A + 1).gt(B * 2), (">", ("+", "a", 1.0), ("*", "b", 2.0))),
        (A.gt(1) * 100, ("*", (">", "a", 1.0), 100.0)),
        (A.or_(B).and_(C), ("and", ("or", "a", "b"), "c")),
        (A.and_(B.or_(C)), ("and", "a", ("or", "b", "c"))),
        (A.or_(B.and_(C)), ("or", "a", ("and", "b", "c"))),
        (A.unless(B).unless(C), ("unless", ("unless", "a", "b"), "c")),
    ],
)
def test_parentheses_keep_the_meaning(expr: object, meaning: object) -> None:
    assert _shape(promql_parser.parse(str(expr))) == meaning


@pytest.mark.parametrize("value", ['a"b', "back\\slash", "new\nline", "tab\tcr\r", "bell\x07", "ünï©ødé", "$var", ""])
def test_label_values_are_escaped_so_the_parser_reads_them_back(value: str) -> None:
    parsed = parse_promql(str(metric("x", label=value)))
    assert parsed.expr.matchers.matchers[0].value == value


def test_nodes_are_immutable_and_where_returns_a_new_selector() -> None:
    base = metric("x", a="b")
    narrowed = base.where(c=Regex("d"))
    assert str(base) == 'x{a="b"}'
    assert str(narrowed) == 'x{a="b", c=~"d"}'
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.metric = "y"  # type: ignore[misc]
    assert rate(base) == rate(metric("x", a="b"))
    assert hash(rate(base)) == hash(rate(metric("x", a="b")))


def test_default_windows_are_grafanas() -> None:
    assert rate(A).window == "$__rate_interval"
    assert over_time("min", A).window == INTERVAL


def _line() -> int:
    return inspect.currentframe().f_back.f_lineno


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: metric("http-requests"), "invalid metric name 'http-requests'"),
        (lambda: metric(None), "needs a metric name or at least one label matcher"),
        (lambda: metric("x", **{"bad-label": "a"}), "invalid label name 'bad-label'"),
        (lambda: metric("x", a=1.5), "the value must be a string"),
        (lambda: rate(A, "5"), "invalid range '5'"),
        (lambda: rate(A, "five minutes"), "invalid range"),
        (lambda: rate(sum_by([], A)), "rate() needs a metric selector"),
        (lambda: offset(A, "yesterday"), "invalid offset"),
        (lambda: over_time("median", A), "unknown *_over_time function 'median'"),
        (lambda: sum_by(["a-b"], A), "invalid label name 'a-b'"),
        (lambda: sum_by(["a"], 1), "aggregates a vector, not the number 1"),
        (lambda: aggregate("median", A), "unknown aggregation 'median'"),
        (lambda: aggregate("topk", A), "topk needs parameter"),
        (lambda: aggregate("sum", A, parameter=1), "sum takes no parameter"),
        (lambda: aggregate("count_values", A, parameter=1), "count_values needs the output label"),
        (lambda: aggregate("sum", A, by=["a"], without=["b"]), "either by or without"),
        (lambda: histogram_quantile(99, A), "outside [0, 1]"),
        (lambda: bucket_quantile(0.99, metric("x_count")), "needs the histogram's _bucket series"),
        (lambda: number(1).gt(2), "needs as_bool=True"),
        (lambda: A.gt(1, as_bool=True, within=["a"]), "unknown vector matching keyword"),
        (lambda: A + "1", "expected a query expression or a number, got str"),
        (lambda: A.and_(1), "works between vectors"),
        (lambda: BinaryOperation(operator="+", left=A, right=B, return_bool=True), "bool applies to comparisons"),
        (lambda: BinaryOperation(operator="+", left=A, right=B, on=(), ignoring=()), "either on or ignoring"),
        (lambda: BinaryOperation(operator="+", left=A, right=B, group_left=()), "need on or ignoring"),
        (lambda: BinaryOperation(operator="and", left=A, right=B, on=(), group_left=()), "many-to-many"),
        (lambda: BinaryOperation(operator="**", left=A, right=B), "unknown binary operator"),
        (lambda: one_of(), "at least one value"),
        (lambda: call("Bad-Name", A), "invalid function name"),
        (lambda: call("abs", "a"), "expected a query expression or a number"),
    ],
)
def test_builder_refuses_what_would_not_be_valid_promql(build, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        build()
    assert message in caught.value.message


def test_builder_errors_point_at_the_users_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        line = _line() + 1
        rate(A, "soon")
    assert caught.value.location is not None
    assert caught.value.location.file == __file__
    assert caught.value.location.line == line
    assert "'$__rate_interval'" in caught.value.hint
