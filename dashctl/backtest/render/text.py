"""`dashctl backtest` for a terminal: one block per rule and environment, the figures before → after."""

from __future__ import annotations

from dashctl.backtest.replay import VersionResult
from dashctl.backtest.review import BacktestReport, RuleBacktest
from dashctl.backtest.window import format_time
from dashctl.durations import spoken_duration

__all__ = ["labels_text", "render_text", "summary_sentence", "version_sentence"]


def version_sentence(result: VersionResult | None) -> str:
    """`fired 14 times, 3 h 10 min in all` (`never fired`; `does not exist` for a missing version)."""
    if result is None:
        return "does not exist"
    if not result.episodes:
        text = "never fired"
    else:
        times = "once" if result.episode_count == 1 else f"{result.episode_count} times"
        text = f"fired {times}, {spoken_duration(result.firing_seconds)} in all"
    extra = []
    if result.no_data_evaluations:
        extra.append(f"{result.no_data_evaluations} evaluations without data")
    if result.error_evaluations:
        extra.append(f"{result.error_evaluations} evaluations in error")
    return text + (f" ({', '.join(extra)})" if extra else "")


def summary_sentence(item: RuleBacktest) -> str:
    """`fired 14 times, 3 h 10 min in all → 2 times, 25 min`."""
    if item.skipped:
        return f"not replayed: {item.skipped}"
    before, after = version_sentence(item.before), version_sentence(item.after)
    if item.before is not None and item.after is not None and before.startswith("fired") and after.startswith(
            "fired"):
        after = after.removeprefix("fired ").replace(" in all", "")
    return f"{before} → {after}"


def labels_text(labels: tuple[tuple[str, str], ...]) -> str:
    shown = [(key, value) for key, value in labels if key != "__name__"]
    if not shown:
        return "(no labels)"
    return "{" + ", ".join(f'{key}="{value}"' for key, value in shown) + "}"


def render_text(report: BacktestReport) -> str:
    lines = [f"backtest {format_time(report.window.start)} → {format_time(report.window.end)}"
             + (f" · base {report.base_ref}" if report.base_ref else "")]
    if not report.rules:
        lines.append("No alert rule changes what it fires on; name rules with --rule to backtest them anyway.")
        return "\n".join(lines) + "\n"
    for item in report.rules:
        lines.append("")
        lines.append(f"{item.environment} · {item.uid} ({item.title}) · {item.status}")
        lines.append(f"  {summary_sentence(item)}")
        for name, result in (("before", item.before), ("after", item.after)):
            if result is None:
                continue
            if result.episodes:
                lines.append(f"  {name}: longest {spoken_duration(result.longest_seconds)}, first "
                             f"{format_time(result.first_fired)}, last {format_time(result.last_fired)}")
                for series in result.series()[:5]:
                    times = "once" if series.episodes == 1 else f"{series.episodes} times"
                    lines.append(f"    {labels_text(series.labels)}: {times}, {spoken_duration(series.firing_seconds)}")
            for error in result.errors[:3]:
                lines.append(f"  {name}: error: {error}")
    return "\n".join(lines) + "\n"
