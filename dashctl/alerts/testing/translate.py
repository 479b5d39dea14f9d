"""Translate a Grafana-managed PromQL rule into the equivalent Prometheus alerting rule, for `promtool test rules`.

Each node becomes PromQL:
- an instant query is its expression; a range query over W at step S only makes sense reduced: `mean` becomes
  `avg_over_time((expr)[W+S/2:S])` (and `last`, `min`, `max`, `sum`, `count` likewise). Grafana aligns a range
  query's start and end to the step and includes both, which gives W/S+1 points at evaluation times on the step;
  a subquery of W+S/2 holds exactly those points whether the left edge of a range is closed (Prometheus 2) or
  open (Prometheus 3).
- threshold `gt`/`lt` is a filtering comparison (`> x`), `within_range` `(v > lo) < hi`, `outside_range`
  `v < lo or v > hi` (Grafana's ranges exclude their ends).
- math: a comparison at the top (and `&&`/`||` of comparisons) filters, so the alert keeps the left side's value
  and labels; elsewhere comparisons use `bool` and logic is arithmetic on 0/1, as Grafana computes it, and the
  rule fires where the result is not 0.
`$__rate_interval` becomes 4 × the test's sample interval, as Grafana computes it when the scrape interval is the
sample interval; `$__interval` the sample interval; `$__range` the query's window.
"""

from __future__ import annotations

import re
from typing import Any

from dashctl.alerts import expression
from dashctl.alerts.compile import CompiledRule
from dashctl.alerts.model import LogQL, Math, PromQL, Reduce, ThresholdExpression
from dashctl.durations import canonical_duration

__all__ = ["NotTranslatable", "prometheus_expression", "prometheus_rule"]

_OVER_TIME = {"last": "last_over_time", "mean": "avg_over_time", "min": "min_over_time", "max": "max_over_time",
              "sum": "sum_over_time", "count": "count_over_time"}
_FUNCTIONS = {"abs": "abs", "ceil": "ceil", "floor": "floor", "round": "round", "log": "ln"}
_VALUES = re.compile(r"\$values\.([A-Za-z0-9_]+)(\.Value)?\b")


class NotTranslatable(ValueError):
    """The rule uses something with no Prometheus equivalent (the reason says what)."""


def prometheus_rule(compiled: CompiledRule, *, sample_interval_seconds: float,
                    annotation_keys: set[str]) -> dict[str, Any]:
    """The Prometheus rule for `compiled`, named by its uid, with only the annotations the test compares."""
    rule = compiled.rule
    expr = prometheus_expression(compiled, sample_interval_seconds=sample_interval_seconds)
    annotations = {}
    value_refs = _value_refs(compiled)
    for key in sorted(annotation_keys):
        template = rule.all_annotations().get(key)
        if template is None:
            continue
        annotations[key] = _annotation(template, key, value_refs)
    entry: dict[str, Any] = {"alert": rule.uid, "expr": expr, "labels": dict(compiled.labels)}
    if canonical_duration(rule.for_) != "0s":
        entry["for"] = canonical_duration(rule.for_)
    if canonical_duration(rule.keep_firing_for) != "0s":
        entry["keep_firing_for"] = canonical_duration(rule.keep_firing_for)
    if annotations:
        entry["annotations"] = annotations
    return entry


def prometheus_expression(compiled: CompiledRule, *, sample_interval_seconds: float) -> str:
    """The PromQL expression that fires exactly where the Grafana rule's condition is non-zero."""
    nodes = {node.ref_id: node for node in compiled.rule.data}
    if any(isinstance(node, LogQL) for node in nodes.values()):
        raise NotTranslatable("the rule queries Loki (LogQL); promtool only evaluates PromQL")
    translator = _Translator(nodes, sample_interval_seconds)
    condition = nodes[compiled.rule.condition_ref]
    if isinstance(condition, ThresholdExpression):
        return translator.threshold(condition)
    if isinstance(condition, Math):
        return translator.condition(condition.tree)
    raise NotTranslatable(f"the condition {condition.ref_id} is not a threshold or math expression")


class _Translator:
    def __init__(self, nodes: dict[str | None, Any], sample_interval: float):
        self.nodes = nodes
        self.sample_interval = sample_interval

    def value(self, ref: str) -> str:
        node = self.nodes[ref]
        if isinstance(node, PromQL):
            if not node.instant:
                raise NotTranslatable(f"range query {ref} is used without a reduce expression")
            return f"({self.query(node)})"
        if isinstance(node, Reduce):
            source = self.nodes[node.input]
            if isinstance(source, PromQL) and not source.instant:
                window_ms = source.window_seconds * 1000 + source.step_seconds * 500
                return (f"{_OVER_TIME[node.reducer]}(({self.query(source)})"
                        f"[{canonical_duration(window_ms)}:{canonical_duration(source.step_seconds * 1000)}])")
            return self.value(node.input)  # reducing an instant result changes nothing
        if isinstance(node, ThresholdExpression):
            return f"({self.threshold(node, as_bool=True)})"
        if isinstance(node, Math):
            return f"({self.arithmetic(node.tree)})"
        raise NotTranslatable(f"node {ref} cannot be translated")

    def query(self, node: PromQL) -> str:
        interval = canonical_duration(int(self.sample_interval * 1000))
        rate_interval = canonical_duration(int(self.sample_interval * 4000))
        window = canonical_duration(node.window_seconds * 1000)
        replacements = {
            "__rate_interval": rate_interval, "__interval": interval, "__range": window,
            "__interval_ms": str(int(self.sample_interval * 1000)), "__range_s": str(node.window_seconds),
            "__range_ms": str(node.window_seconds * 1000),
        }

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            if name.isdigit():
                return match.group(0)  # a label_replace capture group (`$1`), not a variable
            if name not in replacements:
                raise NotTranslatable(f"${name} has no value in a unit test")
            return replacements[name]

        return re.sub(r"\$\{(\w+)\}|\$(\w+)", substitute, node.expr)

    def threshold(self, node: ThresholdExpression, *, as_bool: bool = False) -> str:
        value = self.value(node.input)
        low = _number(node.params[0])
        compare = " bool " if as_bool else " "
        if node.evaluator == "gt":
            return f"{value} >{compare}{low}"
        if node.evaluator == "lt":
            return f"{value} <{compare}{low}"
        high = _number(node.params[1])
        if node.evaluator == "within_range":
            if as_bool:
                return f"({value} > bool {low}) * ({value} < bool {high})"
            return f"({value} > {low}) < {high}"
        if as_bool:
            return f"clamp_max(({value} < bool {low}) + ({value} > bool {high}), 1)"
        return f"{value} < {low} or {value} > {high}"

    def condition(self, tree: expression.Node) -> str:
        """The firing set of a math condition: filtering where the shape allows it, else `!= 0`."""
        if isinstance(tree, expression.Binary) and tree.op in expression.COMPARISONS:
            return f"{self.operand(tree.left)} {tree.op} {self.operand(tree.right)}"
        if isinstance(tree, expression.Binary) and tree.op in ("&&", "||") and _filters(tree):
            keyword = "and" if tree.op == "&&" else "or"
            return f"({self.condition(tree.left)}) {keyword} ({self.condition(tree.right)})"
        return f"({self.arithmetic(tree)}) != 0"

    def operand(self, tree: expression.Node) -> str:
        text = self.arithmetic(tree)
        return text if isinstance(tree, (expression.Number, expression.Reference)) else f"({text})"

    def arithmetic(self, tree: expression.Node) -> str:
        """A math node as a value (comparisons and logic give 1 or 0, as in Grafana)."""
        if isinstance(tree, expression.Number):
            return _number(tree.value)
        if isinstance(tree, expression.Reference):
            return self.value(tree.ref_id)
        if isinstance(tree, expression.Unary):
            inner = self.operand(tree.operand)
            return f"-{inner}" if tree.op == "-" else f"({inner} == bool 0)"
        if isinstance(tree, expression.Call):
            if tree.function not in _FUNCTIONS:
                raise NotTranslatable(f"math function {tree.function}() has no PromQL equivalent")
            return f"{_FUNCTIONS[tree.function]}({self.arithmetic(tree.argument)})"
        left, right = self.operand(tree.left), self.operand(tree.right)
        if tree.op in expression.COMPARISONS:
            return f"{left} {tree.op} bool {right}"
        if tree.op == "&&":
            return f"({left} != bool 0) * ({right} != bool 0)"
        if tree.op == "||":
            return f"clamp_max(({left} != bool 0) + ({right} != bool 0), 1)"
        return f"{left} {'^' if tree.op == '**' else tree.op} {right}"


def _filters(tree: expression.Node) -> bool:
    """Whether a logic tree is made of comparisons only, so it can filter instead of computing 0/1."""
    if isinstance(tree, expression.Binary):
        if tree.op in expression.COMPARISONS:
            return True
        if tree.op in ("&&", "||"):
            return _filters(tree.left) and _filters(tree.right)
    return False


def _value_refs(compiled: CompiledRule) -> set[str]:
    """The refIds whose value the translated rule's `$value` is."""
    nodes = {node.ref_id: node for node in compiled.rule.data}
    condition = nodes[compiled.rule.condition_ref]
    refs: set[str] = set()
    if isinstance(condition, ThresholdExpression):
        refs.add(condition.input)
        node = nodes[condition.input]
        if isinstance(node, Reduce):
            source = nodes[node.input]
            if isinstance(source, PromQL) and source.instant:
                refs.add(node.input)  # reducing an instant query keeps its value
    elif isinstance(condition, Math) and _filters(condition.tree):
        tree = condition.tree
        while isinstance(tree, expression.Binary) and tree.op == "&&":
            tree = tree.left
        if isinstance(tree, expression.Binary) and isinstance(tree.left, expression.Reference):
            refs.add(tree.left.ref_id)
    return refs


def _annotation(template: str, key: str, value_refs: set[str]) -> str:
    if re.search(r"\$value\b(?!s)", template):
        raise NotTranslatable(f"annotation {key!r} uses Grafana's $value (a string of every value), which "
                              "Prometheus renders differently; use $values.<refId>.Value")

    def replace(match: re.Match[str]) -> str:
        if match.group(1) not in value_refs:
            raise NotTranslatable(f"annotation {key!r} uses $values.{match.group(1)}, which the Prometheus rule "
                                  f"has no value for (it has {', '.join(sorted(value_refs)) or 'none'})")
        return "$value"

    return _VALUES.sub(replace, template)


def _number(value: float) -> str:
    return f"{value:.15g}"
