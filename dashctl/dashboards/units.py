"""Grafana's unit ids as named constants, for a panel's `unit` (`fieldConfig.defaults.unit`).

Grafana formats a value by the unit id a panel names: `reqps` shows `12.3 req/s`, `percentunit` turns 0.05 into
`5%`, `s` scales 0.012 to `12 ms`. An id Grafana does not know silently shows raw numbers, so definitions use these
constants instead of string literals. The ids and groups follow Grafana's value formats
(packages/grafana-data/src/valueFormats/categories.ts); the names follow grafana-foundation-sdk's units module.
"""

from __future__ import annotations

__all__ = [
    "BITS_PER_SECOND",
    "BOOL_UP_DOWN",
    "BYTES",
    "BYTES_PER_SECOND",
    "COUNTS_PER_SECOND",
    "DECIMAL_BYTES",
    "EVENTS_PER_SECOND",
    "MICROSECONDS",
    "MILLISECONDS",
    "NONE",
    "OPS_PER_SECOND",
    "PERCENT",
    "PERCENT_UNIT",
    "REQUESTS_PER_SECOND",
    "SECONDS",
    "SHORT",
    "suffix",
]

# Misc
NONE = "none"
"""The raw number, no scaling."""
SHORT = "short"
"""A plain count scaled with K, Mil, Bil: the usual unit for things without one (series, connections)."""
PERCENT = "percent"
"""A value already in percent: 5 shows as 5%."""
PERCENT_UNIT = "percentunit"
"""A ratio between 0 and 1: 0.05 shows as 5%. What error ratios and utilisations are."""
BOOL_UP_DOWN = "bool_yes_no"
"""0 or 1 shown as No / Yes, for `up`-style gauges."""

# Time
SECONDS = "s"
"""Seconds, scaled down to ms and µs and up to min and hour: request durations, lags."""
MILLISECONDS = "ms"
"""Milliseconds."""
MICROSECONDS = "µs"
"""Microseconds: MongoDB's operation latencies."""

# Data
BYTES = "bytes"
"""Bytes, IEC (1 KiB = 1024 B): memory."""
DECIMAL_BYTES = "decbytes"
"""Bytes, SI (1 kB = 1000 B)."""
BYTES_PER_SECOND = "Bps"
"""Bytes per second, SI: ingestion and network throughput."""
BITS_PER_SECOND = "bps"
"""Bits per second, SI."""

# Throughput
REQUESTS_PER_SECOND = "reqps"
"""Requests per second (`req/s`)."""
OPS_PER_SECOND = "ops"
"""Operations per second (`ops/s`): database operations."""
COUNTS_PER_SECOND = "cps"
"""Counts per second (`c/s`): log lines, samples, entries."""
EVENTS_PER_SECOND = "eps"
"""Events per second (`evt/s`): restarts, failures."""


def suffix(text: str) -> str:
    """A custom unit that appends `text` to the number unscaled: `suffix(" cores")` shows `0.25 cores`."""
    return f"suffix:{text}"
