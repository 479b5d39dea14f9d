"""panel/datasource: a panel queries a datasource that follows the environment (dashboard-linter
panel-datasource-rule, adapted to dashctl's logical datasource names)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import MIXED_DATASOURCE, PanelContext

_HINT = ("use a logical name (dataSource=\"metrics\", resolved per environment), or a datasource variable "
         "(dataSource=\"${datasource}\")")


@rule(id="panel/datasource", scope=Scope.PANEL, severity=Severity.WARNING,
      summary="panel datasource that does not follow the environment")
def check(panel: PanelContext) -> Iterator[Problem]:
    if panel.is_row or not panel.targets:
        return
    known = {ref.uid: name for name, ref in panel.environment.datasources.items()}
    own = panel.datasource
    if own is not None and own.get("uid") != MIXED_DATASOURCE:
        problem = _foreign(own, known, panel, "the panel")
        if problem is not None:
            yield problem
        for target in panel.targets:
            theirs = target.get("datasource")
            if isinstance(theirs, dict) and theirs.get("uid") != own.get("uid"):
                yield Problem(
                    message=f"query {target.get('refId')} names datasource {_name(theirs, known)} but the panel "
                    f"uses {_name(own, known)}: Grafana runs every query of a panel that is not Mixed on the "
                    "panel's datasource",
                    hint="give the query the panel's datasource, or set the panel's datasource to '-- Mixed --'",
                )
        return
    for target in panel.targets:
        theirs = target.get("datasource")
        if not isinstance(theirs, dict):
            what = "the Mixed panel" if own is not None else "a panel without a datasource"
            yield Problem(
                message=f"query {target.get('refId')} names no datasource, and it belongs to {what}: Grafana runs "
                "it on its default datasource, which differs from one Grafana to the next",
                hint=_HINT,
            )
            continue
        problem = _foreign(theirs, known, panel, f"query {target.get('refId')}")
        if problem is not None:
            yield problem


def _foreign(reference: dict[str, Any], known: dict[str, str], panel: PanelContext, what: str) -> Problem | None:
    uid = str(reference.get("uid") or "")
    if not uid or uid.startswith("$") or uid in known or reference.get("type") == "datasource":
        return None  # a variable (checked by the compiler), the environment's own, or Grafana's built-ins
    return Problem(
        message=f"{what} is pinned to datasource uid {uid!r}, which is none of the environment's datasources: the "
        "dashboard breaks in a Grafana that has no datasource with that uid",
        hint=_HINT,
    )


def _name(reference: dict[str, Any], known: dict[str, str]) -> str:
    """The logical name of the environment's datasource (same in every environment), else the uid."""
    uid = str(reference.get("uid"))
    return known[uid] if uid in known else repr(uid)
