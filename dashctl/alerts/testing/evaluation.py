"""Evaluate a Grafana-managed rule over LogQL queries on log fixtures, as Grafana's scheduler would.

Every `interval` of the rule's group from time 0, each node of the rule is computed (queries by the LogQL
evaluator, then reduce, threshold and math with Grafana's semantics); series whose condition is non-zero become
pending, and fire once the condition has held for `for` (Prometheus' rule semantics, which Grafana follows),
staying for `keep_firing_for` after it stops. Math joins series by labels the way Grafana's server-side
expressions do: a series without labels applies to every series, otherwise series whose labels are a subset of
the other's are paired.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dashctl.alerts import expression
from dashctl.alerts.compile import CompiledRule
from dashctl.alerts.model import LogQL, Math, PromQL, Reduce, ThresholdExpression
from dashctl.alerts.testing.logql_evaluation import (
    EvaluationError,
    LogStream,
    UnsupportedLogQL,
    evaluate,
    parse_testable_query,
)
from dashctl.alerts.testing.results import format_alert
from dashctl.alerts.testing.templates import UnsupportedTemplate, render_annotation
from dashctl.durations import parse_duration

__all__ = ["AlertInstance", "QueryFailed", "RuleSimulation", "UnsupportedLogQL"]

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AlertInstance:
    """A firing alert as a test sees it: its labels and annotations."""

    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return format_alert(self.labels, self.annotations)


@dataclass
class _Active:
    since: float
    firing: bool
    keep_since: float | None
    values: dict[str, tuple[dict[str, str], float]]
    series_labels: dict[str, str]


class RuleSimulation:
    """A LogQL rule, evaluated on log streams at the rule group's interval."""

    def __init__(self, rule: CompiledRule, streams: Sequence[LogStream], interval_seconds: float,
                 annotation_keys: set[str]):
        if any(isinstance(node, PromQL) for node in rule.rule.data):
            raise UnsupportedLogQL("the rule mixes PromQL and LogQL queries; neither promtool nor the LogQL "
                                   "evaluator can run it")
        self.rule = rule
        self.streams = list(streams)
        self.interval = interval_seconds
        self.annotation_keys = annotation_keys
        self.trees = {node.ref_id: parse_testable_query(node.expr) for node in rule.rule.data
                      if isinstance(node, LogQL)}
        self.for_seconds = parse_duration(rule.rule.for_) / 1000
        self.keep_seconds = parse_duration(rule.rule.keep_firing_for) / 1000
        self.annotations = {key: value for key, value in rule.rule.all_annotations().items() if key in annotation_keys}

    def firing(self, times: Sequence[float]) -> dict[float, list[AlertInstance]]:
        """The alerts firing at each of `times` (the state after the last evaluation at or before each)."""
        wanted = sorted(set(times))
        results: dict[float, list[AlertInstance]] = {}
        active: dict[Labels, _Active] = {}
        if not wanted:
            return results
        step = 0
        while True:
            now = step * self.interval
            if now > wanted[-1]:
                break
            self._evaluate(now, active)
            upcoming = now + self.interval
            for time in wanted:
                if now <= time < upcoming:
                    results[time] = self._instances(active)
            step += 1
        return results

    def _evaluate(self, now: float, active: dict[Labels, _Active]) -> None:
        values = self._nodes(now)
        condition = values[self.rule.rule.condition_ref]
        true_keys = {key for key, value in condition.items() if value != 0 and not math.isnan(value)}
        no_data = all(not values[node.ref_id] for node in self.rule.rule.data if isinstance(node, LogQL))
        if no_data and self.rule.rule.no_data_state == "Alerting":
            condition, true_keys = {(): 1.0}, {()}
        for key in true_keys:
            node_values = _values_for(key, values)
            state = active.get(key)
            if state is None:
                state = active[key] = _Active(since=now, firing=False, keep_since=None, values=node_values,
                                              series_labels=dict(key))
            state.keep_since, state.values = None, node_values
            if now - state.since >= self.for_seconds:
                state.firing = True
        for key in list(active):
            if key in true_keys:
                continue
            state = active[key]
            # Prometheus' keep_firing_for counts from the first evaluation where the condition no longer holds.
            if state.firing and self.keep_seconds:
                if state.keep_since is None:
                    state.keep_since = now
                if now - state.keep_since < self.keep_seconds:
                    continue
            del active[key]

    def _instances(self, active: dict[Labels, _Active]) -> list[AlertInstance]:
        instances = []
        rule_labels = self.rule.labels
        for state in active.values():
            if not state.firing:
                continue
            labels = {**state.series_labels, **rule_labels}
            annotations = {}
            for key, template in self.annotations.items():
                try:
                    annotations[key] = render_annotation(template, labels=labels, values=state.values)
                except UnsupportedTemplate as error:
                    raise UnsupportedLogQL(f"annotation {key!r}: {error}") from None
            instances.append(AlertInstance(labels=tuple(sorted(labels.items())),
                                           annotations=tuple(sorted(annotations.items()))))
        return sorted(instances, key=str)

    def _nodes(self, now: float) -> dict[str, dict[Labels, float]]:
        """Each node's result at `now`: one number per series (range queries hold lists until reduced)."""
        results: dict[str, dict[Labels, float]] = {}
        ranges: dict[str, dict[Labels, list[float]]] = {}
        for node in self.rule.rule.data:
            if isinstance(node, LogQL):
                if node.instant:
                    results[node.ref_id] = self._query(node.ref_id, now)
                else:
                    ranges[node.ref_id] = self._range(node, now)
                    results[node.ref_id] = {}
            elif isinstance(node, Reduce):
                if node.input in ranges:
                    results[node.ref_id] = {key: _reduce(node.reducer, series) for key, series in
                                            ranges[node.input].items() if series}
                else:
                    results[node.ref_id] = dict(results[node.input])
            elif isinstance(node, ThresholdExpression):
                if node.input in ranges:
                    raise UnsupportedLogQL(f"threshold on the range query {node.input}; reduce it first")
                results[node.ref_id] = {key: _threshold(node, value) for key, value in results[node.input].items()}
            elif isinstance(node, Math):
                for ref in node.references:
                    if ref in ranges:
                        raise UnsupportedLogQL(f"math on the range query {ref}; reduce it first")
                results[str(node.ref_id)] = _math(node.tree, results)
        return results

    def _query(self, ref: str, time: float) -> dict[Labels, float]:
        try:
            value = evaluate(self.trees[ref], self.streams, time)
        except EvaluationError as error:
            raise QueryFailed(f"query {ref} failed at {time:g}s: {error}") from None
        if isinstance(value, dict):
            return {tuple(sorted(key)): v for key, v in value.items()}
        return {(): float(value)}

    def _range(self, node: LogQL, now: float) -> dict[Labels, list[float]]:
        step = node.step_seconds
        start = math.floor((now - node.window_seconds) / step) * step
        series: dict[Labels, list[float]] = {}
        time = start
        while time <= now:
            if time >= 0:
                for key, value in self._query(node.ref_id, time).items():
                    series.setdefault(key, []).append(value)
            time += step
        return series


class QueryFailed(UnsupportedLogQL):
    """The LogQL query fails on these logs (as it would in Loki)."""


def _values_for(key: Labels, values: dict[str, dict[Labels, float]]) -> dict[str, tuple[dict[str, str], float]]:
    found = {}
    wanted = set(key)
    for ref, series in values.items():
        for labels, value in series.items():
            if labels == key or set(labels) <= wanted:
                found[ref] = (dict(labels), value)
                break
    return found


def _reduce(reducer: str, values: list[float]) -> float:
    if any(math.isnan(v) for v in values):
        return math.nan  # Grafana's default "strict" mode
    if reducer == "last":
        return values[-1]
    if reducer == "mean":
        return sum(values) / len(values)
    if reducer == "min":
        return min(values)
    if reducer == "max":
        return max(values)
    if reducer == "sum":
        return sum(values)
    return float(len(values))


def _threshold(node: ThresholdExpression, value: float) -> float:
    params = node.params
    if node.evaluator == "gt":
        return float(value > params[0])
    if node.evaluator == "lt":
        return float(value < params[0])
    if node.evaluator == "within_range":
        return float(params[0] < value < params[1])
    return float(value < params[0] or value > params[1])


def _math(tree: expression.Node, results: dict[str, dict[Labels, float]]) -> dict[Labels, float]:
    if isinstance(tree, expression.Number):
        return {(): tree.value}
    if isinstance(tree, expression.Reference):
        return dict(results.get(tree.ref_id, {}))
    if isinstance(tree, expression.Unary):
        operand = _math(tree.operand, results)
        return {key: expression.evaluate_number(expression.Unary(tree.op, expression.Number(v)), {})
                for key, v in operand.items()}
    if isinstance(tree, expression.Call):
        operand = _math(tree.argument, results)
        return {key: expression.evaluate_number(expression.Call(tree.function, expression.Number(v)), {})
                for key, v in operand.items()}
    left, right = _math(tree.left, results), _math(tree.right, results)
    combined: dict[Labels, float] = {}
    for left_key, left_value in left.items():
        for right_key, right_value in right.items():
            if set(left_key) <= set(right_key) or set(right_key) <= set(left_key):
                key = left_key if len(left_key) >= len(right_key) else right_key
                combined[key] = expression.evaluate_number(
                    expression.Binary(tree.op, expression.Number(left_value), expression.Number(right_value)), {})
    return combined
