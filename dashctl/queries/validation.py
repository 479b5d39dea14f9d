"""One entry point that validates a query in the language its datasource speaks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from dashctl.queries.promql.dialect import experimental_functions_enabled

__all__ = ["check_query", "query_validation", "validating_queries"]

_ENABLED: ContextVar[bool] = ContextVar("dashctl_query_validation", default=True)


@contextmanager
def query_validation(*, enabled: bool) -> Iterator[None]:
    """Turn `check_query` on or off inside the block.

    `dashctl lint` builds with validation off (`build_project(validate_queries=False)`) so that an invalid query
    becomes a lint finding instead of stopping the build; this carries the switch into compilers that take no
    such keyword (the alerting section).
    """
    token = _ENABLED.set(enabled)
    try:
        yield
    finally:
        _ENABLED.reset(token)


def validating_queries() -> bool:
    """Whether queries are validated here (False inside `query_validation(enabled=False)`: lint reports instead)."""
    return _ENABLED.get()


def check_query(query: str, language: str) -> None:
    """Raise QuerySyntaxError when `query` is not valid `language` ("PromQL" or "LogQL").

    Does nothing inside `query_validation(enabled=False)`.
    """
    if _ENABLED.get():
        _check_query(query, language, experimental_functions_enabled())


# The same query recurs across environments and dashboards; a valid one needs checking once per build process (and
# per Prometheus dialect: an experimental function is valid only where the environment enables them).
@lru_cache(maxsize=65536)
def _check_query(query: str, language: str, experimental_functions: bool) -> None:
    if language == "PromQL":
        from dashctl.queries.promql.shapes import has_common_shape

        if has_common_shape(query):  # the commonest shapes, without importing the parser (or running it)
            return
        from dashctl.queries.promql.parser import check_promql

        check_promql(query, experimental_functions=experimental_functions)
    elif language == "LogQL":
        from dashctl.queries.logql.shapes import has_common_shape as common_log_query

        if common_log_query(query):  # the commonest shape, without importing the parser (or running it)
            return
        from dashctl.queries.logql import check_logql

        check_logql(query)
    else:
        raise ValueError(f"unknown query language {language!r}")
