"""Replaying one version of a rule over a window: its queries fetched once with `query_range`, then every
evaluation of the window run through the expressions and the state machine.

An instant query evaluated every `interval` seconds is exactly a `query_range` with that step (Prometheus and
Loki evaluate a range query as one instant query per step), so each query is fetched once for the whole window,
in chunks, and each evaluation reads its instant from it. A range query (`range: true`, or Loki's `range` type)
is fetched at Grafana's step over the window widened by its relative time range, and each evaluation takes the
samples in [t - from, t - to].
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dashctl.backtest.expressions import SeriesSet, evaluate_rule
from dashctl.backtest.mathexpr import MathError
from dashctl.backtest.rule import DataQuery, ReplayRule, Unsupported
from dashctl.backtest.states import ALERTING, ERROR, NODATA, NORMAL, Episode, StateMachine
from dashctl.backtest.window import Window
from dashctl.datasource_api import DatasourceClient, QueryRejected, query_range

__all__ = ["SeriesSummary", "VersionResult", "replay_rule"]

LabelsKey = tuple[tuple[str, str], ...]
ClientFor = Callable[[str], DatasourceClient]
"""The client of a datasource uid."""


@dataclass(frozen=True, kw_only=True)
class SeriesSummary:
    """The figures of one label set."""

    labels: LabelsKey
    episodes: int
    firing_seconds: int
    longest_seconds: int
    first_fired: int | None
    last_fired: int | None


@dataclass(frozen=True, kw_only=True)
class VersionResult:
    """What one version of a rule would have done over the window."""

    evaluations: int
    episodes: tuple[Episode, ...]
    no_data_evaluations: int = 0
    error_evaluations: int = 0
    errors: tuple[str, ...] = ()
    """The distinct error messages (a rejected query, an expression that cannot be evaluated)."""
    values: Mapping[LabelsKey, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    """The charted value (what the threshold compares) of each label set at each evaluation."""
    thresholds: tuple[str, ...] = ()
    threshold_values: tuple[float, ...] = ()

    @property
    def episode_count(self) -> int:
        return len(self.episodes)

    @property
    def firing_seconds(self) -> int:
        return sum(episode.seconds for episode in self.episodes)

    @property
    def longest_seconds(self) -> int:
        return max((episode.seconds for episode in self.episodes), default=0)

    @property
    def first_fired(self) -> int | None:
        return min((episode.start for episode in self.episodes), default=None)

    @property
    def last_fired(self) -> int | None:
        return max((episode.start for episode in self.episodes), default=None)

    def series(self) -> tuple[SeriesSummary, ...]:
        """Each label set that fired, with its own figures, most episodes first."""
        grouped: dict[LabelsKey, list[Episode]] = {}
        for episode in self.episodes:
            grouped.setdefault(episode.labels, []).append(episode)
        summaries = [
            SeriesSummary(labels=labels, episodes=len(items), firing_seconds=sum(item.seconds for item in items),
                          longest_seconds=max(item.seconds for item in items),
                          first_fired=min(item.start for item in items), last_fired=max(item.start for item in items))
            for labels, items in grouped.items()
        ]
        return tuple(sorted(summaries, key=lambda item: (-item.episodes, -item.firing_seconds, item.labels)))


def replay_rule(rule: ReplayRule, window: Window, client_for: ClientFor,
                progress: Callable[[str], None] | None = None, cache: dict | None = None) -> VersionResult:
    """Evaluate `rule` at each multiple of its interval in `window`, as Grafana's scheduler would have.

    `cache` (any dict) keeps fetched query results between calls, so the versions of a rule that share a query
    fetch it once.
    """
    times = window.evaluation_times(rule.interval)
    machine = StateMachine(pending=rule.pending, keep_firing_for=rule.keep_firing_for, interval=rule.interval,
                           no_data_state=rule.no_data_state, exec_err_state=rule.exec_err_state)
    thresholds = rule.thresholds()
    summary = dict(thresholds=tuple(item.describe() for item in thresholds),
                   threshold_values=tuple(item.params[0] for item in thresholds))
    if not times:
        return VersionResult(evaluations=0, episodes=(), **summary)
    fetched: dict[str, _Fetched] = {}
    errors: list[str] = []
    for query in rule.queries:
        try:
            client = client_for(query.datasource_uid)
            key = (id(client), query.expr, query.instant, query.from_seconds, query.to_seconds, query.step,
                   times.start, times.stop, times.step)
            if cache is None or key not in cache:
                found = _fetch(query, times, client, progress)
                if cache is None:
                    fetched[query.ref_id] = found
                    continue
                cache[key] = found
            fetched[query.ref_id] = cache[key]
        except QueryRejected as rejected:
            errors.append(f"query {query.ref_id} rejected: {rejected}")
    plotted = rule.plotted_ref()
    values: dict[LabelsKey, list[tuple[int, float]]] = {}
    no_data = failed = 0
    rejected = bool(errors)
    for at in times:
        if rejected:
            results = {(): ERROR}
        else:
            data = {ref: item.at(at) for ref, item in fetched.items()}
            try:
                numbers, captured = evaluate_rule(rule, data, machine.loaded())
            except (MathError, Unsupported, ZeroDivisionError) as error:
                errors.append(f"expression failed: {error}")
                results = {(): ERROR}
            else:
                for key, value in captured.get(plotted, {}).items():
                    values.setdefault(key, []).append((at, value))
                results = {key: NORMAL if value == 0 else ALERTING for key, value in numbers.items()}
                if not results:
                    results = {(): NODATA}
        if results == {(): ERROR}:
            failed += 1
        elif results == {(): NODATA}:
            no_data += 1
        machine.apply(at, results)
    machine.close(times[-1])
    return VersionResult(
        evaluations=len(times),
        episodes=tuple(sorted(machine.episodes, key=lambda item: (item.start, item.labels))),
        no_data_evaluations=no_data,
        error_evaluations=failed,
        errors=tuple(dict.fromkeys(errors)),
        values={key: tuple(points) for key, points in values.items()},
        **summary,
    )


@dataclass(frozen=True, kw_only=True)
class _Fetched:
    query: DataQuery
    series: dict[LabelsKey, dict[int, float]]
    sorted_times: dict[LabelsKey, list[int]]

    def at(self, when: int) -> SeriesSet:
        """What the query returns when evaluated at `when`."""
        if self.query.instant:
            instant = when - self.query.to_seconds
            return {key: (points[instant],) for key, points in self.series.items() if instant in points}
        low, high = when - self.query.from_seconds, when - self.query.to_seconds
        found: SeriesSet = {}
        for key, points in self.series.items():
            stamps = self.sorted_times[key]
            first, last = bisect.bisect_left(stamps, low), bisect.bisect_right(stamps, high)
            if first < last:
                found[key] = tuple(points[stamp] for stamp in stamps[first:last])
        return found


def _fetch(query: DataQuery, times: range, client: DatasourceClient,
           progress: Callable[[str], None] | None) -> _Fetched:
    if query.instant:
        step, origin = times.step, times.start - query.to_seconds
        start, end = origin, times[-1] - query.to_seconds
    else:
        step, origin = query.step, 0
        start, end = times.start - query.from_seconds, times[-1] - query.to_seconds
    matrix = query_range(client, query.expr, start=start, end=end, step=step, origin=origin, progress=progress)
    return _Fetched(query=query, series=matrix.series,
                    sorted_times={key: sorted(points) for key, points in matrix.series.items()})
