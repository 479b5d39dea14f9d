"""promql/label: a label a matcher, `by` or `on` names occurs on the metric it applies to (pint promql/series's
label checks)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.live.analysis import label_uses
from dashctl.lint.live.context import LiveQueryContext
from dashctl.lint.registry import Scope, rule


@rule(id="promql/label", scope=Scope.LIVE, severity=Severity.ERROR, summary="label that never occurs on the metric")
def check(context: LiveQueryContext) -> Iterator[Problem]:
    reported: set[tuple[str, str]] = set()
    for use, available in label_uses(context.parsed, context.labels_of):
        if use.label in available or (use.label, use.clause) in reported:
            continue
        reported.add((use.label, use.clause))
        what = {"matcher": "matches on", "by": "groups by", "on": "matches on() by"}[use.clause]
        close = difflib.get_close_matches(use.label, sorted(available), n=1, cutoff=0.6)
        names = ", ".join(sorted(available)) or "none"
        yield Problem(
            message=f"the query {what} label {use.label!r}, which no series of {', '.join(use.metrics)} has at "
            f"{context.prometheus.url} (labels: {names})" + (f"; did you mean {close[0]!r}?" if close else ""),
            hint=f"use {close[0]!r}" if close else "use one of the labels the series have",
        )
