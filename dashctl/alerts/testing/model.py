"""Alert unit tests, declared next to the rules with @alert_tests: inputs, evaluation times, expected alerts.

    AlertTest(
        name="5xx above the threshold fires after 5m",
        interval="1m",
        series=[Series(series='http_requests_total{code="500"}', values="0+6x20"),
                Series(series='http_requests_total{code="200"}', values="0+54x20")],
        expect=[Expect(rule="backend-5xx-ratio", at="3m", alerts=[]),
                Expect(rule="backend-5xx-ratio", at="15m",
                       alerts=[ExpectedAlert(labels={"severity": "critical", "team": "backend"})])],
    )

Series use promtool's expanding notation (`0+10x20`: 0, 10, ... 200; `1x5`; `_` for a missing sample; `stale`),
one sample per `interval` from time 0. Log lines (for LogQL rules) are given per stream with LogLines. An
expectation lists every alert of a rule firing at `at`, with all its labels (the rule's labels and the series'
labels; `alertname` and `grafana_folder` are implied) and, optionally, annotations (only the keys given are
compared). An empty `alerts` expects none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from dashctl.alerts.model import raise_problems
from dashctl.definitions import caller_location
from dashctl.durations import parse_duration
from dashctl.errors import DefinitionError, SourceLocation

__all__ = ["AlertTest", "Expect", "ExpectedAlert", "LogLines", "Series"]

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN"
_VALUE_TOKEN = re.compile(rf"^(?:_|stale|{_NUMBER})(?:(?:[-+](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)?x\d+)?$")


def _problem(location: SourceLocation, what: str, message: str, hint: str | None = None) -> DefinitionError:
    return DefinitionError(message, location=location, definition=what, hint=hint)


@dataclass(frozen=True, kw_only=True)
class Series:
    """An input series: a selector (`metric{label="value"}`) and its samples in promtool's expanding notation."""

    series: str
    values: str
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        problems = []
        what = f"series {self.series!r}"
        if not isinstance(self.series, str) or not re.match(r"^\s*([A-Za-z_:][A-Za-z0-9_:]*)?\s*(\{.*\})?\s*$",
                                                            self.series or "") or not self.series.strip():
            problems.append(_problem(self.location, what, "series must be a selector such as 'up{job=\"api\"}'"))
        if not isinstance(self.values, str) or not self.values.split():
            problems.append(_problem(self.location, what, "values are empty", hint="e.g. '0+10x20' or '1x30'"))
        else:
            for token in self.values.split():
                if not _VALUE_TOKEN.match(token):
                    problems.append(_problem(
                        self.location, what, f"{token!r} is not promtool's expanding notation",
                        hint="a number, 'a+bxn' / 'a-bxn' (n more samples stepping by b), 'axn', '_' (missing), "
                        "'_xn' or 'stale'",
                    ))
        raise_problems(problems)


@dataclass(frozen=True, kw_only=True)
class LogLines:
    """Log lines of one stream, for LogQL rules: `labels` are the stream labels (as Promtail sets them).

    Either one `line` repeated `every` interval from `start` to `end` (inclusive), or explicit `entries` of
    (time, line) pairs, times as durations from the start of the test ("90s").
    """

    labels: Mapping[str, str]
    line: str | None = None
    every: str | None = None
    start: str = "0s"
    end: str | None = None
    entries: Sequence[tuple[str, str]] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        object.__setattr__(self, "entries", tuple(tuple(entry) for entry in self.entries))
        problems = []
        what = "log lines"
        if not self.labels or not all(isinstance(k, str) and isinstance(v, str) for k, v in self.labels.items()):
            problems.append(_problem(self.location, what, "labels must be a non-empty mapping of strings"))
        if (self.line is None) == (not self.entries):
            problems.append(_problem(self.location, what, "give either line (with every and end) or entries"))
        if self.line is not None:
            for name in ("every", "end"):
                if getattr(self, name) is None:
                    problems.append(_problem(self.location, what, f"a repeated line needs {name}=..."))
            for name in ("every", "start", "end"):
                problems.extend(_duration_problems(getattr(self, name), name, self.location, what))
        for entry in self.entries:
            if len(entry) != 2 or not isinstance(entry[1], str):
                problems.append(_problem(self.location, what, f"entry {entry!r} must be (time, line)"))
            else:
                problems.extend(_duration_problems(entry[0], "entry time", self.location, what))
        raise_problems(problems)
        if self.line is not None and self.every is not None and parse_duration(self.every) == 0:
            raise _problem(self.location, what, "every must be longer than 0s")

    def expand(self) -> list[tuple[float, str]]:
        """(seconds, line) of every entry, in time order."""
        if self.line is not None:
            start, end, every = (parse_duration(v) for v in (self.start, self.end or "0s", self.every or "1s"))
            return [(ms / 1000, self.line) for ms in range(start, end + 1, every)]
        return sorted((parse_duration(time) / 1000, line) for time, line in self.entries)


@dataclass(frozen=True, kw_only=True)
class ExpectedAlert:
    """One alert expected to fire: all its labels, and the annotations to compare (None: not compared)."""

    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        if self.annotations is not None:
            object.__setattr__(self, "annotations", MappingProxyType(dict(self.annotations)))


@dataclass(frozen=True, kw_only=True)
class Expect:
    """The alerts of rule `rule` (its uid) firing at time `at` (a duration from the start of the test)."""

    rule: str
    at: str
    alerts: Sequence[ExpectedAlert] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "alerts", tuple(self.alerts))
        problems = list(_duration_problems(self.at, "at", self.location, f"expectation for {self.rule!r}"))
        if not isinstance(self.rule, str) or not self.rule:
            problems.append(_problem(self.location, "expectation", "rule must be the uid of an alert rule"))
        for alert in self.alerts:
            if not isinstance(alert, ExpectedAlert):
                problems.append(_problem(self.location, f"expectation for {self.rule!r}",
                                         f"alerts hold ExpectedAlert(...), not {type(alert).__name__}"))
        raise_problems(problems)

    @property
    def at_seconds(self) -> float:
        return parse_duration(self.at) / 1000


@dataclass(frozen=True, kw_only=True)
class AlertTest:
    """One unit test: inputs from time 0, and what the named rules fire at given times."""

    name: str
    expect: Sequence[Expect]
    interval: str = "1m"
    series: Sequence[Series] = ()
    logs: Sequence[LogLines] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        for name in ("expect", "series", "logs"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        problems = list(_duration_problems(self.interval, "interval", self.location, f"test {self.name!r}"))
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append(_problem(self.location, "alert test", "a test needs a name"))
        if not self.expect:
            problems.append(_problem(self.location, f"test {self.name!r}", "a test needs at least one Expect"))
        for kind, items in (("series", (Series,)), ("logs", (LogLines,)), ("expect", (Expect,))):
            for item in getattr(self, kind):
                if not isinstance(item, items):
                    problems.append(_problem(self.location, f"test {self.name!r}",
                                             f"{kind} holds {items[0].__name__}, not {type(item).__name__}"))
        raise_problems(problems)

    @property
    def interval_seconds(self) -> float:
        return parse_duration(self.interval) / 1000


def _duration_problems(value: object, name: str, location: SourceLocation, what: str) -> list[DefinitionError]:
    if not isinstance(value, str):
        return [_problem(location, what, f"{name} must be a duration such as '5m', not {value!r}")]
    try:
        parse_duration(value)
    except ValueError as error:
        return [_problem(location, what, f"{name}: {error}")]
    return []
