"""The notification policy tree (which alerts go to which contact point) and mute timings (when not to notify).

Grafana has one policy tree per organisation, and each `policies[]` entry of a provisioning file replaces the
whole tree (`UpdatePolicyTree`, notification_policy_provisioner.go), so an environment has exactly one
NotificationPolicy. Its root catches everything; child routes match labels (`severity="critical"`) and send to
their own contact point, with their own grouping, timing and mute timings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashctl.interpolation import escape_values
from dashctl.alerts.model import LABEL_NAME, raise_problems
from dashctl.definitions import caller_location
from dashctl.durations import parse_duration
from dashctl.errors import DefinitionError, SourceLocation

__all__ = ["Matcher", "MuteTiming", "NotificationPolicy", "Route", "TimeInterval"]

MATCH_OPERATORS = ("=", "!=", "=~", "!~")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


@dataclass(frozen=True, kw_only=True)
class Matcher:
    """A label matcher of a route: `label op value`, op one of = != =~ !~ (regexes are fully anchored)."""

    label: str
    op: str = "="
    value: str = ""

    def problems(self) -> list[str]:
        found = []
        if not (isinstance(self.label, str) and LABEL_NAME.match(self.label)):
            found.append(f"matcher label {self.label!r} is not a label name")
        if self.op not in MATCH_OPERATORS:
            found.append(f"matcher operator {self.op!r} is not one of {' '.join(MATCH_OPERATORS)}")
        if not isinstance(self.value, str):
            found.append(f"matcher value {self.value!r} must be a string")
        elif self.op in ("=~", "!~"):
            try:
                re.compile(self.value)
            except re.error as error:
                found.append(f"matcher regex {self.value!r} is invalid: {error}")
        return found

    def to_provisioning(self) -> list[str]:
        return [self.label, self.op, self.value]


@dataclass(frozen=True, kw_only=True)
class Route:
    """A child route: alerts matching every matcher go to `receiver` (the parent's when None).

    `continue_` lets matching go on to the following sibling routes. Timings and `group_by` are inherited from
    the parent when None. `mute_timings` / `active_timings` name MuteTiming objects of the same environment.
    """

    receiver: str | None = None
    matchers: Sequence[Matcher | tuple[str, str, str]] = ()
    group_by: Sequence[str] | None = None
    continue_: bool = False
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    mute_timings: Sequence[str] = ()
    active_timings: Sequence[str] = ()
    routes: Sequence[Route] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        matchers = tuple(Matcher(label=m[0], op=m[1], value=m[2]) if isinstance(m, tuple) and len(m) == 3 else m
                         for m in self.matchers)
        object.__setattr__(self, "matchers", matchers)
        for name in ("mute_timings", "active_timings", "routes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.group_by is not None:
            object.__setattr__(self, "group_by", tuple(self.group_by))
        raise_problems([DefinitionError(message, location=self.location, definition="notification route")
                        for message in self._problems(root=False)])

    def _problems(self, *, root: bool) -> list[str]:
        found = []
        if self.receiver is not None and not (isinstance(self.receiver, str) and self.receiver):
            found.append("receiver must be a contact point name")
        for matcher in self.matchers:
            if not isinstance(matcher, Matcher):
                found.append(f"matchers hold Matcher(...) or (label, op, value), not {matcher!r}")
            else:
                found.extend(matcher.problems())
        if self.group_by is not None:
            for label in self.group_by:
                if label != "..." and not (isinstance(label, str) and LABEL_NAME.match(label)):
                    found.append(f"group_by {label!r} is not a label name (or '...')")
        for name in ("group_wait", "group_interval", "repeat_interval"):
            value = getattr(self, name)
            if value is not None:
                try:
                    if parse_duration(value) <= 0:
                        found.append(f"{name} must be longer than 0s")
                except (ValueError, TypeError) as error:
                    found.append(f"{name}: {error}")
        for route in self.routes:
            if not isinstance(route, Route):
                found.append(f"routes hold Route(...), not {type(route).__name__}")
        return found

    def walk(self) -> Iterator[Route]:
        """This route and every route below it."""
        yield self
        for route in self.routes:
            yield from route.walk()

    def to_provisioning(self) -> dict[str, Any]:
        route: dict[str, Any] = {}
        if self.receiver is not None:
            route["receiver"] = self.receiver
        if self.matchers:
            route["object_matchers"] = [m.to_provisioning() for m in self.matchers]  # type: ignore[union-attr]
        if self.group_by is not None:
            route["group_by"] = list(self.group_by)
        if self.continue_:
            route["continue"] = True
        for name in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, name) is not None:
                route[name] = getattr(self, name)
        if self.mute_timings:
            route["mute_time_intervals"] = list(self.mute_timings)
        if self.active_timings:
            route["active_time_intervals"] = list(self.active_timings)
        if self.routes:
            route["routes"] = [child.to_provisioning() for child in self.routes]
        return route


@dataclass(frozen=True, kw_only=True)
class NotificationPolicy:
    """The root of an environment's policy tree: the default contact point, grouping and timings for all."""

    receiver: str
    group_by: Sequence[str] = ("grafana_folder", "alertname")
    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"
    routes: Sequence[Route] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "group_by", tuple(self.group_by))
        object.__setattr__(self, "routes", tuple(self.routes))
        root = self.as_route()
        problems = root._problems(root=True)
        if not self.receiver:
            problems.append("the root policy needs a receiver: the contact point for everything not matched")
        raise_problems([DefinitionError(message, location=self.location, definition="notification policy")
                        for message in problems])

    def as_route(self) -> Route:
        return Route(
            receiver=self.receiver, group_by=self.group_by, group_wait=self.group_wait,
            group_interval=self.group_interval, repeat_interval=self.repeat_interval, routes=self.routes,
            location=self.location,
        )

    def routes_below(self) -> Iterator[Route]:
        for route in self.routes:
            yield from route.walk()

    def receivers(self) -> list[str]:
        """Every contact point name the tree sends to."""
        names = [self.receiver]
        names.extend(route.receiver for route in self.routes_below() if route.receiver)
        return names

    def timings(self) -> list[str]:
        """Every mute or active timing name the tree refers to."""
        return [name for route in self.routes_below() for name in (*route.mute_timings, *route.active_timings)]

    def to_provisioning(self, org_id: int = 1) -> dict[str, Any]:
        """The `policies[]` entry (the whole tree, replacing the organisation's), escaped for interpolation."""
        return {"orgId": org_id, **escape_values(self.as_route().to_provisioning())}


@dataclass(frozen=True, kw_only=True)
class TimeInterval:
    """When a mute timing applies: all given fields must match (empty ones match always).

    `times` are (start, end) clock pairs "HH:MM" (end up to "24:00"); `weekdays` names or ranges
    ("monday:friday"); `days_of_month` 1..31 or negative from the end, or ranges ("1:7"); `months` names, numbers
    or ranges; `years` ("2026", "2026:2027"); `location` an IANA time zone (UTC by default).
    """

    times: Sequence[tuple[str, str]] = ()
    weekdays: Sequence[str] = ()
    days_of_month: Sequence[str | int] = ()
    months: Sequence[str | int] = ()
    years: Sequence[str | int] = ()
    location: str | None = None

    def problems(self) -> list[str]:
        found = []
        for pair in self.times:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2
                    and all(isinstance(t, str) and _CLOCK.match(t) for t in pair) and pair[0] < pair[1]):
                found.append(f"time range {pair!r} must be (start, end) as 'HH:MM' with start before end")
        for day in self.weekdays:
            if not _range_of(str(day), lambda v: v in WEEKDAYS):
                found.append(f"weekday {day!r} must be a day name or a range such as 'monday:friday'")
        for day in self.days_of_month:
            if not _range_of(str(day), lambda v: _int_in(v, -31, 31) and v != "0"):
                found.append(f"day of month {day!r} must be 1..31, -31..-1 or a range such as '1:7'")
        for month in self.months:
            if not _range_of(str(month), lambda v: v in MONTHS or _int_in(v, 1, 12)):
                found.append(f"month {month!r} must be a month name, 1..12 or a range")
        for year in self.years:
            if not _range_of(str(year), lambda v: _int_in(v, 1970, 9999)):
                found.append(f"year {year!r} must be a year or a range such as '2026:2027'")
        if self.location is not None:
            try:
                ZoneInfo(self.location)
            except (ZoneInfoNotFoundError, ValueError):
                found.append(f"location {self.location!r} is not an IANA time zone such as 'Europe/Berlin'")
        return found

    def to_provisioning(self) -> dict[str, Any]:
        interval: dict[str, Any] = {}
        if self.times:
            interval["times"] = [{"start_time": start, "end_time": end} for start, end in self.times]
        for name in ("weekdays", "days_of_month", "months", "years"):
            values = getattr(self, name)
            if values:
                interval[name] = [str(value) for value in values]
        if self.location:
            interval["location"] = self.location
        return interval


@dataclass(frozen=True, kw_only=True)
class MuteTiming:
    """A named set of time intervals during which routes that name it send no notifications."""

    name: str
    intervals: Sequence[TimeInterval] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "intervals", tuple(self.intervals))
        problems = []
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append("a mute timing needs a name")
        if not self.intervals:
            problems.append("a mute timing needs at least one TimeInterval")
        for interval in self.intervals:
            if not isinstance(interval, TimeInterval):
                problems.append(f"intervals hold TimeInterval(...), not {type(interval).__name__}")
            else:
                problems.extend(interval.problems())
        raise_problems([DefinitionError(message, location=self.location, definition=f"mute timing {self.name!r}")
                        for message in problems])

    def to_provisioning(self, org_id: int = 1) -> dict[str, Any]:
        return {"orgId": org_id, "name": self.name,
                "time_intervals": [interval.to_provisioning() for interval in self.intervals]}


def _range_of(text: str, valid: Any) -> bool:
    parts = text.lower().split(":")
    return 1 <= len(parts) <= 2 and all(valid(part) for part in parts)


def _int_in(text: str, low: int, high: int) -> bool:
    try:
        return low <= int(text) <= high
    except ValueError:
        return False
