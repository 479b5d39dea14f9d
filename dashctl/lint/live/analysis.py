"""The facts of a parsed PromQL query that the live rules check against Prometheus: the metrics it selects, the
labels it names (in matchers, `by`, `on`), the counters functions it applies, and histogram_quantile's input.

Labels a query may create itself (`label_replace`, `label_join`) and names that are Grafana variables are not
judged: the answer would be a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import promql_parser

from dashctl.queries.promql.analysis import COUNTER_FUNCTIONS, walk_promql
from dashctl.queries.promql.parser import ParsedPromQL

__all__ = ["LabelUse", "available_labels", "counter_calls", "label_uses", "metrics_under", "quantile_inputs",
           "selected_metrics"]

LabelsOf = Callable[[str], "set[str] | None"]
"""The label names a metric's series carry, None when unknown (no series, or not a plain name)."""
_CREATES_LABELS = frozenset({"label_replace", "label_join"})


@dataclass(frozen=True, kw_only=True)
class LabelUse:
    """A label name the query relies on, where (`matcher`, `by`, `on`), and the metrics it should occur on."""

    label: str
    clause: str
    metrics: tuple[str, ...]


def selected_metrics(parsed: ParsedPromQL) -> list[str]:
    """Each metric name a selector names, in order, once; names that are variables left out."""
    found: dict[str, None] = {}
    for node in walk_promql(parsed.expr):
        name = _metric(parsed, node)
        if name:
            found.setdefault(name)
    return list(found)


def label_uses(parsed: ParsedPromQL, labels_of: LabelsOf) -> Iterator[tuple[LabelUse, set[str]]]:
    """Each label a matcher, a `by` or an `on` names, with the labels actually available there."""
    for node in walk_promql(parsed.expr):
        name = _metric(parsed, node)
        if name:
            known = labels_of(name)
            if known is None:
                continue
            for matcher in node.matchers.matchers:
                label = matcher.name
                if label == "__name__" or (matcher.value == "" and str(matcher.op) == "MatchOp.Equal"):
                    continue
                if parsed.substitution.identifier_variable(label) is None:
                    yield LabelUse(label=label, clause="matcher", metrics=(name,)), known
        elif isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None \
                and str(node.modifier.type).endswith("By"):
            inner = available_labels(parsed, node.expr, labels_of)
            if inner is not None:
                for label in node.modifier.labels:
                    yield LabelUse(label=label, clause="by", metrics=tuple(_metrics_under(parsed, node.expr))), inner
        elif isinstance(node, promql_parser.BinaryExpr) and node.modifier is not None \
                and node.modifier.matching is not None and str(node.modifier.matching.type).endswith("Include"):
            for side in (node.lhs, node.rhs):
                inner = available_labels(parsed, side, labels_of)
                if inner is None:
                    continue
                for label in node.modifier.matching.labels:
                    yield LabelUse(label=label, clause="on", metrics=tuple(_metrics_under(parsed, side))), inner


def available_labels(parsed: ParsedPromQL, node: promql_parser.Expr, labels_of: LabelsOf) -> set[str] | None:
    """The label names the series of `node` carry, None when that cannot be told for certain."""
    if isinstance(node, promql_parser.VectorSelector):
        name = _metric(parsed, node)
        return labels_of(name) if name else None
    if isinstance(node, promql_parser.MatrixSelector):
        return available_labels(parsed, node.vector_selector, labels_of)
    if isinstance(node, promql_parser.ParenExpr | promql_parser.UnaryExpr | promql_parser.SubqueryExpr):
        return available_labels(parsed, node.expr, labels_of)
    if isinstance(node, promql_parser.NumberLiteral | promql_parser.StringLiteral):
        return set()
    if isinstance(node, promql_parser.AggregateExpr):
        modifier = node.modifier
        if modifier is None:
            return set()
        if str(modifier.type).endswith("By"):
            return set(modifier.labels)
        inner = available_labels(parsed, node.expr, labels_of)
        return None if inner is None else inner - set(modifier.labels)
    if isinstance(node, promql_parser.Call):
        function = node.func.name
        if function in _CREATES_LABELS or function in ("absent", "absent_over_time", "vector", "scalar", "time"):
            return None
        vectors = [arg for arg in node.args
                   if not isinstance(arg, promql_parser.NumberLiteral | promql_parser.StringLiteral)]
        if not vectors:
            return None
        inner = available_labels(parsed, vectors[0], labels_of)
        if inner is not None and function == "histogram_quantile":
            inner = inner - {"le"}
        return inner
    if isinstance(node, promql_parser.BinaryExpr):
        left = available_labels(parsed, node.lhs, labels_of)
        right = available_labels(parsed, node.rhs, labels_of)
        if left is None or right is None:
            return None
        left_scalar = isinstance(node.lhs, promql_parser.NumberLiteral)
        return right if left_scalar else left | (right if _is_set_operator(node) else set())
    return None


def counter_calls(parsed: ParsedPromQL) -> Iterator[tuple[str, str]]:
    """(function, metric) for each rate/irate/increase/resets applied directly to a metric's range."""
    for node in walk_promql(parsed.expr):
        if isinstance(node, promql_parser.Call) and node.func.name in COUNTER_FUNCTIONS:
            for argument in node.args:
                if isinstance(argument, promql_parser.MatrixSelector):
                    name = _metric(parsed, argument.vector_selector)
                    if name:
                        yield node.func.name, name


def quantile_inputs(parsed: ParsedPromQL) -> Iterator[promql_parser.Expr]:
    """The second argument of each histogram_quantile (the buckets it reads)."""
    for node in walk_promql(parsed.expr):
        if isinstance(node, promql_parser.Call) and node.func.name == "histogram_quantile" and len(node.args) == 2:
            yield node.args[1]


def metrics_under(parsed: ParsedPromQL, node: promql_parser.Expr) -> list[str]:
    return _metrics_under(parsed, node)


def _metrics_under(parsed: ParsedPromQL, node: promql_parser.Expr) -> list[str]:
    found: dict[str, None] = {}
    for child in walk_promql(node):
        name = _metric(parsed, child)
        if name:
            found.setdefault(name)
    return list(found)


def _metric(parsed: ParsedPromQL, node: object) -> str | None:
    if not isinstance(node, promql_parser.VectorSelector):
        return None
    name = node.name
    if name is None:
        for matcher in node.matchers.matchers:
            if matcher.name == "__name__" and str(matcher.op) == "MatchOp.Equal":
                name = matcher.value
    if not name or parsed.substitution.identifier_variable(name) is not None:
        return None
    restored = parsed.substitution.restore(name)
    return None if "$" in restored or "[[" in restored else restored


def _is_set_operator(node: promql_parser.BinaryExpr) -> bool:
    """`or` keeps the series of both sides (`and`, `unless` and arithmetic keep the left side's labels)."""
    return str(node.op) == "or"
