"""Datasources: the typed model authors write and its compilation to Grafana's provisioning YAML."""

from dashctl.datasources.model import Datasource, Loki, Prometheus, env_secret, file_secret

__all__ = ["Datasource", "Loki", "Prometheus", "env_secret", "file_secret"]
