"""Grafana's alert state machine, one instance per label set (pkg/services/ngalert/state/state.go).

Each evaluation gives every label set a result: Normal, Alerting (the condition holds), NoData or Error. From it:
- Alerting result: Normal → Pending (or straight to Alerting when `for` is 0); Pending → Alerting once the
  condition has held for `for` (evaluated_at - pending since ≥ for); Recovering → Alerting.
- Normal result: Alerting → Recovering when `keep_firing_for` is set, else → Normal; Recovering → Normal once it
  has lasted `keep_firing_for`; Pending → Normal.
- NoData / Error result: as the rule's `noDataState` / `execErrState` say: Alerting (treated as the condition
  holding, `for` included), OK (as Normal), KeepLast (the state stays), NoData / Error (states of their own, which
  Grafana notifies as DatasourceNoData / DatasourceError alerts).
- A label set missing from an evaluation keeps its state until it has been missing for two intervals, then it is
  resolved (Grafana's missing-series rule).

Firing, for the figures, is Alerting or Recovering: what Alertmanager sees as a firing alert of the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ALERTING", "ERROR", "Episode", "FIRING", "NODATA", "NORMAL", "PENDING", "RECOVERING", "StateMachine"]

NORMAL, PENDING, ALERTING, RECOVERING, NODATA, ERROR = "Normal", "Pending", "Alerting", "Recovering", "NoData", "Error"
FIRING = frozenset({ALERTING, RECOVERING})
_MISSING_EVALUATIONS_TO_RESOLVE = 2

LabelsKey = tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class Episode:
    """One stretch of firing of one label set: from the evaluation that fired to the one that resolved it."""

    labels: LabelsKey
    start: int
    end: int
    ongoing: bool = False
    """Still firing at the end of the window (`end` is then the window's end)."""

    @property
    def seconds(self) -> int:
        return self.end - self.start


@dataclass
class _Instance:
    state: str = NORMAL
    since: int = 0
    last_evaluation: int = 0
    fired_at: int | None = None


@dataclass
class StateMachine:
    """Feed it each evaluation's results in time order (`apply`), then `close` at the window's end."""

    pending: int
    keep_firing_for: int
    interval: int
    no_data_state: str = "NoData"
    exec_err_state: str = "Alerting"
    instances: dict[LabelsKey, _Instance] = field(default_factory=dict)
    episodes: list[Episode] = field(default_factory=list)

    def loaded(self) -> set[LabelsKey]:
        """Label sets pending or firing: those a recovery threshold applies to."""
        return {key for key, item in self.instances.items() if item.state in (PENDING, ALERTING, RECOVERING)}

    def states(self) -> dict[LabelsKey, str]:
        return {key: item.state for key, item in self.instances.items()}

    def apply(self, at: int, results: Mapping[LabelsKey, str]) -> None:
        """One evaluation at `at`: each label set's result (NORMAL, ALERTING, NODATA or ERROR)."""
        for key, result in results.items():
            instance = self.instances.setdefault(key, _Instance(since=at))
            self._next(instance, at, result)
            instance.last_evaluation = at
            self._account(key, instance, at)
        for key in [key for key in self.instances if key not in results]:
            instance = self.instances[key]
            if at - instance.last_evaluation >= _MISSING_EVALUATIONS_TO_RESOLVE * self.interval:
                instance.state = NORMAL
                self._account(key, instance, at)
                del self.instances[key]

    def close(self, at: int) -> None:
        """The end of the window: episodes still firing end here, marked ongoing."""
        for key, instance in self.instances.items():
            if instance.fired_at is not None:
                self.episodes.append(Episode(labels=key, start=instance.fired_at, end=at, ongoing=True))
                instance.fired_at = None

    def _account(self, key: LabelsKey, instance: _Instance, at: int) -> None:
        firing = instance.state in FIRING
        if firing and instance.fired_at is None:
            instance.fired_at = at
        elif not firing and instance.fired_at is not None:
            self.episodes.append(Episode(labels=key, start=instance.fired_at, end=at))
            instance.fired_at = None

    def _next(self, instance: _Instance, at: int, result: str) -> None:
        if result == ALERTING:
            self._alerting(instance, at)
        elif result == NORMAL:
            self._normal(instance, at)
        else:
            option = self.no_data_state if result == NODATA else self.exec_err_state
            if option == "Alerting":
                self._alerting(instance, at)
            elif option == "OK":
                self._normal(instance, at)
            elif option == "KeepLast":
                self._keep_last(instance, at)
            elif instance.state != result:  # NoData or Error: a state of its own
                instance.state, instance.since = result, at

    def _alerting(self, instance: _Instance, at: int) -> None:
        if instance.state == ALERTING:
            return
        if instance.state == PENDING:
            if at - instance.since >= self.pending:
                instance.state, instance.since = ALERTING, at
            return
        if instance.state != RECOVERING and self.pending > 0:
            instance.state, instance.since = PENDING, at
        else:
            instance.state, instance.since = ALERTING, at

    def _normal(self, instance: _Instance, at: int) -> None:
        if instance.state == NORMAL:
            return
        if instance.state == RECOVERING:
            if at - instance.since >= self.keep_firing_for:
                instance.state, instance.since = NORMAL, at
            return
        if instance.state == ALERTING and self.keep_firing_for > 0:
            instance.state, instance.since = RECOVERING, at
            return
        instance.state, instance.since = NORMAL, at

    def _keep_last(self, instance: _Instance, at: int) -> None:
        if instance.state == ALERTING:
            self._alerting(instance, at)
        elif instance.state == PENDING:
            if at - instance.since >= self.pending:
                self._alerting(instance, at)
        else:
            self._normal(instance, at)
