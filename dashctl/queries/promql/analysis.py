"""Facts about a parsed PromQL query that lint rules ask for: range windows and counters outside rate().

The AST is `promql_parser`'s; it carries no positions, so findings name the function or metric instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import promql_parser

from dashctl.queries.promql.parser import ParsedPromQL

__all__ = [
    "COUNTER_FUNCTIONS",
    "COUNTER_SUFFIXES",
    "RangeCall",
    "find_bare_counters",
    "find_range_calls",
    "walk_promql",
]

COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
"""Names that Prometheus client libraries give counters (and the counter series of histograms and summaries)."""

COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets"})
"""Functions that make sense of a counter's resets; anything else over a raw counter reads a meaningless total."""


@dataclass(frozen=True, kw_only=True)
class RangeCall:
    """A function applied to a range vector: `rate(x[5m])`, `max_over_time(x[$__range])`, or over a subquery."""

    function: str
    metric: str | None
    range: timedelta | None
    """The window, or None when it is a Grafana variable whose value is known only at query time."""
    range_variable: str | None
    """The Grafana variable the window was written as (`__rate_interval`, `__interval`, ...), or None."""


def walk_promql(expr: promql_parser.Expr) -> Iterator[promql_parser.Expr]:
    """Every node of the AST, parents before children, left to right."""
    yield expr
    for child in _children(expr):
        yield from walk_promql(child)


def find_range_calls(parsed: ParsedPromQL) -> tuple[RangeCall, ...]:
    """Each call whose argument is a range: which function, over which metric, with which window."""
    calls = []
    for node in walk_promql(parsed.expr):
        if not isinstance(node, promql_parser.Call):
            continue
        for argument in node.args:
            if isinstance(argument, promql_parser.MatrixSelector):
                metric, window = _metric_name(parsed, argument.vector_selector), argument.range
            elif isinstance(argument, promql_parser.SubqueryExpr) and argument.range is not None:
                metric, window = None, argument.range
            else:
                continue
            variable = parsed.substitution.duration_variable(window.total_seconds())
            calls.append(
                RangeCall(
                    function=node.func.name,
                    metric=metric,
                    range=None if variable else window,
                    range_variable=variable.name if variable else None,
                )
            )
    return tuple(calls)


def find_bare_counters(parsed: ParsedPromQL) -> tuple[str, ...]:
    """Counter-like metrics (by suffix) read other than through rate/irate/increase/resets, in order of use."""
    found: dict[str, None] = {}
    _collect_bare_counters(parsed, parsed.expr, inside_counter_function=False, found=found)
    return tuple(found)


def _collect_bare_counters(
    parsed: ParsedPromQL, node: promql_parser.Expr, *, inside_counter_function: bool, found: dict[str, None]
) -> None:
    if isinstance(node, promql_parser.VectorSelector):
        name = _metric_name(parsed, node)
        whole_variable = node.name is not None and parsed.substitution.identifier_variable(node.name) is not None
        if name and name.endswith(COUNTER_SUFFIXES) and not inside_counter_function and not whole_variable:
            found.setdefault(name)
        return
    if isinstance(node, promql_parser.MatrixSelector):
        _collect_bare_counters(
            parsed, node.vector_selector, inside_counter_function=inside_counter_function, found=found
        )
        return
    counter_call = isinstance(node, promql_parser.Call) and node.func.name in COUNTER_FUNCTIONS
    for child in _children(node):
        # Only the direct range argument of rate() and friends is read correctly; a subquery inside rate()
        # re-samples an expression, which is fine when that expression is the counter selector itself.
        direct = counter_call and isinstance(child, promql_parser.MatrixSelector | promql_parser.SubqueryExpr)
        if direct and isinstance(child, promql_parser.SubqueryExpr):
            _collect_bare_counters(parsed, child.expr, inside_counter_function=True, found=found)
        else:
            _collect_bare_counters(parsed, child, inside_counter_function=direct, found=found)


def _metric_name(parsed: ParsedPromQL, selector: promql_parser.VectorSelector) -> str | None:
    if selector.name is None:
        return None
    return parsed.substitution.restore(selector.name)


def _children(node: promql_parser.Expr) -> list[promql_parser.Expr]:
    if isinstance(node, promql_parser.AggregateExpr):
        return [child for child in (node.param, node.expr) if isinstance(child, promql_parser.Expr)]
    if isinstance(node, promql_parser.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, promql_parser.UnaryExpr | promql_parser.ParenExpr | promql_parser.SubqueryExpr):
        return [node.expr]
    if isinstance(node, promql_parser.MatrixSelector):
        return [node.vector_selector]
    if isinstance(node, promql_parser.Call):
        return list(node.args)
    return []
