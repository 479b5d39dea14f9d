"""A week of generated history with known incidents, for the backtests against a real Prometheus.

`backtest_error_ratio{service}` is a gauge sampled every minute: 1% errors normally, and for `checkout`:
three 20-minute bursts of 8%, one 6-minute burst of 30%, a 3-minute burst of 30% (shorter than a 5m `for`),
30 minutes flapping between 6% and 4% around a 5% threshold, and a 30-minute gap with no samples; for `cart`:
one 20-minute burst of 8% and a 10-minute burst of 30%. `shop_orders_total` existed for the first three days
only (a metric that disappeared). Minutes are counted from the start of the week.
"""

from __future__ import annotations

DAY = 1440
WEEK_MINUTES = 7 * DAY
BASE = 0.01

BURSTS = {
    "checkout": [
        (1 * DAY + 600, 20, 0.08),
        (3 * DAY + 600, 20, 0.08),
        (5 * DAY + 600, 20, 0.08),
        (6 * DAY + 120, 6, 0.30),
        (2 * DAY + 300, 3, 0.30),
    ],
    "cart": [
        (1 * DAY + 1000, 20, 0.08),
        (3 * DAY + 1200, 10, 0.30),
    ],
}
FLAPPING = ("checkout", 4 * DAY + 300, 30)  # service, first minute, minutes: 6%, 4%, 6%, ...
GAP = ("checkout", 4 * DAY + 900, 30)  # service, first minute, minutes without samples
ORDERS_UNTIL = 3 * DAY


def history_start(now: float) -> int:
    """The first second of the week: whole hours, ending a day before `now`."""
    return int(now) // 3600 * 3600 - 8 * 86400


def error_ratio(service: str) -> dict[int, float]:
    """Minute → value of `backtest_error_ratio{service=...}` (minutes of the gap absent)."""
    values = {minute: BASE for minute in range(WEEK_MINUTES)}
    for first, length, value in BURSTS[service]:
        for minute in range(first, first + length):
            values[minute] = value
    name, first, length = FLAPPING
    if name == service:
        for index in range(length):
            values[first + index] = 0.06 if index % 2 == 0 else 0.04
    name, first, length = GAP
    if name == service:
        for minute in range(first, first + length):
            del values[minute]
    return values


def openmetrics(start: int) -> str:
    lines = ["# TYPE backtest_error_ratio gauge"]
    for service in sorted(BURSTS):
        for minute, value in sorted(error_ratio(service).items()):
            lines.append(f'backtest_error_ratio{{service="{service}"}} {value} {start + minute * 60}')
    lines.append("# TYPE shop_orders counter")
    for minute in range(0, ORDERS_UNTIL, 5):
        lines.append(f'shop_orders_total{{shop="main"}} {minute} {start + minute * 60}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"
