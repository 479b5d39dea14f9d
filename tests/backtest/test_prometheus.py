"""Backtests against a real Prometheus holding a generated week with known incidents (tests/history.py).

The expected episodes are computed here from the generated samples alone: the value Prometheus returns at each
evaluation (the newest sample at most 5 minutes old), the runs of evaluations where the condition holds, and the
documented rules of Grafana's state machine written as arithmetic on those runs, not by the implementation's
state machine.
"""

from __future__ import annotations

import pytest

from dashctl.backtest.replay import replay_rule
from dashctl.backtest.rule import read_rule
from dashctl.backtest.window import Window
from dashctl.datasource_api import DatasourceClient, Endpoint
from tests.backtest.rules import expression_rule, threshold_rule
from tests.history import WEEK_MINUTES, error_ratio

LOOKBACK = 300


@pytest.fixture(scope="module")
def client(live_prometheus):
    with DatasourceClient(Endpoint(kind="prometheus", url=live_prometheus.url)) as client:
        yield client


@pytest.fixture(scope="module")
def window(live_prometheus):
    return Window(start=live_prometheus.start, end=live_prometheus.start + (WEEK_MINUTES - 1) * 60)


def run(rule, window, client):
    return replay_rule(read_rule(rule, {"prom": "prometheus"}), window, lambda uid: client)


def observed(service: str, start: int) -> dict[int, float | None]:
    """What an instant query returns at each minute of the week: the newest sample within the lookback."""
    samples = {start + minute * 60: value for minute, value in error_ratio(service).items()}
    seen: dict[int, float | None] = {}
    for minute in range(WEEK_MINUTES):
        at = start + minute * 60
        candidates = [t for t in range(at - LOOKBACK, at + 1, 60) if t in samples]
        seen[at] = samples[max(candidates)] if candidates else None
    return seen


def expected_episodes(holds: dict[int, bool], *, pending: int, keep: int = 0, interval: int = 60
                      ) -> list[tuple[int, int]]:
    """(fired, resolved) of each episode, from the runs of evaluations where the condition holds."""
    times = sorted(holds)
    runs, current = [], None
    for at in times:
        if holds[at] and current is None:
            current = at
        elif not holds[at] and current is not None:
            runs.append((current, at))  # holds from current up to (not including) at
            current = None
    if current is not None:
        runs.append((current, times[-1] + interval))
    episodes: list[list[int]] = []
    for first, stop in runs:
        fire = first + -(-pending // interval) * interval
        if fire >= stop:
            continue  # the condition stopped before `for` was reached
        if episodes and keep and fire <= episodes[-1][1] and first < episodes[-1][1]:
            episodes[-1][1] = stop + -(-keep // interval) * interval  # back before keep_firing_for ran out
            continue
        episodes.append([fire, stop + (-(-keep // interval) * interval if keep else 0)])
    last = times[-1]
    return [(start, min(end, last)) for start, end in episodes]


def holds(seen: dict[int, float | None], threshold: float) -> dict[int, bool]:
    return {at: value is not None and value > threshold for at, value in seen.items()}


@pytest.mark.parametrize("threshold,pending", [(0.05, "5m"), (0.05, "0s"), (0.10, "5m"), (0.10, "10m"),
                                               (0.05, "25m")])
def test_episodes_match_the_generated_incidents(live_prometheus, client, window, threshold, pending):
    seconds = {"0s": 0, "5m": 300, "10m": 600, "25m": 1500}[pending]
    result = run(threshold_rule('backtest_error_ratio{service="checkout"}', threshold=threshold, for_=pending),
                 window, client)
    expected = expected_episodes(holds(observed("checkout", live_prometheus.start), threshold), pending=seconds)
    assert [(e.start, e.end) for e in result.episodes] == expected
    assert result.episode_count == len(expected)
    assert result.firing_seconds == sum(end - start for start, end in expected)
    assert result.evaluations == WEEK_MINUTES


def test_the_documented_incident_counts(live_prometheus, client, window):
    """Spelled out for one case: 8% bursts of 20m (three) and the 6m burst of 30% fire with for 5m; the 3m burst
    and the flapping do not."""
    result = run(threshold_rule('backtest_error_ratio{service="checkout"}', threshold=0.05, for_="5m"), window, client)
    assert result.episode_count == 4
    assert [e.seconds for e in result.episodes] == [15 * 60, 15 * 60, 15 * 60, 60]
    assert result.longest_seconds == 15 * 60
    assert result.first_fired == live_prometheus.start + (1440 + 605) * 60
    strict = run(threshold_rule('backtest_error_ratio{service="checkout"}', threshold=0.05, for_="0s"), window, client)
    assert strict.episode_count == 3 + 1 + 1 + 15  # bursts, 6m, 3m, and each 6% minute of the flapping


def test_keep_firing_for_joins_the_flapping(live_prometheus, client, window):
    flapping = threshold_rule('backtest_error_ratio{service="checkout"}', threshold=0.05, for_="0s",
                              keep_firing_for="3m")
    result = run(flapping, window, client)
    expected = expected_episodes(holds(observed("checkout", live_prometheus.start), 0.05), pending=0, keep=180)
    assert [(e.start, e.end) for e in result.episodes] == expected
    assert len(expected) == 3 + 1 + 1 + 1  # the 15 flaps are one episode


def test_several_label_sets_are_counted_each(live_prometheus, client, window):
    result = run(threshold_rule("backtest_error_ratio", threshold=0.05, for_="5m"), window, client)
    by_service = {dict(item.labels)["service"]: item for item in result.series()}
    for service in ("checkout", "cart"):
        expected = expected_episodes(holds(observed(service, live_prometheus.start), 0.05), pending=300)
        assert by_service[service].episodes == len(expected)
        assert by_service[service].firing_seconds == sum(end - start for start, end in expected)
    assert by_service["cart"].episodes == 2
    assert result.episode_count == by_service["checkout"].episodes + by_service["cart"].episodes


def test_a_gap_is_no_data_and_alerts_when_the_rule_says_so(live_prometheus, client, window):
    seen = observed("checkout", live_prometheus.start)
    missing = sum(1 for value in seen.values() if value is None)
    assert missing == 30 - 5  # the last sample before the gap stays visible for the 5-minute lookback
    quiet = run(threshold_rule('backtest_error_ratio{service="checkout"}', threshold=0.5, no_data="NoData"),
                window, client)
    assert quiet.no_data_evaluations == missing
    assert quiet.episode_count == 0
    loud = run(threshold_rule('backtest_error_ratio{service="checkout"}', threshold=0.5, no_data="Alerting",
                              for_="5m"), window, client)
    gap = [at for at, value in seen.items() if value is None]
    # The no-data instance has no labels; when the series returns, that instance is missing from the results
    # and Grafana resolves it after two intervals without it (missing-series rule), not at once.
    assert [(e.start, e.end) for e in loud.episodes] == [(gap[0] + 300, gap[-1] + 60 + 60)]


def test_a_query_prometheus_rejects_is_an_error_for_every_evaluation(client, window):
    result = run(threshold_rule("rate(backtest_error_ratio[5m]", threshold=0.5), window, client)
    assert result.error_evaluations == result.evaluations == WEEK_MINUTES
    assert result.episode_count == 0
    assert "rejected" in result.errors[0] and "parse error" in result.errors[0]


def test_math_and_classic_conditions(live_prometheus, client, window):
    seen = observed("checkout", live_prometheus.start)
    math_rule = expression_rule(
        'backtest_error_ratio{service="checkout"}',
        {"type": "reduce", "expression": "A", "reducer": "last"},
        {"type": "math", "expression": "$B * 100 > 5"},
        condition="C",
    )
    expected = expected_episodes(holds(seen, 0.05), pending=300)
    assert [(e.start, e.end) for e in run(math_rule, window, client).episodes] == expected
    classic = expression_rule(
        'backtest_error_ratio{service="checkout"}',
        {"type": "classic_conditions", "conditions": [
            {"evaluator": {"params": [0.05], "type": "gt"}, "operator": {"type": "and"},
             "query": {"params": ["A"]}, "reducer": {"type": "last"}}]},
        condition="B",
    )
    assert [(e.start, e.end) for e in run(classic, window, client).episodes] == expected


def test_a_range_query_reduced_by_mean(live_prometheus, client, window):
    """`mean` over the last 10 minutes sampled at the 15s step: a 20-minute 8% burst lifts the mean over 5%
    once more than half of the window is in the burst."""
    rule = expression_rule(
        'backtest_error_ratio{service="cart"}',
        {"type": "reduce", "expression": "A", "reducer": "mean"},
        {"type": "threshold", "expression": "B", "conditions": [{"evaluator": {"params": [0.05], "type": "gt"}}]},
        condition="C", for_="0s", instant=False, relative=(600, 0),
    )
    result = run(rule, window, client)
    samples = {live_prometheus.start + minute * 60: value for minute, value in error_ratio("cart").items()}

    def mean_at(at: int) -> float:
        points = []
        for t in range(at - 600, at + 1, 15):  # Grafana's 15s minimum step, aligned to multiples of it
            candidates = [s for s in range(t - t % 60 - LOOKBACK, t + 1, 60) if s in samples and t - s <= LOOKBACK]
            if candidates:
                points.append(samples[max(candidates)])
        return sum(points) / len(points)

    expected = expected_episodes({at: mean_at(at) > 0.05 for at in window.evaluation_times(60)}, pending=0)
    assert [(e.start, e.end) for e in result.episodes] == expected
    assert len(expected) == 2


def test_a_recovery_threshold_holds_the_flapping_as_one_episode(live_prometheus, client, window):
    """Fire above 5%, recover only below 3%: the 6%/4% flapping stays firing until the 1% that follows it."""
    seen = observed("checkout", live_prometheus.start)
    firing, hysteresis = False, {}
    for at in sorted(seen):
        value = seen[at]
        firing = value is not None and (value >= 0.03 if firing else value > 0.05)
        hysteresis[at] = firing
    result = run(threshold_rule('backtest_error_ratio{service="checkout"}', threshold=0.05, for_="0s", unload=0.03),
                 window, client)
    expected = expected_episodes(hysteresis, pending=0)
    assert [(e.start, e.end) for e in result.episodes] == expected
    assert len(expected) == 3 + 1 + 1 + 1
