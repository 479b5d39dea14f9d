"""dashboard/datasource-variable: a datasource variable is usable in every environment (dashboard-linter
template-datasource-rule, adapted: dashctl's logical names make a datasource variable optional)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import DashboardContext


@rule(id="dashboard/datasource-variable", scope=Scope.DASHBOARD, severity=Severity.WARNING,
      summary="datasource variable without a plugin type, a default or a use")
def check(dashboard: DashboardContext) -> Iterator[Problem]:
    environment = dashboard.environment
    for variable in dashboard.variables:
        if variable.get("type") != "datasource":
            continue
        name = variable.get("name")
        plugin = str(variable.get("query") or "")
        types = {ref.type for ref in environment.datasources.values()}
        if not plugin:
            yield Problem(
                message=f"datasource variable ${name} names no plugin type: Grafana offers no datasource to pick",
                hint="datasource_variable(name, plugin=\"prometheus\") (the query is the plugin id)",
            )
            continue
        current = variable.get("current", {}).get("value") if isinstance(variable.get("current"), dict) else None
        own = sorted(ref.uid for ref in environment.datasources.values() if ref.type == plugin)
        if not current:
            yield Problem(
                message=f"datasource variable ${name} has no default: the dashboard opens on whichever {plugin} "
                "datasource Grafana lists first, which differs from one Grafana to the next",
                hint=f"datasource_variable(..., current=env.datasource(<logical name>)): every environment "
                f"then opens on its own {plugin} datasource",
            )
        elif own and current not in own and not str(current).startswith("$"):
            yield Problem(
                message=f"datasource variable ${name} defaults to {current!r}, which is none of the environment's "
                f"{plugin} datasources: every environment opens on that one, or on none",
                hint="default to env.datasource(...) so that every environment opens on its own datasource",
            )
        elif plugin not in types:
            yield Problem(
                message=f"datasource variable ${name} offers {plugin} datasources, and the environment configures "
                "none",
                severity=Severity.INFO,
            )
        if not _used(dashboard, str(name)):
            yield Problem(
                message=f"datasource variable ${name} is not used by any panel, query or variable: the picker "
                "changes nothing",
                hint=f"dataSource=\"${{{name}}}\" on the panels that should follow it, or remove the variable",
            )


def _used(dashboard: DashboardContext, name: str) -> bool:
    pattern = re.compile(r"\$(?:" + re.escape(name) + r"\b|\{" + re.escape(name) + r"(?:[:.}]))|\[\[" +
                         re.escape(name) + r"(?::\w+)?\]\]")

    def refers(reference: Any) -> bool:
        uid = reference.get("uid") if isinstance(reference, dict) else reference
        return isinstance(uid, str) and bool(pattern.search(uid))

    for panel in dashboard.panels:
        if refers(panel.panel.get("datasource")) or any(refers(t.get("datasource")) for t in panel.targets):
            return True
    return any(refers(variable.get("datasource")) for variable in dashboard.variables)
