"""One evaluation of a rule's expressions: the query results of one instant in, a number per label set out.

Follows Grafana's server-side expressions (pkg/expr in grafana/grafana):
- reduce: `last`, `mean`, `min`, `max`, `sum`, `count`, `median` of each series; mode strict (a NaN makes NaN),
  `dropNN` (NaN and ±Inf dropped) or `replaceNN` (replaced by `replaceWithValue`);
- math: `dashctl.backtest.mathexpr`;
- threshold: 1 or 0 per series; with a recovery threshold (`unloadEvaluator`), a series that is pending or firing
  stays at 1 until the recovery condition holds;
- classic condition: one result for the whole rule, 1 when the conditions joined by AND/OR hold for any series.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache

from dashctl.backtest.mathexpr import Numbers, Value, evaluate_math, parse_math
from dashctl.backtest.rule import (
    ClassicCondition,
    DataQuery,
    MathStep,
    ReduceStep,
    ReplayRule,
    ThresholdStep,
    Unsupported,
)

__all__ = ["SeriesSet", "evaluate_rule"]

LabelsKey = tuple[tuple[str, str], ...]
SeriesSet = dict[LabelsKey, Sequence[float]]
"""What a query returned at one evaluation: the values of each series over the query's range, oldest first."""


def evaluate_rule(rule: ReplayRule, data: Mapping[str, SeriesSet], loaded: Collection[LabelsKey] = ()
                  ) -> tuple[Numbers, dict[str, Numbers]]:
    """The condition's numbers, and the numbers of every reduce and math step (for charts), at one instant."""
    values: dict[str, SeriesSet | Numbers | float] = dict(data)
    captured: dict[str, Numbers] = {}
    for step in rule.steps:
        if isinstance(step, DataQuery):
            continue
        if isinstance(step, ReduceStep):
            values[step.ref_id] = _reduce(step, values.get(step.input, {}))
        elif isinstance(step, MathStep):
            inputs = {ref: _as_numbers(value) for ref, value in values.items()}
            result = evaluate_math(_parsed(step.expression), inputs)
            values[step.ref_id] = result if isinstance(result, dict) else {(): result}
        elif isinstance(step, ThresholdStep):
            numbers = _as_numbers(values.get(step.input, {}))
            values[step.ref_id] = {
                key: float(_threshold(step, value, key in loaded)) for key, value in numbers.items()
            }
        elif isinstance(step, ClassicCondition):
            values[step.ref_id] = _classic(step, values)
        result = values[step.ref_id]
        if isinstance(result, dict):
            captured[step.ref_id] = {key: float(value) if not isinstance(value, float) else value
                                     for key, value in result.items() if not isinstance(value, Sequence)}
    condition = values.get(rule.condition, {})
    return _as_numbers(condition), captured


@lru_cache(maxsize=256)
def _parsed(expression: str) -> object:
    return parse_math(expression)


def _as_numbers(value: object) -> Numbers:
    """A query's series read as numbers: an instant query's single value (Grafana refuses longer series here)."""
    if isinstance(value, (int, float)):
        return {(): float(value)}
    numbers: Numbers = {}
    for key, item in dict(value).items():  # type: ignore[call-overload]
        if isinstance(item, Sequence):
            if len(item) > 1:
                raise Unsupported("a range query's series used as a number: reduce it first")
            numbers[key] = float(item[0]) if item else math.nan
        else:
            numbers[key] = float(item)
    return numbers


def _reduce(step: ReduceStep, value: object) -> Value:
    if isinstance(value, (int, float)):
        return {(): float(value)}
    result: Numbers = {}
    for key, item in dict(value).items():  # type: ignore[call-overload]
        points = list(item) if isinstance(item, Sequence) else [float(item)]
        if step.mode == "dropNN":
            points = [point for point in points if math.isfinite(point)]
        elif step.mode == "replaceNN":
            replacement = step.replace_with if step.replace_with is not None else 0.0
            points = [point if math.isfinite(point) else replacement for point in points]
        result[key] = _reducer(step.reducer, points)
    return result


def _reducer(name: str, points: list[float]) -> float:
    if name == "count":
        return float(len(points))
    if not points:
        return 0.0 if name == "sum" else math.nan
    if any(point != point for point in points) and name != "last":
        return math.nan
    if name == "last":
        return points[-1]
    if name == "sum":
        return math.fsum(points)
    if name == "mean":
        return math.fsum(points) / len(points)
    if name == "min":
        return min(points)
    if name == "max":
        return max(points)
    if name == "median":
        return float(statistics.median(points))
    raise Unsupported(f"reducer {name!r}")


def _threshold(step: ThresholdStep, value: float, loaded: bool) -> bool:
    if loaded and step.unload is not None:
        return not step.unload.test(value)
    return step.evaluator.test(value)


def _classic(step: ClassicCondition, values: Mapping[str, object]) -> Numbers:
    firing: bool | None = None
    seen_series = False
    for index, line in enumerate(step.conditions):
        source = values.get(line.input, {})
        if isinstance(source, (int, float)):
            series: dict = {(): [float(source)]}
        else:
            series = dict(source)  # type: ignore[call-overload]
        seen_series = seen_series or bool(series)
        holds = False
        for item in series.values():
            points = [p for p in (list(item) if isinstance(item, Sequence) else [float(item)]) if p == p]
            reduced = _classic_reducer(line.reducer, points)
            if line.evaluator is None:
                holds = holds or reduced is None
            elif reduced is not None and line.evaluator.test(reduced):
                holds = True
        if index == 0 or firing is None:
            firing = holds
        elif line.operator == "or":
            firing = firing or holds
        else:
            firing = firing and holds
    if not seen_series:
        return {}
    return {(): 1.0 if firing else 0.0}


def _classic_reducer(name: str, points: list[float]) -> float | None:
    """Grafana's legacy reducers (pkg/expr/classic/reduce.go); None for no value."""
    if name in ("count", "count_non_null"):
        return float(len(points)) if points or name == "count" else None
    if not points:
        return None
    if name == "avg":
        return math.fsum(points) / len(points)
    if name == "sum":
        return math.fsum(points)
    if name == "min":
        return min(points)
    if name == "max":
        return max(points)
    if name == "last":
        return points[-1]
    if name == "median":
        return float(statistics.median(points))
    if name in ("diff", "diff_abs", "percent_diff", "percent_diff_abs"):
        first, last = points[0], points[-1]
        change = last - first
        if name.startswith("percent"):
            change = change / abs(first) * 100 if first else math.nan
        return abs(change) if name.endswith("_abs") else change
    raise Unsupported(f"classic condition reducer {name!r}")
