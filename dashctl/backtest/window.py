"""The time window of a backtest: `--since 7d|TIME` and `--until TIME`, as Prometheus' HTTP API reads time.

TIME is RFC 3339 (`2026-11-24T10:00:00Z`) or unix seconds (`1764000000`, fractions allowed), the two forms
Prometheus' and Loki's `query_range` accept; `--since` may also be a duration back from `--until` (`7d`, `36h`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from dashctl.durations import parse_duration
from dashctl.errors import UsageError

__all__ = ["Window", "format_time", "parse_time", "parse_window"]

_UNIX = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True, kw_only=True)
class Window:
    """[start, end] in unix seconds; evaluations fall on multiples of the rule's interval inside it."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def evaluation_times(self, interval: int) -> range:
        """Each evaluation of a rule evaluated every `interval` seconds: the multiples of it in the window."""
        first = -(-int(self.start) // interval) * interval
        return range(first, int(self.end) + 1, interval)


def parse_time(text: str, *, option: str) -> float:
    """Unix seconds of an RFC 3339 time or a unix timestamp; a UsageError naming `option` otherwise."""
    value = text.strip()
    if _UNIX.match(value):
        return float(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a time: use RFC 3339 (2026-11-24T10:00:00Z) or unix seconds"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(f"{option} {text!r} has no time zone: add Z (UTC) or an offset such as +01:00")
    return moment.timestamp()


def parse_window(since: str, until: str | None, *, now: float) -> Window:
    """The window from `--since` (a duration back from the end, or a time) to `--until` (default: now)."""
    end = parse_time(until, option="--until") if until else now
    try:
        start = end - parse_duration(since.strip()) / 1000
    except ValueError:
        start = parse_time(since, option="--since")
    if start >= end:
        raise UsageError(f"the window is empty: --since {since} is not before --until {format_time(end)}")
    return Window(start=start, end=end)


def format_time(seconds: float) -> str:
    """RFC 3339 in UTC, to the second (`2026-11-24T10:00:00Z`)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
