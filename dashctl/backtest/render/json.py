"""`dashctl backtest --format json`: per rule uid and environment, `before` and `after` with their figures.

    {"base": {"ref", "commit"}, "window": {"start", "end"}, "endpoints": {"prod/prometheus": URL},
     "rules": [{"uid", "environment", "title", "status", "skipped",
                "before": {"episodes", "firing_seconds", "longest_seconds", "first_fired", "last_fired",
                           "evaluations", "no_data_evaluations", "error_evaluations", "errors", "thresholds",
                           "for", "keep_firing_for", "interval",
                           "series": [{"labels", "episodes", "firing_seconds", "longest_seconds",
                                       "first_fired", "last_fired"}]} | null,
                "after": {...} | null}]}

Times are RFC 3339 in UTC; durations in seconds.
"""

from __future__ import annotations

import json
from typing import Any

from dashctl.backtest.replay import VersionResult
from dashctl.backtest.review import BacktestReport
from dashctl.backtest.rule import ReplayRule
from dashctl.backtest.window import format_time

__all__ = ["render_json", "report_document"]


def report_document(report: BacktestReport) -> dict[str, Any]:
    return {
        "base": {"ref": report.base_ref, "commit": report.base_commit},
        "window": {"start": format_time(report.window.start), "end": format_time(report.window.end)},
        "endpoints": dict(report.endpoints),
        "rules": [
            {
                "uid": item.uid,
                "environment": item.environment,
                "title": item.title,
                "status": item.status,
                "skipped": item.skipped,
                "before": _version(item.before, item.before_rule),
                "after": _version(item.after, item.after_rule),
            }
            for item in report.rules
        ],
    }


def render_json(report: BacktestReport) -> str:
    return json.dumps(report_document(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _time(value: int | None) -> str | None:
    return format_time(value) if value is not None else None


def _version(result: VersionResult | None, rule: ReplayRule | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "episodes": result.episode_count,
        "firing_seconds": result.firing_seconds,
        "longest_seconds": result.longest_seconds,
        "first_fired": _time(result.first_fired),
        "last_fired": _time(result.last_fired),
        "evaluations": result.evaluations,
        "no_data_evaluations": result.no_data_evaluations,
        "error_evaluations": result.error_evaluations,
        "errors": list(result.errors),
        "thresholds": list(result.thresholds),
        "for": rule.pending if rule else None,
        "keep_firing_for": rule.keep_firing_for if rule else None,
        "interval": rule.interval if rule else None,
        "series": [
            {
                "labels": dict(series.labels),
                "episodes": series.episodes,
                "firing_seconds": series.firing_seconds,
                "longest_seconds": series.longest_seconds,
                "first_fired": _time(series.first_fired),
                "last_fired": _time(series.last_fired),
            }
            for series in result.series()
        ],
    }
