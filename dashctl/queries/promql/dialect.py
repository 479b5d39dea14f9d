"""Which Prometheus the queries being validated run on: whether it enables experimental functions.

A module of its own, light to import: every build sets it per environment, and a build whose queries all have
the common shapes (`dashctl.queries.promql.shapes`) never imports the parser's modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["experimental_functions", "experimental_functions_enabled"]

_ENABLED: ContextVar[bool] = ContextVar("dashctl_promql_experimental_functions", default=False)


@contextmanager
def experimental_functions(*, enabled: bool) -> Iterator[None]:
    """Validate PromQL inside the block as a Prometheus that does (or does not) enable experimental functions."""
    token = _ENABLED.set(enabled)
    try:
        yield
    finally:
        _ENABLED.reset(token)


def experimental_functions_enabled() -> bool:
    """Whether the Prometheus the current queries run on enables experimental functions (off unless declared)."""
    return _ENABLED.get()
