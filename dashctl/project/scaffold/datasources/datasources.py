"""Your Prometheus and Loki; their uids come from [environments.<env>.datasources] in dashctl.toml."""

from dashctl.datasources import Loki, Prometheus
from dashctl.definitions import datasources


@datasources
def observability(env):
    return [
        Prometheus(name="Prometheus", uid=env.datasource("metrics").uid, url=env.value("prometheus_url")),
        Loki(name="Loki", uid=env.datasource("logs").uid, url=env.value("loki_url")),
    ]
