"""alert/ratio-threshold: a rule whose query is a ratio compares it with a number between 0 and 1.

The heuristic: the query compared by the Threshold condition has a division as its outermost operation
(parentheses aside), no number literal scales either side (`x / 1000` converts a unit, `100 * a / b` is a
percentage), and the numerator reads a subset of what the denominator reads: in PromQL both sides select a
metric of the same name (`errors{code=~"5.."} / errors`), in LogQL the numerator's stream selector has every
matcher of a stream selector of the denominator. Such a ratio lies between 0 and 1, so a threshold outside that
range (5 for 5%) never or always fires. Documented in docs/rules/alert/ratio-threshold.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext, QueryContext


@rule(id="alert/ratio-threshold", scope=Scope.ALERT, severity=Severity.ERROR,
      summary="ratio compared with a threshold outside 0-1")
def check(alert: AlertContext) -> Iterator[Problem]:
    condition = alert.rule.condition
    evaluator = getattr(condition, "evaluator", None)
    if evaluator is None:
        return  # a Math condition: its numbers are not thresholds of one query
    kind, params = evaluator
    outside = [value for value in params if not 0 <= value <= 1]
    if not outside:
        return
    query = _compared_query(alert, getattr(condition, "input", None))
    if query is None or not _is_ratio(query):
        return
    values = " and ".join(_number(value) for value in params)
    shown = _number(outside[0])
    location = alert.located(getattr(condition, "location", None)) or alert.keyword_location("condition")
    message = (f"query {query.ref_id} is a ratio, between 0 and 1, but the threshold is {values} ({kind}): it "
               f"{'never' if kind in ('gt', 'within_range') else 'always'} fires as written")
    configured = _configured(alert, location, outside[0])
    if configured is not None:
        # The bad number is written in the configuration: point there, and say which line read it.
        key, location_in_config = configured
        message += f" ({key} under [{alert.environment.table}.values], read at {location})"
        location = location_in_config
    yield Problem(
        message=message,
        hint=f"write the threshold as a fraction (5% is 0.05, not 5)" if outside[0] > 1 else
        f"a ratio is never below 0; check the threshold {shown}",
        location=location,
    )


def _configured(alert: AlertContext, location: Any, value: float) -> tuple[str, Any] | None:
    """The environment value (`env.value("key")` on the condition's line) that holds the threshold, and where the
    configuration writes it."""
    text = alert.source.line(location) or ""
    environment = alert.environment
    for key in environment.values_read_in(text):
        configured = environment.values.get(key)
        if isinstance(configured, (int, float)) and not isinstance(configured, bool) and configured == value:
            return key, environment.config_location(f"values.{key}")
    return None


def _compared_query(alert: AlertContext, ref_id: str | None) -> QueryContext | None:
    queries = alert.queries
    if ref_id is not None:
        return next((query for query in queries if query.ref_id == ref_id), None)
    return queries[0] if len(queries) == 1 else None


def _is_ratio(query: QueryContext) -> bool:
    parsed = query.parsed
    if parsed is None:
        return False
    if query.language == "PromQL":
        return _promql_ratio(parsed)
    return _logql_ratio(parsed)


def _promql_ratio(parsed: Any) -> bool:
    import promql_parser

    from dashctl.queries.promql.analysis import walk_promql

    node = parsed.expr
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if not isinstance(node, promql_parser.BinaryExpr) or str(node.op) != "/":
        return False

    def names(side: Any) -> set[str]:
        return {parsed.substitution.restore(item.name) for item in walk_promql(side)
                if isinstance(item, promql_parser.VectorSelector) and item.name}

    if _promql_scaled(node.lhs) or _promql_scaled(node.rhs):
        return False
    return bool(names(node.lhs) & names(node.rhs))


def _promql_scaled(node: Any) -> bool:
    """A number literal, or arithmetic with one (`100 * x`), outside any function or aggregation."""
    import promql_parser

    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if isinstance(node, promql_parser.NumberLiteral):
        return True
    if isinstance(node, promql_parser.BinaryExpr) and str(node.op) in ("*", "/", "+", "-"):
        return _promql_scaled(node.lhs) or _promql_scaled(node.rhs)
    return False


def _logql_ratio(parsed: Any) -> bool:
    from dashctl.queries.logql.ast import BinaryOperation, ScalarLiteral, iter_log_queries

    if not isinstance(parsed, BinaryOperation) or parsed.op != "/":
        return False

    def scaled(node: Any) -> bool:
        if isinstance(node, ScalarLiteral):
            return True
        return isinstance(node, BinaryOperation) and node.op in ("*", "/", "+", "-") and (
            scaled(node.left) or scaled(node.right))

    if scaled(parsed.left) or scaled(parsed.right):
        return False

    def selectors(side: Any) -> list[set[tuple[str, str, str]]]:
        return [{matcher.as_tuple() for matcher in log_query.selector.matchers}
                for log_query in iter_log_queries(side)]

    denominators = selectors(parsed.right)
    return any(numerator >= denominator for numerator in selectors(parsed.left) for denominator in denominators)


def _number(value: float) -> str:
    return f"{value:g}"
