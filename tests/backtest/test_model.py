"""The pieces of the evaluation model on their own: math expressions, reducers, thresholds, the state machine."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

import pytest

from dashctl.backtest.mathexpr import MathError, evaluate_math, parse_math
from dashctl.backtest.rule import Evaluator
from dashctl.backtest.states import StateMachine
from dashctl.backtest.window import parse_window
from dashctl.errors import UsageError

A = (("service", "a"),)
B = (("service", "b"),)


@pytest.mark.parametrize("expression,inputs,expected", [
    ("$B > 0.05", {"B": {A: 0.08, B: 0.01}}, {A: 1.0, B: 0.0}),
    ("${B} * 100 >= 5 && $C < 1", {"B": {A: 0.05}, "C": {A: 0.5}}, {A: 1.0}),
    ("($A - $B) / $B", {"A": {A: 3.0}, "B": {(): 2.0}}, {A: 0.5}),
    ("2 ** 3 ** 2", {}, 512.0),
    ("-$A + abs(-2)", {"A": 1.0}, 1.0),
    ("!($A > 1) || is_nan($A)", {"A": {A: math.nan}}, {A: 1.0}),
    ("$A / $B", {"A": {A: 1.0}, "B": {A: 0.0}}, {A: math.inf}),
    ("$A + $B", {"A": {A: 1.0}, "B": {B: 2.0}}, {(("service", "a"), ("service", "b")): 3.0}),
])
def test_math(expression, inputs, expected):
    assert evaluate_math(parse_math(expression), inputs) == expected


@pytest.mark.parametrize("expression,message", [
    ("$A >", "ends too early"), ("$A $B", "unexpected '$B'"), ("sqrt($A)", "unknown function 'sqrt'"),
    ("$A @ 1", "unexpected character '@'"),
])
def test_math_errors(expression, message):
    with pytest.raises(MathError, match=re.escape(message)):
        parse_math(expression)


@pytest.mark.parametrize("kind,params,holds,fails", [
    ("gt", (5,), [6], [5, 4, math.nan]), ("lt", (5,), [4], [5]), ("gte", (5,), [5], [4]),
    ("within_range", (1, 3), [2], [1, 3]), ("outside_range", (3, 1), [0, 4], [1, 2]),
    ("within_range_included", (1, 3), [1, 3], [4]), ("outside_range_included", (1, 3), [1], [2]),
])
def test_evaluators(kind, params, holds, fails):
    evaluator = Evaluator(type=kind, params=tuple(float(p) for p in params))
    assert all(evaluator.test(float(value)) for value in holds)
    assert not any(evaluator.test(float(value)) for value in fails)


def run(results: list[str], **options) -> list[tuple[int, int, bool]]:
    """Feed one label set's results at 60 s intervals; (start, end, ongoing) of its episodes in minutes."""
    machine = StateMachine(interval=60, **{"pending": 0, "keep_firing_for": 0, **options})
    for minute, result in enumerate(results):
        machine.apply(minute * 60, {A: result} if result != "-" else {})
    machine.close((len(results) - 1) * 60)
    return [(e.start // 60, e.end // 60, e.ongoing) for e in machine.episodes]


N, F = "Normal", "Alerting"


def test_for_counts_from_the_first_holding_evaluation():
    assert run([N, F, F, F, F, F, F, N], pending=300) == [(6, 7, False)]
    assert run([N, F, F, F, F, F, N], pending=300) == []  # held for 4 min after the first: short of 5m


def test_keep_firing_for_bridges_a_gap_and_then_resolves():
    assert run([F, N, F, N, N, N, N], keep_firing_for=120) == [(0, 5, False)]
    # Recovering since minute 1; at minute 2 only 60 s have passed, so minute 3 is Alerting again: one episode
    assert run([F, N, N, F], keep_firing_for=120) == [(0, 3, True)]
    assert run([F, N, N, N, F], keep_firing_for=120) == [(0, 3, False), (4, 4, True)]


def test_no_data_and_error_options():
    assert run([F, "NoData", "NoData"], no_data_state="KeepLast") == [(0, 2, True)]
    assert run([F, "NoData", N], no_data_state="OK") == [(0, 1, False)]
    assert run(["Error", "Error", N], exec_err_state="Alerting") == [(0, 2, False)]
    assert run(["Error", "Error", N], exec_err_state="Error") == []


def test_a_missing_series_is_resolved_after_two_intervals():
    assert run([F, F, "-", "-", "-"]) == [(0, 3, False)]


def test_windows():
    end = int(datetime(2026, 11, 24, 10, tzinfo=timezone.utc).timestamp())
    window = parse_window("1h", "2026-11-24T10:00:00Z", now=0)
    assert (window.start, window.end) == (end - 3600, end)
    assert list(window.evaluation_times(1800)) == [end - 3600, end - 1800, end]
    assert parse_window(str(end - 3600), "2026-11-24T11:00:00+01:00", now=0).seconds == 3600
    with pytest.raises(UsageError, match="no time zone"):
        parse_window("2026-11-24T09:00:00", None, now=end)
    with pytest.raises(UsageError, match="the window is empty"):
        parse_window(str(end), str(end - 60), now=0)
