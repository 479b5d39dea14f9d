"""Prometheus-style durations (`5m`, `1h30m`, `300s`) as Grafana reads and re-renders them."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["canonical_duration", "parse_duration", "spoken_duration"]

_UNITS_MS = {"y": 365 * 86_400_000, "w": 7 * 86_400_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000,
             "s": 1000, "ms": 1}
_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")


# Each alert rule parses its few durations (for, intervals, time ranges) several times, and they are the same few
# strings across thousands of rules.
@lru_cache(maxsize=1024)
def parse_duration(text: str) -> int:
    """Milliseconds of a Prometheus duration; ValueError when `text` is not one (units in decreasing order)."""
    if text == "0":
        return 0
    position, total, last = 0, 0, None
    order = list(_UNITS_MS)
    while position < len(text):
        match = _PART.match(text, position)
        if match is None:
            raise ValueError(f"not a duration: {text!r} (e.g. 30s, 5m, 1h30m)")
        unit = match.group(2)
        if last is not None and order.index(unit) <= order.index(last):
            raise ValueError(f"not a duration: {text!r} (units must go from largest to smallest)")
        total += int(match.group(1)) * _UNITS_MS[unit]
        last, position = unit, match.end()
    if not text:
        raise ValueError("empty duration")
    return total


@lru_cache(maxsize=1024)
def canonical_duration(value: str | int) -> str:
    """The form Grafana and Prometheus print (`300s` → `5m`, `90m` → `1h30m`, `0` → `0s`); ints are milliseconds."""
    remaining = parse_duration(value) if isinstance(value, str) else int(value)
    if remaining == 0:
        return "0s"
    parts = []
    for unit, size in _UNITS_MS.items():
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def spoken_duration(seconds: float) -> str:
    """A duration as a reviewer reads it: `3 h 10 min`, `25 min`, `45 s`, `2 d 4 h` (two units at most)."""
    remaining = int(round(seconds))
    if remaining < 60:
        return f"{remaining} s"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts[:2])
