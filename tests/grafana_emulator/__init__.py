"""An emulated Grafana HTTP API for tests, served on loopback (spec: `reference/grafana-api.md` §8).

    with GrafanaEmulator() as grafana:
        grafana.add_datasource(uid="prom", name="Prometheus", type="prometheus", is_default=True)
        grafana.inject(Fault.respond(503, retry_after=1), times=2)
        client = GrafanaClient(grafana.url, token=grafana.token)

Modules: `server` (HTTP, lifecycle, request log, seeding), `faults` (fault injection), `state` (what Grafana
stores), `routes` (which handler answers), one module per API area (`dashboards`, `folders`, `search`,
`datasources`, `alerting`, `rule_export`, `instance`), `auth`, `bodies` (the error body shapes), `formats` (uids, slugs, durations).
"""

from .faults import Fault, FaultRule, transient_faults
from .server import GrafanaEmulator, RecordedRequest
from .state import Identity, Settings

__all__ = ["Fault", "FaultRule", "GrafanaEmulator", "Identity", "RecordedRequest", "Settings", "transient_faults"]
