"""check_queries: one query a line, as `dashctl query check` reads them."""

from __future__ import annotations

import pytest

from dashctl.errors import UsageError
from dashctl.queries.check import QueryProblem, check_queries

PROMQL_FILE = """\
# the backend's error ratio
sum(rate(x_count{status_code=~"5.."}[$__rate_interval])) / sum(rate(x_count[$__rate_interval]))

   sum(rate(x[5m])
rate(x[$__rate_interval)
  # indented comment
foo bar
up
"""


def test_check_queries_reports_each_bad_line_with_its_position() -> None:
    problems = check_queries(PROMQL_FILE.splitlines(keepends=True), "promql")
    assert problems == [
        QueryProblem(
            line=4,
            query="sum(rate(x[5m])",
            position=15,
            column=19,
            reason="unclosed left parenthesis",
            hint="every '(' needs its ')'",
        ),
        QueryProblem(
            line=5,
            query="rate(x[$__rate_interval)",
            position=23,
            column=24,
            reason="unexpected character inside brackets: ')'",
            hint="a range is a duration (5m) or a variable ($__rate_interval), then ']'",
        ),
        QueryProblem(line=7, query="foo bar", position=4, column=5, reason="unexpected 'bar'"),
    ]


@pytest.mark.parametrize("language", ["promql", "PromQL", "PROMQL"])
def test_language_names_are_case_insensitive(language: str) -> None:
    assert check_queries(["up", "", "# only comments"], language) == []


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown query language 'sql'"):
        check_queries(["select 1"], "sql")


def test_logql_lines_are_checked_with_the_logql_validator() -> None:
    problems = check_queries(['{app="backend"} |= "error"', "{app=}"], "logql")
    assert [(problem.line, problem.query) for problem in problems] == [(2, "{app=}")]
