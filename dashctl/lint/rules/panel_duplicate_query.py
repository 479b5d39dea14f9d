"""panel/duplicate-query: a panel does not run the same query twice."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import PanelContext

_SPACE = re.compile(r"\s+")


@rule(id="panel/duplicate-query", scope=Scope.PANEL, severity=Severity.WARNING,
      summary="the same query twice in one panel")
def check(panel: PanelContext) -> Iterator[Problem]:
    seen: dict[tuple[str, str], str] = {}
    for query in panel.queries:
        if not query.expr or not query.expr.strip():
            continue
        key = (str((query.datasource or {}).get("uid")), _SPACE.sub(" ", query.expr.strip()))
        first = seen.get(key)
        if first is None:
            seen[key] = query.ref_id
            continue
        yield Problem(
            message=f"query {query.ref_id} is the same as query {first}: "
            "Grafana runs both and draws the same series twice",
            hint="remove one, or change what it selects (a copy-paste that was meant to differ?)",
        )
