"""dashboard/undefined-variable-allowed: a variable the dashboard uses without defining it, which
`@dashboard(allow_undefined_variables=...)` lets through the build (dashctl's own)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import DashboardContext


@rule(id="dashboard/undefined-variable-allowed", scope=Scope.DASHBOARD, severity=Severity.WARNING,
      summary="a variable used but not defined, allowed by allow_undefined_variables")
def check(dashboard: DashboardContext) -> Iterator[Problem]:
    # The build has checked that each listed name is used and not defined; what remains is the opt-out itself.
    for name in dashboard.dashboard.allowed_undefined_variables:
        yield Problem(
            message=f"${name} is used but no template variable defines it (allowed by allow_undefined_variables): "
            "Grafana leaves it in the query or link as written, and does not repeat over it",
            hint=f"define a template variable {name!r}, or write what ${name} should stand for, and take it out of "
            "allow_undefined_variables",
        )
