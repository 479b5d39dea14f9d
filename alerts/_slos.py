"""The platform's service level objectives, shared by their alert rules (slo_backend.py) and the service
dashboards (`slo_panels(backend_availability(env))` gives the SLO row)."""

import telemetry as t
from alerts._runbooks import runbook
from dashctl.alerts import SLO, DashboardPanel


def backend_availability(env):
    """99.9% (prod) of backend requests over 30 days are answered without a 5xx."""
    selector = f'{t.NAMESPACE_LABEL}="{env.namespace}", {t.CONTAINER_LABEL}="{t.BACKEND}"'
    requests = f"{t.HTTP_DURATION}_count{{{selector}}}"
    errors = f'{t.HTTP_DURATION}_count{{{selector}, {t.HTTP_STATUS_LABEL}=~"5.."}}'
    return SLO(
        uid="backend-availability",
        name="Backend availability",
        objective=env.value("slo_backend_availability"),
        errors=f"sum(rate({errors}[$window]))",
        total=f"sum(rate({requests}[$window]))",
        period="30d",
        runbook_url=runbook(env, "backend-availability-slo"),
        team="backend",
        dashboard=DashboardPanel(uid="backend-api", panel="Burn rate"),
    )
