"""An alert rule as the backtest replays it: Grafana's provisioning model (`data`, `condition`, `for`...) read
into typed steps, from the `dashctl.diff.objects.AlertRule` that `dashctl diff` compares.

A rule's `data` is a list of nodes: datasource queries (Prometheus, Loki) and server-side expressions
(`__expr__`: reduce, math, threshold, classic_conditions). Anything else (resample, SQL expressions, another
datasource type) cannot be replayed; `read_rule` raises `Unsupported` saying what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dashctl.durations import parse_duration

__all__ = [
    "ClassicCondition",
    "Condition",
    "DataQuery",
    "Evaluator",
    "MathStep",
    "ReduceStep",
    "ReplayRule",
    "Step",
    "ThresholdStep",
    "Unsupported",
    "read_rule",
]

# Grafana's defaults for a Prometheus query in an alert (pkg/expr: the datasource's minimum step, `timeInterval`,
# is 15s unless the datasource says otherwise).
DEFAULT_MIN_STEP = 15
DEFAULT_MAX_DATA_POINTS = 43_200


class Unsupported(Exception):
    """Part of the rule that the backtest cannot replay (a node type, a datasource type)."""


@dataclass(frozen=True, kw_only=True)
class Evaluator:
    """`gt`, `lt`, `gte`, `lte`, `eq`, `ne`, `within_range`, `outside_range` (and `_included` forms)."""

    type: str
    params: tuple[float, ...]

    def test(self, value: float) -> bool:
        kind, p = self.type, self.params
        if value != value:  # NaN compares false with everything, as in Grafana's math
            return False
        if kind == "gt":
            return value > p[0]
        if kind == "lt":
            return value < p[0]
        if kind == "gte":
            return value >= p[0]
        if kind == "lte":
            return value <= p[0]
        if kind == "eq":
            return value == p[0]
        if kind == "ne":
            return value != p[0]
        low, high = min(p[0], p[1]), max(p[0], p[1])
        if kind == "within_range":
            return low < value < high
        if kind == "within_range_included":
            return low <= value <= high
        if kind == "outside_range":
            return value < low or value > high
        if kind == "outside_range_included":
            return value <= low or value >= high
        raise Unsupported(f"threshold type {kind!r}")

    def describe(self) -> str:
        symbols = {"gt": ">", "lt": "<", "gte": "≥", "lte": "≤", "eq": "=", "ne": "≠"}
        if self.type in symbols:
            return f"{symbols[self.type]} {_number(self.params[0])}"
        return f"{self.type.replace('_', ' ')} {_number(self.params[0])}..{_number(self.params[1])}"


@dataclass(frozen=True, kw_only=True)
class DataQuery:
    """A datasource query: `expr` over [t - from, t - to]; `instant` asks for one value per series."""

    ref_id: str
    datasource_uid: str
    expr: str
    instant: bool
    from_seconds: int
    to_seconds: int
    step: int


@dataclass(frozen=True, kw_only=True)
class ReduceStep:
    ref_id: str
    input: str
    reducer: str
    mode: str = ""
    replace_with: float | None = None


@dataclass(frozen=True, kw_only=True)
class MathStep:
    ref_id: str
    expression: str


@dataclass(frozen=True, kw_only=True)
class ThresholdStep:
    ref_id: str
    input: str
    evaluator: Evaluator
    unload: Evaluator | None = None
    """The recovery threshold: a firing series stays firing until this holds."""


@dataclass(frozen=True, kw_only=True)
class Condition:
    """One line of a classic condition: `operator reducer(query) evaluator`."""

    input: str
    reducer: str
    evaluator: Evaluator | None
    """None for `no_value` (HAS NO VALUE)."""
    operator: str = "and"


@dataclass(frozen=True, kw_only=True)
class ClassicCondition:
    ref_id: str
    conditions: tuple[Condition, ...]


Step = DataQuery | ReduceStep | MathStep | ThresholdStep | ClassicCondition


@dataclass(frozen=True, kw_only=True)
class ReplayRule:
    """What the state machine needs of a rule: its steps, condition, interval, `for`, and state options."""

    uid: str
    title: str
    interval: int
    pending: int
    keep_firing_for: int
    no_data_state: str
    exec_err_state: str
    condition: str
    steps: tuple[Step, ...]
    datasource_types: Mapping[str, str] = field(default_factory=dict)

    @property
    def queries(self) -> tuple[DataQuery, ...]:
        return tuple(step for step in self.steps if isinstance(step, DataQuery))

    def step(self, ref_id: str) -> Step:
        for step in self.steps:
            if step.ref_id == ref_id:
                return step
        raise Unsupported(f"refId {ref_id!r} is used but not defined")

    def thresholds(self) -> tuple[Evaluator, ...]:
        """The thresholds a chart draws: of threshold steps, else of classic conditions."""
        found = [step.evaluator for step in self.steps if isinstance(step, ThresholdStep)]
        for step in self.steps:
            if isinstance(step, ClassicCondition):
                found.extend(line.evaluator for line in step.conditions if line.evaluator is not None)
        return tuple(found)

    def plotted_ref(self) -> str:
        """The value a chart shows: what the threshold compares, else the first reduce, else the condition."""
        condition = self.step(self.condition)
        if isinstance(condition, ThresholdStep):
            return condition.input
        for step in self.steps:
            if isinstance(step, ReduceStep):
                return step.ref_id
        return self.condition


def read_rule(rule: Any, datasource_types: Mapping[str, str]) -> ReplayRule:
    """A `dashctl.diff.objects.AlertRule` as a ReplayRule; `datasource_types` maps datasource uid → type."""
    steps: list[Step] = []
    for node in rule.data:
        model: Mapping[str, Any] = node.model
        if node.is_expression:
            steps.append(_expression(node.ref_id, model))
            continue
        kind = datasource_types.get(node.datasource_uid)
        if kind not in ("prometheus", "loki"):
            raise Unsupported(f"query {node.ref_id} uses datasource {node.datasource_uid!r} "
                              f"({kind or 'not configured'}): only Prometheus and Loki can be replayed")
        expr = model.get("expr")
        if not isinstance(expr, str) or not expr:
            raise Unsupported(f"query {node.ref_id} has no expr")
        if kind == "loki":
            instant = (node.query_type or model.get("queryType")) == "instant"
        else:
            instant = bool(model.get("instant")) and not bool(model.get("range"))
        start, stop = node.relative_time_range or (600, 0)
        steps.append(DataQuery(ref_id=node.ref_id, datasource_uid=node.datasource_uid, expr=expr, instant=instant,
                               from_seconds=int(start), to_seconds=int(stop), step=_step(model, start - stop)))
    interval = parse_duration(rule.interval or "1m") // 1000
    replay = ReplayRule(
        uid=rule.uid,
        title=rule.rule_title,
        interval=max(1, interval),
        pending=parse_duration(rule.for_ or "0s") // 1000,
        keep_firing_for=parse_duration(rule.keep_firing_for or "0s") // 1000,
        no_data_state=rule.no_data_state,
        exec_err_state=rule.exec_err_state,
        condition=rule.condition,
        steps=tuple(steps),
        datasource_types=dict(datasource_types),
    )
    replay.step(replay.condition)
    return replay


def _step(model: Mapping[str, Any], span: int) -> int:
    """Grafana's step for a range query: the query's interval, the datasource minimum, span / maxDataPoints."""
    interval_ms = model.get("intervalMs") or 1000
    points = model.get("maxDataPoints") or DEFAULT_MAX_DATA_POINTS
    return max(int(interval_ms) // 1000, DEFAULT_MIN_STEP, -(-int(span) // int(points)), 1)


def _expression(ref_id: str, model: Mapping[str, Any]) -> Step:
    kind = model.get("type")
    if kind == "reduce":
        settings = model.get("settings") or {}
        replace_with = settings.get("replaceWithValue")
        return ReduceStep(ref_id=ref_id, input=_ref(model.get("expression")), reducer=str(model.get("reducer")),
                          mode=str(settings.get("mode") or ""),
                          replace_with=float(replace_with) if replace_with is not None else None)
    if kind == "math":
        return MathStep(ref_id=ref_id, expression=str(model.get("expression") or ""))
    if kind == "threshold":
        condition = (model.get("conditions") or [{}])[0]
        unload = condition.get("unloadEvaluator")
        return ThresholdStep(ref_id=ref_id, input=_ref(model.get("expression")),
                             evaluator=_evaluator(condition.get("evaluator") or {}),
                             unload=_evaluator(unload) if unload else None)
    if kind == "classic_conditions":
        lines = []
        for item in model.get("conditions") or []:
            evaluator = item.get("evaluator") or {}
            lines.append(Condition(
                input=_ref((item.get("query") or {}).get("params", [""])[0]),
                reducer=str((item.get("reducer") or {}).get("type") or "last"),
                evaluator=None if evaluator.get("type") == "no_value" else _evaluator(evaluator),
                operator=str((item.get("operator") or {}).get("type") or "and"),
            ))
        return ClassicCondition(ref_id=ref_id, conditions=tuple(lines))
    raise Unsupported(f"expression {ref_id} of type {kind!r} (reduce, math, threshold and classic_conditions are)")


def _evaluator(entry: Mapping[str, Any]) -> Evaluator:
    params = tuple(float(value) for value in entry.get("params") or () if value is not None)
    kind = str(entry.get("type") or "gt")
    needed = 2 if "range" in kind else 1
    if len(params) < needed:
        raise Unsupported(f"threshold {kind} needs {needed} parameter(s)")
    return Evaluator(type=kind, params=params)


def _ref(value: Any) -> str:
    return str(value or "").strip().lstrip("$").strip("{}")


def _number(value: float) -> str:
    return f"{value:g}"
