"""One entry point that validates a query in the language its datasource speaks."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["check_query"]


# The same query recurs across environments and dashboards; a valid one needs checking once per build process.
@lru_cache(maxsize=65536)
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
