"""The LogQL parser's tree, positions, Grafana variables, and the Go rules it reproduces."""

from __future__ import annotations

import pytest

from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql import ast, is_metric, iter_selectors, parse_logql
from dashctl.queries.logql.lexer import tokenize
from dashctl.queries.logql.literals import LiteralError, parse_bytes, parse_float, parse_loki_duration
from dashctl.queries.logql.regexsyntax import RegexError, parse_regex


def error_of(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_logql(query)
    return raised.value


# Positions -----------------------------------------------------------------------------------------------------------


def test_missing_line_filter_value_points_at_the_end() -> None:
    query = '{app="x"} |= '
    error = error_of(query)
    assert error.position == len(query)
    assert error.message == "syntax error: unexpected $end, expecting STRING or ip"


def test_empty_compatible_matchers_point_at_the_selector_inside_the_aggregation() -> None:
    query = 'sum(rate({app=~".*"}[5m]))'
    assert error_of(query).position == query.index("{")


def test_position_counts_characters_of_the_original_query_with_variables() -> None:
    query = 'sum by (level) (count_over_time({namespace="$namespace"} | json | level=="x" [$__auto]))'
    error = error_of(query)
    assert error.position == query.index('"x"')


def test_error_message_renders_a_caret_under_the_offending_token() -> None:
    query = "{foo=\"bar\"} foo"
    rendered = str(error_of(query))
    assert rendered.endswith(f"    {query}\n    {' ' * 12}^ (column 13)")
    assert "invalid LogQL: syntax error: unexpected IDENTIFIER" in rendered


def test_comment_only_query_fails_at_the_end() -> None:
    query = '#{app="foo"} | json'
    error = error_of(query)
    assert (error.position, error.message) == (19, "syntax error: unexpected $end")


@pytest.mark.parametrize(
    "query",
    [
        '{app="foo"}\n# |= "bar"\n| json',
        '{app="foo"}\n#\n|= "bar"\n| json',
        'sum by (job) (\n  count_over_time({namespace="tns"} |= "level=error"[5m])\n/\n'
        '  count_over_time({namespace="tns"}[5m])\n)',
    ],
)
def test_multi_line_queries_from_loki_parser_tests(query: str) -> None:
    parse_logql(query)


def test_error_on_a_later_line_counts_newlines_as_characters() -> None:
    query = '{app="foo"}\n| json\n| x >'
    assert error_of(query).position == len(query)


# Grafana template variables ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        'rate({app="a"}[$__auto])',
        'rate({app="a"}[$__rate_interval])',
        'rate({app="a"}[${__interval}])',
        'rate({app="a"}[[[interval]]])',
        'rate({app="a"}[$__range])',
        'topk($k, rate({app="a"}[5m]))',
        'sum(rate({app="a"}[5m])) > $threshold',
        'quantile_over_time($q, {app="a"} | unwrap x [5m])',
        '{app="$app"} |= "$__auto"',
    ],
)
def test_variables_where_grafana_puts_them(query: str) -> None:
    parse_logql(query)


def test_unclosed_range_with_a_variable_is_rejected_at_the_bracket() -> None:
    query = 'rate({app="a"}[$__auto)'
    error = error_of(query)
    assert error.position == query.index("[")
    assert error.message == "missing closing ']' in duration"


def test_range_with_a_variable_has_no_known_length() -> None:
    expr = parse_logql('rate({app="a"}[$__auto])')
    assert isinstance(expr, ast.RangeAggregation)
    assert expr.range.range == ast.Duration(text="$__auto", nanoseconds=None)
    assert expr.range.range.is_variable


def test_variable_inside_a_string_is_text() -> None:
    expr = parse_logql('{namespace="$namespace"} |= "${search}"')
    assert isinstance(expr, ast.LogQuery)
    assert expr.selector.matchers[0].value == "$namespace"
    stage = expr.stages[0]
    assert isinstance(stage, ast.LineFilter)
    assert stage.terms[0].value == "${search}"


def test_variable_is_not_a_string() -> None:
    assert error_of('{app="a"} |= $search').message == "syntax error: unexpected VARIABLE, expecting STRING or ip"


def test_variable_regex_is_read_as_text_grafana_fills_in() -> None:
    # `$app` fills in a value, so the matcher selects streams and the query is valid.
    parse_logql('{app=~"$app"}')
    parse_logql('{app=~"${app:regex}"}')


# The tree ------------------------------------------------------------------------------------------------------------


def test_log_and_metric_queries_are_told_apart() -> None:
    log = parse_logql('{app="a"} |= "error" | json')
    metric = parse_logql('sum by (app) (rate({app="a"}[5m]))')
    assert (log.is_metric, is_metric(log)) == (False, False)
    assert (metric.is_metric, is_metric(metric)) == (True, True)
    assert parse_logql("vector(1) + 1").is_metric


def test_iter_selectors_yields_every_selector_left_to_right() -> None:
    expr = parse_logql(
        'sum(rate({app="a", env=~"prod|dev"} | level="error" [5m])) / sum(rate({app="b", pod!="x"}[5m]))'
    )
    assert list(iter_selectors(expr)) == [
        (("app", "=", "a"), ("env", "=~", "prod|dev")),
        (("app", "=", "b"), ("pod", "!=", "x")),
    ]


def test_range_aggregation_tree_of_the_nginx_latency_panel() -> None:
    query = (
        'quantile_over_time(0.99, {app="nginx"} | pattern "<ip> - - [<_>] \\"<method> <path> <_>\\" <status> '
        '<size> \\"<_>\\" \\"<agent>\\" <rt>" | unwrap rt [$__rate_interval]) by (app)'
    )
    expr = parse_logql(query)
    assert isinstance(expr, ast.RangeAggregation)
    assert expr.op == "quantile_over_time"
    assert expr.param == ast.NumberLiteral(text="0.99", position=19)
    assert expr.grouping == ast.Grouping(without=False, labels=("app",), position=query.rindex("by"))
    assert expr.range.unwrap is not None and expr.range.unwrap.label == "rt"
    parser = expr.range.query.stages[0]
    assert isinstance(parser, ast.LabelParser) and parser.kind == "pattern"
    assert parser.param is not None and parser.param.startswith('<ip> - - [<_>] "<method>')


def test_binary_operation_precedence_and_modifiers() -> None:
    expr = parse_logql("1 + 2 * 3 ^ 2 ^ 2 > bool on (a) group_left (b) vector(1)")
    assert isinstance(expr, ast.BinaryOperation) and expr.op == ">"
    assert expr.return_bool
    assert expr.matching == ast.VectorMatching(on=True, labels=("a",), cardinality="many-to-one", include=("b",))
    plus = expr.left
    assert isinstance(plus, ast.BinaryOperation) and plus.op == "+"
    times = plus.right
    assert isinstance(times, ast.BinaryOperation) and times.op == "*"
    power = times.right
    assert isinstance(power, ast.BinaryOperation) and power.op == "^"
    assert isinstance(power.right, ast.BinaryOperation), "^ is right-associative"


def test_label_filter_tree_keeps_or_below_and() -> None:
    query = '{app="a"} | json | a="1" or b > 2s and c < 10KB'
    expr = parse_logql(query)
    assert isinstance(expr, ast.LogQuery)
    stage = expr.stages[1]
    assert isinstance(stage, ast.LabelFilterStage)
    predicate = stage.predicate
    assert isinstance(predicate, ast.LogicalLabelFilter) and predicate.op == "or"
    assert isinstance(predicate.right, ast.LogicalLabelFilter) and predicate.right.op == "and"
    expected = ast.LabelComparison(name="b", op=">", value="2s", kind="duration", position=query.index("b >"))
    assert predicate.right.left == expected


def test_keywords_are_case_insensitive_and_functions_need_a_call() -> None:
    assert parse_logql('SUM BY (a) (Count_Over_Time({rate="x"}[5m]))').is_metric
    assert [t.kind for t in tokenize("rate rate(")] == ["IDENTIFIER", "RATE", "OPEN_PARENTHESIS", "EOF"]


def test_deep_binary_chains_do_not_exhaust_the_stack() -> None:
    query = " + ".join(['sum(rate({app="a"}[5m]))'] * 2000)
    assert sum(1 for _ in iter_selectors(parse_logql(query))) == 2000


def test_too_deep_nesting_is_an_error_not_a_crash() -> None:
    query = "(" * 500 + "1" + ")" * 500
    assert error_of(query).message == "expression nests too deeply"


def test_query_size_limit_is_lokis() -> None:
    error = error_of('{app="a"} |= "' + "x" * 131072 + '"')
    assert (error.position, error.message.startswith("input size too long")) == (0, True)


# Go's rules, reproduced ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "matches_empty"),
    [("", True), (".*", True), (".+", False), ("a|", True), ("bar|baz", False), ("\\B", True), ("\\b", False),
     ("(?i)x*", True), ("[[:alpha:]]{0,3}", True), ("\\pL+", False), ("a{0}", True)],
)  # fmt: skip
def test_regex_empty_match(pattern: str, matches_empty: bool) -> None:
    assert parse_regex(pattern).matches_empty is matches_empty


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
        ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
        ("(a", "error parsing regexp: missing closing ): `(a`"),
        ("a)", "error parsing regexp: unexpected ): `a)`"),
        ("[a", "error parsing regexp: missing closing ]: `[a`"),
        ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
        ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
        ("(a{100}){100}", "error parsing regexp: invalid repeat count: `{100}`"),
        ("\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
        ("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a)`"),
        ("\\p{Klingon}", "error parsing regexp: invalid character class range: `\\p{Klingon}`"),
    ],
)
def test_regex_errors_are_gos(pattern: str, message: str) -> None:
    with pytest.raises(RegexError) as raised:
        parse_regex(pattern)
    assert str(raised.value) == message


def test_regex_capture_names() -> None:
    assert parse_regex("(a)(?P<x>b)(?<y>c)").capture_names == ("", "x", "y")


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [("5m", 300 * 10**9), ("1h30m", 5400 * 10**9), ("1.5h", 5400 * 10**9), ("-5m", -300 * 10**9), ("0", 0)],
)
def test_durations(text: str, nanoseconds: int) -> None:
    assert parse_loki_duration(text) == nanoseconds


def test_bytes_and_floats() -> None:
    assert parse_bytes("2.5KiB") == 2560
    assert parse_bytes("20MB") == 20_000_000
    assert parse_float("0x1p3") == 8.0
    with pytest.raises(LiteralError, match='parsing "0x10": invalid syntax'):
        parse_float("0x10")
