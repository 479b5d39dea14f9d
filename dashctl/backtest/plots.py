"""`--plots DIR`: one PNG per rule and environment, drawn with matplotlib (the optional `plots` extra).

The chart shows the value the threshold compares for each label set (the five that fired most), the old and the
new threshold, and the firing periods of each version shaded (before in the upper half, after in the lower), titled
with the rule and the summary counts. matplotlib is imported here only, so nothing else pays for it.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from dashctl.backtest.review import BacktestReport, RuleBacktest
from dashctl.backtest.render.text import labels_text, summary_sentence
from dashctl.errors import OutputError, UsageError

__all__ = ["plot_report"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SERIES_SHOWN = 5


def plot_report(report: BacktestReport, directory: Path) -> list[Path]:
    """Write `<environment>-<uid>.png` for each replayed rule; returns the files written."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plots needs matplotlib, which is not installed: pip install 'dashctl[plots]' "
                         "(or pip install matplotlib), or leave out --plots") from None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create {directory}: {error.strerror}") from None
    written = []
    for item in report.rules:
        if item.skipped or (item.before is None and item.after is None):
            continue
        figure = _draw(item, plt, mdates, minimum=report.window.seconds / 400)
        path = directory / f"{_UNSAFE.sub('_', item.environment)}-{_UNSAFE.sub('_', item.uid)}.png"
        try:
            figure.savefig(path, dpi=100)
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror}") from None
        finally:
            plt.close(figure)
        written.append(path)
    return written


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _draw(item: RuleBacktest, plt, mdates, *, minimum: float):
    """`minimum`: the narrowest a firing period is drawn, so that minutes stay visible on a week."""
    figure, axes = plt.subplots(figsize=(12, 4.5))
    shown = item.after or item.before
    assert shown is not None
    fired = {series.labels for series in shown.series()[:_SERIES_SHOWN]}
    keys = sorted(shown.values, key=lambda key: (key not in fired, key))[:_SERIES_SHOWN]
    for key in keys:
        points = shown.values[key]
        axes.plot([_when(at) for at, _ in points], [value for _, value in points], linewidth=0.8,
                  label=labels_text(key) if len(shown.values) > 1 else "value")
    for name, version, style, color in (("before", item.before, "--", "tab:gray"),
                                        ("after", item.after, "-", "tab:red")):
        if version is None:
            continue
        for value, text in zip(version.threshold_values, version.thresholds):
            axes.axhline(value, linestyle=style, color=color, linewidth=1, label=f"{name} threshold {text}")
        low, high = (0.5, 1.0) if name == "before" else (0.0, 0.5)
        for episode in version.episodes:
            axes.axvspan(_when(episode.start), _when(max(episode.end, episode.start + minimum)), ymin=low,
                         ymax=high, color=color, alpha=0.35, linewidth=0)
    axes.set_title(f"{item.environment} · {item.uid} · {item.title}\n{summary_sentence(item)}", fontsize=10)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M", tz=timezone.utc))
    axes.set_xlabel("UTC (shaded: firing; upper half before, lower half after)")
    axes.legend(loc="upper left", fontsize=7)
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
