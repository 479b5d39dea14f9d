"""Charts GitHub draws inside a comment: Mermaid `xychart-beta` for the value against the old and new thresholds,
and a Mermaid `gantt` for the firing periods of each version.

Both are text, so they cost characters of the 65,536 a comment may hold: the value is downsampled to
`POINTS` buckets (each keeping its extreme, so a short burst stays visible) and at most `MAX_BARS` firing periods
are drawn per version.
"""

from __future__ import annotations

import math

from dashctl.backtest.review import RuleBacktest
from dashctl.backtest.window import Window, format_time

__all__ = ["MAX_BARS", "POINTS", "firing_gantt", "value_chart"]

POINTS = 84
MAX_BARS = 25


def value_chart(item: RuleBacktest, window: Window) -> str | None:
    """The charted value (the highest of all label sets in each bucket) and each version's threshold."""
    result = item.after or item.before
    if result is None or not result.values:
        return None
    lowest = any(text.startswith(("<", "≤")) for text in result.thresholds)
    pick = min if lowest else max
    buckets: list[list[float]] = [[] for _ in range(POINTS)]
    width = window.seconds / POINTS or 1
    for points in result.values.values():
        for at, value in points:
            if math.isfinite(value):
                buckets[min(POINTS - 1, int((at - window.start) / width))].append(value)
    series = [pick(bucket) if bucket else None for bucket in buckets]
    known = [value for value in series if value is not None]
    if not known:
        return None
    filled, last = [], known[0]
    for value in series:
        last = value if value is not None else last
        filled.append(last)
    lines_out = [f"    line [{', '.join(_number(value) for value in filled)}]"]
    thresholds = []
    for version in (item.before, item.after):
        if version is not None and version.threshold_values:
            thresholds.append(version.threshold_values[0])
            lines_out.append(f"    line [{', '.join([_number(version.threshold_values[0])] * POINTS)}]")
    top = max([*known, *thresholds])
    bottom = min([*known, *thresholds, 0.0])
    hours = window.seconds / 3600
    return "\n".join([
        "```mermaid",
        "xychart-beta",
        f'    title "{_quote(item.uid)} · {_quote(item.environment)}: value (first line) vs thresholds"',
        f'    x-axis "hours from {format_time(window.start)}" 0 --> {round(hours)}',
        f'    y-axis "value" {_number(bottom)} --> {_number(top * 1.1 if top > 0 else 1.0)}',
        *lines_out,
        "```",
    ])


def firing_gantt(item: RuleBacktest) -> str | None:
    """When each version fired, one bar per episode, on a common time axis."""
    sections = []
    for name, result in (("before", item.before), ("after", item.after)):
        if result is None or not result.episodes:
            continue  # an empty section is not valid gantt syntax; the table says it never fired
        lines = [f"    section {name}"]
        for index, episode in enumerate(result.episodes[:MAX_BARS]):
            end = max(episode.end, episode.start + 60)
            lines.append(f"    fired :crit, {name[0]}{index}, {episode.start}, {end}")
        if len(result.episodes) > MAX_BARS:
            lines.append(f"    {len(result.episodes) - MAX_BARS} more not drawn :done, {name[0]}m, "
                         f"{result.episodes[MAX_BARS].start}, {result.episodes[-1].end}")
        sections.append("\n".join(lines))
    if not sections:
        return None
    return "\n".join(["```mermaid", "gantt", f"    title {_quote(item.uid)} · {_quote(item.environment)}: firing",
                      "    dateFormat X", "    axisFormat %m-%d", *sections, "```"])


def _number(value: float) -> str:
    return f"{value:.6g}"


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")
