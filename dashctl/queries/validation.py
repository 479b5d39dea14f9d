"""One entry point that validates a query in the language its datasource speaks."""

from __future__ import annotations

__all__ = ["check_query"]


def check_query(query: str, language: str) -> None:
    """Raise QuerySyntaxError when `query` is not valid `language` ("PromQL" or "LogQL")."""
    if language == "PromQL":
        from dashctl.queries.promql import check_promql

        check_promql(query)
    elif language == "LogQL":
        from dashctl.queries.logql import check_logql

        check_logql(query)
    else:
        raise ValueError(f"unknown query language {language!r}")
