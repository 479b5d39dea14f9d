"""`dashctl backtest --format markdown`, and the section `dashctl diff --format markdown --backtest` appends: per
changed rule, the figures before → after ("fired 14 times, 3 h 10 min in all → 2 times, 25 min"), a table,
and Mermaid charts GitHub renders in the comment. The whole stays under GitHub's 65,536-character limit: rules
are added while they fit and the rest are counted in a closing note.
"""

from __future__ import annotations

import html

from dashctl.backtest.render.mermaid import firing_gantt, value_chart
from dashctl.backtest.render.text import labels_text, summary_sentence
from dashctl.backtest.replay import VersionResult
from dashctl.backtest.review import BacktestReport, RuleBacktest
from dashctl.backtest.window import format_time
from dashctl.durations import spoken_duration

__all__ = ["COMMENT_LIMIT", "render_markdown", "rule_sections"]

COMMENT_LIMIT = 65_536


def render_markdown(report: BacktestReport, *, limit: int = COMMENT_LIMIT, artifact_url: str | None = None,
                    heading: str = "### dashctl backtest") -> str:
    head = [heading, "", _window_line(report), ""]
    if artifact_url:
        head.extend([f"Charts of each rule (PNG): [backtest plots]({artifact_url})", ""])
    if not report.rules:
        head.append("No alert rule changes what it fires on.")
        return "\n".join(head) + "\n"
    head.extend(["| environment | rule | before → after |", "| --- | --- | --- |"])
    size = sum(len(line) + 1 for line in head)
    for index, item in enumerate(report.rules):
        row = (f"| {html.escape(item.environment)} | <code>{html.escape(item.uid)}</code> | "
               f"{html.escape(summary_sentence(item))} |")
        if size + len(row) > limit // 2:  # the table may take half of the comment; the sections the rest
            head.append(f"| … | {len(report.rules) - index} more rules | run `dashctl backtest` |")
            break
        head.append(row)
        size += len(row) + 1
    text = "\n".join(head) + "\n\n"
    return text + rule_sections(report, limit=limit - len(text))


def rule_sections(report: BacktestReport, *, limit: int) -> str:
    """A collapsible section per rule, as many as fit in `limit` characters."""
    text = ""
    for index, item in enumerate(report.rules):
        section = _section(item, report)  # one at a time: the charts of rules that do not fit are never drawn
        note = _truncation_note(len(report.rules) - index)
        if len(text) + len(section) + len(note) > limit:
            compact = _section(report.rules[index], report, charts=False)
            if len(text) + len(compact) + len(note) > limit:
                return text + note
            section = compact
        text += section
    return text


def _window_line(report: BacktestReport) -> str:
    base = f" · base `{report.base_ref}`" if report.base_ref else ""
    return (f"Replayed over {format_time(report.window.start)} → {format_time(report.window.end)} "
            f"({spoken_duration(report.window.seconds)}){base}, each rule evaluated at its group's interval.")


def _section(item: RuleBacktest, report: BacktestReport, *, charts: bool = True) -> str:
    parts = [f"<details open>\n<summary>{html.escape(item.environment)} · alert rule "
             f"<code>{html.escape(item.uid)}</code> · {html.escape(item.title)} · <b>{item.status}</b></summary>\n",
             f"**{html.escape(summary_sentence(item))}**\n"]
    if not item.skipped:
        parts.append(_table(item))
        if charts:
            for chart in (value_chart(item, report.window), firing_gantt(item)):
                if chart:
                    parts.append(chart + "\n")
    parts.append("</details>\n\n")
    return "\n".join(parts)


def _table(item: RuleBacktest) -> str:
    rows = [("episodes", lambda r: str(r.episode_count)),
            ("time firing", lambda r: spoken_duration(r.firing_seconds) if r.episodes else "—"),
            ("longest", lambda r: spoken_duration(r.longest_seconds) if r.episodes else "—"),
            ("first fired", lambda r: format_time(r.first_fired) if r.first_fired else "—"),
            ("last fired", lambda r: format_time(r.last_fired) if r.last_fired else "—"),
            ("no data / error evaluations", lambda r: f"{r.no_data_evaluations} / {r.error_evaluations}"),
            ("threshold", lambda r: html.escape(", ".join(r.thresholds)) or "—")]
    lines = ["| | before | after |", "| --- | --- | --- |"]
    for name, value in rows:
        lines.append(f"| {name} | {_cell(item.before, value)} | {_cell(item.after, value)} |")
    for name, rule in (("for", "pending"), ("keep firing for", "keep_firing_for")):
        before = spoken_duration(getattr(item.before_rule, rule)) if item.before_rule else "—"
        after = spoken_duration(getattr(item.after_rule, rule)) if item.after_rule else "—"
        lines.append(f"| {name} | {before} | {after} |")
    busiest = (item.after or item.before)
    if busiest is not None and len(busiest.series()) > 1:
        lines.append("")
        lines.append("Label sets that fired (" + ("after" if item.after else "before") + "): " + ", ".join(
            f"<code>{html.escape(labels_text(series.labels))}</code> {series.episodes}×"
            for series in busiest.series()[:8]))
    return "\n".join(lines) + "\n"


def _cell(result: VersionResult | None, value) -> str:
    return "—" if result is None else value(result)


def _truncation_note(count: int) -> str:
    plural = "s are" if count != 1 else " is"
    return (f"> **Truncated:** {count} more rule{plural} not shown: a GitHub comment holds at most "
            f"{COMMENT_LIMIT:,} characters. Run `dashctl backtest` for the rest.\n")
