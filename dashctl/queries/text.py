"""A query as the places that take one accept it: a string, or an expression of the PromQL or LogQL builder."""

from __future__ import annotations

from typing import Any

__all__ = ["query_language_of", "query_text"]


def query_text(value: Any) -> str | None:
    """The text of a query given as a string or a builder expression (`red_queries(...).error_ratio`), or None
    when `value` is neither."""
    if isinstance(value, str):
        return value
    from dashctl.queries.logql_builder import LogQuery
    from dashctl.queries.promql.expression import Expr

    if isinstance(value, (Expr, LogQuery)):
        return str(value)
    return None


def query_language_of(value: Any) -> str | None:
    """The language a builder expression is written in (`PromQL`, `LogQL`), None for a string or literals only."""
    if isinstance(value, str):
        return None
    from dashctl.queries.logql_builder import LogQuery
    from dashctl.queries.promql.expression import Expr

    if isinstance(value, LogQuery):
        return "LogQL"
    if isinstance(value, Expr):
        return value.query_language()
    return None
