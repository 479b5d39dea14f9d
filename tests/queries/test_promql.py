"""PromQL validation with the real parser: Grafana variables understood, errors located in the original query."""

from __future__ import annotations

from datetime import timedelta

import promql_parser
import pytest

from dashctl.errors import QuerySyntaxError
from dashctl.queries.promql import check_promql, parse_promql
from dashctl.queries.promql.analysis import find_bare_counters, find_range_calls, walk_promql
from dashctl.queries.promql.lexer import LexicalError, tokenize_promql

# The platform's shapes (DESIGN.md §1.1), as a dashboard or alert writes them.
PLATFORM_QUERIES = [
    'sum(rate(http_request_duration_seconds_count{namespace="$namespace",status_code=~"5.."}[$__rate_interval]))'
    ' / sum(rate(http_request_duration_seconds_count{namespace="$namespace"}[$__rate_interval]))',
    "histogram_quantile(0.99, sum by (le, route) "
    '(rate(http_request_duration_seconds_bucket{namespace="$namespace"}[$__rate_interval])))',
    'sum by (route) (rate(http_request_duration_seconds_count{namespace="$namespace", route=~"${route:regex}"}'
    "[$__rate_interval]))",
    'rate(process_cpu_seconds_total{namespace="$namespace", container="backend"}[$__rate_interval])',
    'max(nodejs_eventloop_lag_seconds{namespace="$namespace"}) > 0.2',
    'sum(increase(kube_pod_container_status_restarts_total{namespace="$namespace"}[1h])) by (pod) > 3',
    'kube_deployment_status_replicas_available{namespace="$namespace"} / kube_deployment_spec_replicas',
    'sum by (pod) (container_memory_working_set_bytes{namespace="$namespace", container!=""})',
    'mongodb_up{namespace="$namespace"} == 0',
    'sum by (legacy_op_type) (rate(mongodb_ss_opcounters{namespace="$namespace"}[$__rate_interval]))',
    "rate(mongodb_ss_opLatencies_latency[$__rate_interval]) / rate(mongodb_ss_opLatencies_ops[$__rate_interval])",
    "sum(rate(promtail_dropped_entries_total[5m])) / sum(rate(promtail_sent_entries_total[5m])) > bool 0.01",
    'sum by (reason) (increase(loki_discarded_samples_total{namespace="$namespace"}[$__range]))',
    "absent(up{job=\"$namespace/backend\"})",
    "prometheus_tsdb_head_series offset 1w",
]

# Every form of Grafana variable, in every kind of position.
VARIABLE_QUERIES = [
    "rate(x[$__rate_interval])",
    "rate(x[$__interval])",
    "rate(x[${__interval}])",
    "rate(x[[[interval]]])",
    "increase(x[$__range])",
    "count_over_time(x[$__auto])",
    "rate(x[${__range_s}s])",
    "rate(x[${__interval_ms}ms])",
    "x / $__interval_ms",
    "x / ${__range_s}",
    "max_over_time(x[$__range:$__interval])",
    "x offset $__range",
    "x offset -${__interval}",
    'x{namespace="$namespace"}',
    'x{pod=~"${pod:regex}"}',
    'x{pod=~"${pod:pipe}", node=~"${node:csv}"}',
    'x{pod=~"[[pod]]"}',
    'x{pod=~"[[pod:regex]]"}',
    "sum by ($group) (x)",
    "sum by (${groups:csv}) (x)",
    "sum(x) without ([[label]])",
    "a / on($label) group_left b",
    "node_${device}_bytes_total",
    "$metric",
    '$metric{job="a"}',
    "rate($metric[5m])",
    "rate(${metric}_total[$__rate_interval])",
    "sum($metric)",
    "abs($metric) > $threshold",
    "topk($k, x)",
    "histogram_quantile($quantile, sum by (le) (rate(x_bucket[$__rate_interval])))",
    "x @ ${__to:date:seconds}",
    "x > $threshold # alert when above $threshold",
]


@pytest.mark.parametrize("query", PLATFORM_QUERIES + VARIABLE_QUERIES)
def test_valid_queries_pass(query: str) -> None:
    check_promql(query)


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        # unclosed brackets and strings: the end, or the opening quote
        ("sum(rate(x[5m])", 15, "unclosed left parenthesis"),
        ('sum by (route) (rate(x{a="b"}[5m])', 34, "unclosed left parenthesis"),
        ('x{a="b"', 7, "unexpected end of input inside braces"),
        ('x{a="b}', 4, "unterminated quoted string"),
        # a variable is never a substitute for the bracket it hides
        ("rate(x[$__rate_interval)", 23, "unexpected character inside brackets: ')'"),
        ("rate(x[5m)", 9, "unexpected character inside brackets: ')'"),
        ("rate(x[5 m])", 9, "unexpected character inside brackets: 'm'"),
        (")", 0, "unexpected right parenthesis"),
        # grammar errors: the first token that cannot continue the query
        ("foo bar", 4, "unexpected 'bar'"),
        ("rate(x[5m]) foo", 12, "unexpected 'foo'"),
        ("sum by (le) (x) by (a)", 16, "unexpected 'by'"),
        ("sum without(a) rate(x[5m])", 15, "unexpected 'rate'"),
        ('x{a="b",,}', 8, "unexpected ','"),
        ("x{a=b}", 4, "unexpected identifier 'b' in label matching"),
        ('x{namespace="$namespace"} $metric', 26, "unexpected '$metric'"),
        # ...or the end, when the query stops half-way
        ("1 +", 3, "unexpected end of input"),
        ("sum(rate(x[5m])) / ", 19, "unexpected end of input"),
        ('up{job="a"} and', 15, "unexpected end of input"),
        ("x offset", 8, "unexpected end of input in offset"),
        # type errors: the function, or the token that completes the mistake
        ("rate(x)", 0, "expected type matrix in call to function 'rate', got vector"),
        ("sum(rate(x[5m])) + rate(y)", 19, "in call to function 'rate'"),
        ("histogram_quantile(x)", 0, "expected 2 argument(s)"),
        ("nonexistent_fn(x)", 0, "unknown function with name 'nonexistent_fn'"),
        ("sum(rate(x[5m])) + sum(1)", 23, "expected type vector in aggregation expression, got scalar"),
        ('x{a=~"("}', 5, "error parsing regexp: missing closing )"),
        ("1 > 2", 4, "comparisons between scalars must use BOOL modifier"),
        ("x offset 1m offset 2m", 19, "offset may not be set multiple times"),
        # positions count in the original query, variables and all
        ('sum(rate(x{a="$a"}[$__rate_interval])) by (route', 48, "unclosed left parenthesis"),
        ("rate($metric[$__rate_interval]) $other", 32, "unexpected '$other'"),
        ("", 0, "empty query"),
    ],
)
def test_invalid_queries_point_at_the_problem(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        check_promql(query)
    error = caught.value
    assert (error.position, error.language, error.query) == (position, "PromQL", query)
    assert message in error.message
    assert "^ (column" in str(error)


def test_ambiguous_variable_reports_a_type_error_no_placeholder_can_fix() -> None:
    # $x cannot be both the scalar topk needs and a metric name; neither placeholder parses.
    with pytest.raises(QuerySyntaxError, match="expected type"):
        check_promql("topk($k, 1)")


def test_parse_promql_gives_the_ast_and_the_substitution() -> None:
    parsed = parse_promql('sum by (route) (rate(x_count{namespace="$namespace"}[$__rate_interval]))')
    assert isinstance(parsed.expr, promql_parser.AggregateExpr)
    assert parsed.expr.modifier.labels == ["route"]
    matrix = parsed.expr.expr.args[0]
    assert matrix.vector_selector.name == "x_count"
    assert parsed.substitution.duration_variable(matrix.range.total_seconds()).name == "__rate_interval"


def test_parse_promql_retries_ambiguous_variables_as_metric_names() -> None:
    parsed = parse_promql("sum($metric) / $divisor")
    selectors = [node.name for node in walk_promql(parsed.expr) if isinstance(node, promql_parser.VectorSelector)]
    assert selectors == ["grafana_var_metric"]


@pytest.mark.parametrize(
    ("query", "calls"),
    [
        (
            'sum(rate(x_total{a="$a"}[$__rate_interval])) / sum(irate(y_total[5m]))',
            [("rate", "x_total", None, "__rate_interval"), ("irate", "y_total", timedelta(minutes=5), None)],
        ),
        ("max_over_time(rate(x_total[5m])[1h:$__interval])",
         [("max_over_time", None, timedelta(hours=1), None), ("rate", "x_total", timedelta(minutes=5), None)]),
        ("rate(${metric}_total[$__interval])", [("rate", "${metric}_total", None, "__interval")]),
        ("x_total", []),
    ],
)
def test_find_range_calls(query: str, calls: list[tuple]) -> None:
    found = find_range_calls(parse_promql(query))
    assert [(c.function, c.metric, c.range, c.range_variable) for c in found] == calls


@pytest.mark.parametrize(
    ("query", "counters"),
    [
        ("sum(rate(x_total[5m])) / sum(increase(y_count[1h]))", ()),
        ("histogram_quantile(0.9, sum by (le) (rate(h_bucket[$__rate_interval])))", ()),
        ("x_total + y_sum / z_count", ("x_total", "y_sum", "z_count")),
        ("delta(x_total[5m]) + max_over_time(y_bucket[5m])", ("x_total", "y_bucket")),
        ("rate(x_total[5m:1m]) + rate(sum(y_total)[5m:1m])", ("y_total",)),
        ("${metric}_total > 0", ("${metric}_total",)),
        ("$counter_total + process_resident_memory_bytes", ()),
    ],
)
def test_find_bare_counters(query: str, counters: tuple[str, ...]) -> None:
    assert find_bare_counters(parse_promql(query)) == counters


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("sum(x", 5),
        ('x{a="b', 4),
        ("x{a=`b", 4),
        ('x{a="\\q"}', 5),
        ("x =~ y", 2),
        ("x ! y", 2),
        ("x{a!b}", 3),
        ("x[5m:1m:]", 7),
        ("x[:5m]", 2),
        ("x[5m", 4),
        ("x{", 2),
        ("x[[5m]]", 2),
        ("x }", 2),
        ("x ]", 2),
        ("1.2.3", 0),
        ("x ; y", 2),
        ("x .", 2),
    ],
)
def test_lexer_rejects_what_the_real_lexer_rejects_and_says_where(text: str, position: int) -> None:
    with pytest.raises(LexicalError) as caught:
        tokenize_promql(text)
    assert caught.value.position == position
    with pytest.raises(ValueError) as real:
        promql_parser.parse(text)
    assert str(real.value) != "invalid promql query"  # the real lexer, not the grammar, refused it too


@pytest.mark.parametrize(
    "text",
    [
        'sum by (le) (rate(x_bucket{a=~"b", c!="d"}[5m:1m] offset -1h))',
        "x{or=\"a\" or b=\"c\"} # comment\n and on() 0x1F + .5e3 ^ Inf",
        "fill_left_total + fill (1) x",
        "x[1h30m] @ start()",
        "`raw \\` string` ",
    ],
)
def test_lexer_accepts_what_the_real_lexer_accepts(text: str) -> None:
    tokens = tokenize_promql(text)
    assert tokens
    assert all(text[token.start : token.end] == token.text for token in tokens)
