"""The platform's Prometheus and Loki, one of each per environment, with the uids the dashboards resolve to."""

from dashctl.datasources import Loki, Prometheus, env_secret
from dashctl.definitions import datasources


@datasources
def platform(env):
    loki_options = {}
    if env.value("loki_multi_tenant", False):
        # Multi-tenant Loki in prod: the tenant header's value comes from Grafana's environment, not from git.
        loki_options = {
            "json_data": {"httpHeaderName1": "X-Scope-OrgID"},
            "secure_json_data": {"httpHeaderValue1": env_secret("LOKI_TENANT_ID")},
        }
    return [
        Prometheus(
            name="Prometheus",
            uid=env.datasource("metrics").uid,
            url=env.value("prometheus_url"),
            is_default=True,
        ),
        Loki(name="Loki", uid=env.datasource("logs").uid, url=env.value("loki_url"), **loki_options),
    ]
