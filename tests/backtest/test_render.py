"""The outputs of a backtest from made-up results: the sentence, the JSON fields, the comment size limit."""

from __future__ import annotations

import json

from dashctl.backtest.render import render_json, render_markdown, render_text
from dashctl.backtest.replay import VersionResult
from dashctl.backtest.review import BacktestReport, RuleBacktest
from dashctl.backtest.states import Episode
from dashctl.backtest.window import Window

START = 1_764_000_000
LABELS = (("pod", "a"),)


def version(count: int, minutes: int, *, threshold: float = 0.05) -> VersionResult:
    episodes = tuple(Episode(labels=LABELS, start=START + index * 3600, end=START + index * 3600 + minutes * 60)
                     for index in range(count))
    values = {LABELS: tuple((START + minute * 60, 0.01 * (minute % 9)) for minute in range(0, 7 * 1440, 60))}
    return VersionResult(evaluations=10_080, episodes=episodes, values=values, thresholds=(f"> {threshold:g}",),
                         threshold_values=(threshold,))


def report(rules: int, *, before: tuple[int, int] = (14, 13), after: tuple[int, int] = (2, 12)) -> BacktestReport:
    items = tuple(RuleBacktest(environment="prod", uid=f"rule-{index:03d}", title=f"Rule {index}", status="changed",
                               before=version(*before), after=version(*after, threshold=0.1)) for index in range(rules))
    return BacktestReport(base_ref="origin/main", base_commit="0" * 40,
                          window=Window(start=START, end=START + 7 * 86400), rules=items, endpoints={})


def test_the_sentence_before_and_after():
    text = render_text(report(1, before=(14, 13), after=(2, 12)))
    assert "fired 14 times, 3 h 2 min in all → 2 times, 24 min" in text
    assert "{pod=\"a\"}: 2 times, 24 min" in text


def test_the_chart_draws_the_value_and_both_thresholds():
    text = render_markdown(report(1))
    chart = text[text.index("```mermaid\nxychart-beta"):]
    chart = chart[:chart.index("\n```\n")]
    lines = chart.splitlines()
    assert lines[3] == '    x-axis "hours from 2025-11-24T16:00:00Z" 0 --> 168'
    values, before, after = (line for line in lines if line.startswith("    line ["))
    assert before == "    line [" + ", ".join(["0.05"] * 84) + "]"
    assert after == "    line [" + ", ".join(["0.1"] * 84) + "]"
    # 84 buckets of two hours, each keeping its highest value (the made-up values are hourly: 0.01 × (minute % 9))
    highest = [max(0.01 * ((120 * k) % 9), 0.01 * ((120 * k + 60) % 9)) for k in range(84)]
    assert values == "    line [" + ", ".join(f"{value:.6g}" for value in highest) + "]"


def test_json_names_the_fields_of_each_version():
    document = json.loads(render_json(report(1)))
    rule = document["rules"][0]
    assert set(rule) == {"uid", "environment", "title", "status", "skipped", "before", "after"}
    after = rule["after"]
    assert {"episodes", "firing_seconds", "first_fired", "last_fired", "series"} <= set(after)
    assert (after["episodes"], after["firing_seconds"]) == (2, 2 * 12 * 60)
    assert after["first_fired"] == "2025-11-24T16:00:00Z" and after["last_fired"] == "2025-11-24T17:00:00Z"
    assert after["series"] == [{"labels": {"pod": "a"}, "episodes": 2, "firing_seconds": 1440,
                                "longest_seconds": 720, "first_fired": "2025-11-24T16:00:00Z",
                                "last_fired": "2025-11-24T17:00:00Z"}]
    assert document["window"] == {"start": "2025-11-24T16:00:00Z", "end": "2025-12-01T16:00:00Z"}


def test_a_big_report_stays_under_githubs_comment_limit():
    text = render_markdown(report(300, before=(60, 5)))
    assert len(text) <= 65_536
    shown = text.count("<details open>")
    assert 0 < shown < 300
    assert f"> **Truncated:** {300 - shown} more rules are not shown" in text
    # the gantt chart draws at most 25 bars a version and says how many it left out
    assert "35 more not drawn" in text
    assert text.count("| prod | <code>rule-") == 300  # the table lists every rule


def test_even_the_table_is_cut_for_thousands_of_rules():
    text = render_markdown(report(3000))
    assert len(text) <= 65_536
    assert "more rules | run `dashctl backtest` |" in text
