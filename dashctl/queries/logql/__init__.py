"""LogQL, Loki's query language: a validator that accepts what Loki accepts and rejects what Loki rejects.

Written from Loki's grammar and checks (grafana/loki `pkg/logql/syntax/`): `parse_logql` returns the syntax tree of
`dashctl.queries.logql.ast` or raises `QuerySyntaxError` with Loki's message and the 0-based position of the
offending token in the query as written. Grafana template variables are understood: inside a range (`[$__auto]`)
a variable is a duration, inside a string it is text, where a label name is listed (`by ($group)`) a name, and
anywhere else a number (`topk($k, ...)`, `> $threshold`, `offset $shift`).

    >>> expr = parse_logql('sum by (level) (count_over_time({app="api"} | json [$__auto]))')
    >>> expr.is_metric
    True
    >>> list(iter_selectors(expr))
    [(('app', '=', 'api'),)]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashctl.queries.logql.ast import Expr

# The parser, its checks and the syntax tree are imported by the functions that need them: a module of the package
# (literals, the regex syntax, the recognizer of common shapes) is often all a process needs, and the tree's thirty
# dataclasses alone cost about 12 ms to create.

__all__ = ["check_logql", "is_metric", "iter_selectors", "parse_logql"]


def parse_logql(query: str) -> Expr:
    """Parse and validate a LogQL query; raise QuerySyntaxError (language "LogQL") where Loki would refuse it.

    The result is a `LogQuery` (log lines) or one of the metric nodes; every node has `is_metric`.
    """
    from dashctl.queries.logql.checks import check_expr
    from dashctl.queries.logql.parser import parse_expr

    expr = parse_expr(query)
    check_expr(query, expr)
    return expr


def check_logql(query: str) -> None:
    """Raise QuerySyntaxError when `query` is not valid LogQL, as `parse_logql` does; return None otherwise."""
    parse_logql(query)


def is_metric(expr: Expr) -> bool:
    """Whether `expr` is a metric query (returns samples) rather than a log query (returns log lines)."""
    from dashctl.queries.logql.ast import LogQuery

    return not isinstance(expr, LogQuery)


def iter_selectors(expr: Expr) -> Iterator[tuple[tuple[str, str, str], ...]]:
    """Yield the matchers of every stream selector in `expr`, left to right, as `(name, op, value)` tuples.

    One item per selector: `{app="api", env=~"prod|dev"}` gives `(("app", "=", "api"), ("env", "=~", "prod|dev"))`.
    Pipeline label filters (`| level="error"`) are not stream selectors and are not included.
    """
    from dashctl.queries.logql.ast import iter_log_queries

    for log_query in iter_log_queries(expr):
        yield tuple(matcher.as_tuple() for matcher in log_query.selector.matchers)
