"""What an alert rule change would have done: both versions replayed over the environment's real history.

    from dashctl.backtest import backtest_revision, parse_window, render
    report = backtest_revision(project, base="origin/main", environments=["prod"],
                               window=parse_window("7d", None, now=time.time()))
    print(render(report, "markdown"))

The pieces:

    window.py       --since / --until and the evaluation times in them
    rule.py         read_rule: Grafana's provisioning model of a rule as typed steps
    mathexpr.py     Grafana's math expressions
    expressions.py  reduce, math, threshold and classic conditions at one instant
    states.py       Grafana's state machine per label set (Normal, Pending, Alerting, Recovering, NoData, Error)
    replay.py       replay_rule: the queries fetched with query_range, every evaluation of the window replayed
    review.py       backtest_revision: the changed rules of a base revision and the working tree, both versions
    render/         text, markdown (with Mermaid charts) and json; plots.py draws PNGs with matplotlib

Queries go through `dashctl.datasource_api` (Prometheus and Loki share it). See docs/backtest.md.
"""

from dashctl.backtest.render import FORMATS, render, render_json, render_markdown, render_text
from dashctl.backtest.replay import SeriesSummary, VersionResult, replay_rule
from dashctl.backtest.review import BacktestReport, RuleBacktest, backtest_revision, backtest_rules
from dashctl.backtest.rule import ReplayRule, Unsupported, read_rule
from dashctl.backtest.states import Episode, StateMachine
from dashctl.backtest.window import Window, format_time, parse_time, parse_window

__all__ = [
    "BacktestReport",
    "Episode",
    "FORMATS",
    "ReplayRule",
    "RuleBacktest",
    "SeriesSummary",
    "StateMachine",
    "Unsupported",
    "VersionResult",
    "Window",
    "backtest_revision",
    "backtest_rules",
    "format_time",
    "parse_time",
    "parse_window",
    "read_rule",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
    "replay_rule",
]
