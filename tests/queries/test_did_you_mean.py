"""Misspelt function and parser names get the closest real one as a hint (`increse` → `increase`,
`| jsn` → `json`); LogQL says what it expected instead of only "unexpected"."""

from __future__ import annotations

import pytest

from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql import check_logql
from dashctl.queries.promql import check_promql
from dashctl.spelling import closest


@pytest.mark.parametrize("query, hint", [
    ("sum(increse(http_requests_total[5m]))", "did you mean increase()?"),
    ("histogram_quantil(0.9, sum by (le) (rate(x_bucket[5m])))", "did you mean histogram_quantile()?"),
    ("sum(rat(x[5m]))", "did you mean rate()?"),
])
def test_promql_unknown_function_suggests_the_closest(query, hint):
    with pytest.raises(QuerySyntaxError) as raised:
        check_promql(query)
    assert raised.value.hint == hint


def test_promql_unknown_function_far_from_any_keeps_the_reference_hint():
    with pytest.raises(QuerySyntaxError) as raised:
        check_promql("zzzzqq(x)")
    assert "prometheus.io" in raised.value.hint


@pytest.mark.parametrize("query, message, hint", [
    ('{app="x"} | jsn', "unknown parser `jsn`: json, logfmt, regexp, pattern, unpack", "did you mean `json`?"),
    ('{app="x"} | logfm | level="error"', "unknown parser `logfm`", "did you mean `logfmt`?"),
    ('{app="x"} | json |', "the pipeline is incomplete", "a parser (json, logfmt"),
    ('sum(count_over_tme({app="x"}[5m]))', "unknown function `count_over_tme`", "did you mean `count_over_time`?"),
    ('{app="x"} | json | level', "`level` after `|` is neither a parser", '| level="value"'),
])
def test_logql_says_what_was_expected(query, message, hint):
    with pytest.raises(QuerySyntaxError) as raised:
        check_logql(query)
    assert raised.value.message.startswith(message)
    assert hint in raised.value.hint


@pytest.mark.parametrize("query, hint", [
    ('{app="x"', "the stream selector is not closed"),
    ('count_over_time({app="x"})', "a range aggregation needs a range after its log query"),
    ('{app="x"} | json [5m]', "a range belongs inside a range aggregation"),
    ("{app=x}", "label values and filter strings are quoted"),
    ('sum(count_over_time({app="x"}[5m])) by level', "by (level)"),
])
def test_logql_common_mistakes_get_a_hint(query, hint):
    with pytest.raises(QuerySyntaxError) as raised:
        check_logql(query)
    assert raised.value.message.startswith("syntax error: unexpected")
    assert hint in (raised.value.hint or "")


@pytest.mark.parametrize("query", ['{app="x"} | json | level="error"', '{app="x"} | pattern_x="a"',
                                   '{app="x"} | logfmt | status >= 500'])
def test_label_filters_that_resemble_parser_names_still_parse(query):
    check_logql(query)


def test_closest_only_when_close():
    assert closest("buidl", ["build", "init", "lint"]) == "build"
    assert closest("PROD", ["dev", "prod"]) == "prod"
    assert closest("zzz", ["build", "lint"]) is None
    assert closest("build", ["build"]) is None


def test_the_logql_builder_names_the_parsers_and_the_closest():
    from dashctl.errors import DefinitionError
    from dashctl.queries.logql_builder import Parser

    with pytest.raises(DefinitionError) as raised:
        Parser(kind="jsn")
    assert raised.value.message == "unknown parser 'jsn': json, logfmt, regexp, pattern, unpack"
    assert raised.value.hint == "did you mean 'json'?"
