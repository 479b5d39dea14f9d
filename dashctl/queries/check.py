"""Check many queries at once, one a line: the library half of `dashctl query check`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashctl.errors import QuerySyntaxError, UsageError
from dashctl.queries.validation import check_query

__all__ = ["LANGUAGES", "QueryProblem", "check_queries"]

LANGUAGES = {"promql": "PromQL", "logql": "LogQL"}
"""Accepted spellings (any case) of the query languages, and the name errors use."""


@dataclass(frozen=True, kw_only=True)
class QueryProblem:
    """One query that does not parse: where it is in the input, and why."""

    line: int
    """1-based line number in the input."""
    query: str
    """The query as checked: the line without surrounding whitespace."""
    position: int | None
    """0-based offset of the problem in `query`, or None when the parser cannot tell."""
    column: int | None
    """1-based column of the problem in the input line, for `file:line:column` output."""
    reason: str
    hint: str | None = None


def check_queries(lines: Iterable[str], language: str) -> list[QueryProblem]:
    """Validate each line as one `language` query ("promql" or "logql"); blank lines and `#` comments are skipped.

    Raises UsageError for an unknown language; every invalid query becomes a QueryProblem, in input order.
    """
    name = LANGUAGES.get(language.lower())
    if name is None:
        raise UsageError(f"unknown query language {language!r}: use one of {', '.join(sorted(LANGUAGES))}")
    problems = []
    for number, line in enumerate(lines, start=1):
        query = line.strip()
        if not query or query.startswith("#"):
            continue
        try:
            check_query(query, name)
        except QuerySyntaxError as error:
            indent = len(line) - len(line.lstrip())
            problems.append(
                QueryProblem(
                    line=number,
                    query=query,
                    position=error.position,
                    column=None if error.position is None else indent + error.position + 1,
                    reason=error.message,
                    hint=error.hint,
                )
            )
    return problems
