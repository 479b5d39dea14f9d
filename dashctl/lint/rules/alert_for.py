"""alert/for: an alert rule's `for` (pending period) is at least one evaluation interval of its group."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.alerts import expression
from dashctl.durations import parse_duration
from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import AlertContext


@rule(id="alert/for", scope=Scope.ALERT, severity=Severity.WARNING,
      summary="pending period shorter than the evaluation interval")
def check(alert: AlertContext) -> Iterator[Problem]:
    try:
        pending = parse_duration(alert.pending)
        interval = parse_duration(alert.interval)
    except ValueError:
        return
    if pending >= interval or _multi_window(alert):
        return
    what = "0s" if pending == 0 else alert.pending
    yield Problem(
        message=f"the rule has for {what} with an evaluation interval of {alert.interval}: "
        "it fires on a single evaluation, so one scrape gap, restart or spike pages someone",
        hint=f"for_=\"{alert.interval}\" or longer (a multiple of the interval: Grafana rounds it up to one)",
        location=alert.keyword_location("for_"),
        value=alert.rule.for_,
    )


def _multi_window(alert: AlertContext) -> bool:
    """A Math condition that needs two or more queries at once (`$A > 14.4 && $B > 14.4`): the multi-window
    burn-rate shape, whose long window already requires the condition to last."""
    condition = alert.rule.condition
    tree = getattr(condition, "tree", None)
    if tree is None:
        return False
    queries = {query.ref_id for query in alert.rule.datasource_queries}

    def joined(node: expression.Node) -> bool:
        if isinstance(node, expression.Binary):
            if node.op == "&&" and len(set(expression.references(node)) & queries) >= 2:
                return True
            return joined(node.left) and joined(node.right) if node.op == "||" else False
        return False

    return joined(tree)
