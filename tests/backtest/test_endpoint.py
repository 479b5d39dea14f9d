"""Where the datasource APIs are and how dashctl authenticates to them: configuration, flags, environment."""

from __future__ import annotations

import pytest

from dashctl.datasource_api import resolve_endpoint
from dashctl.errors import ConfigError, UsageError
from dashctl.project.environment import Environment

PROD = Environment(name="prod", namespace="prod", values={"prometheus_url": "http://prometheus:9090/",
                                                          "loki_url": "http://loki:3100"})


def test_the_flag_wins_over_the_configured_url():
    assert resolve_endpoint("prometheus", PROD, env={}).url == "http://prometheus:9090"
    assert resolve_endpoint("prometheus", PROD, override="http://127.0.0.1:9090", env={}).url == "http://127.0.0.1:9090"


def test_credentials_from_the_environment_only_and_never_in_repr():
    endpoint = resolve_endpoint("loki", PROD, env={"DASHCTL_LOKI_USER": "u", "DASHCTL_LOKI_PASSWORD": "p4ss",
                                                   "DASHCTL_LOKI_TENANT": "platform"})
    assert endpoint.basic == ("u", "p4ss") and endpoint.headers == {"X-Scope-OrgID": "platform"}
    assert "p4ss" not in repr(endpoint)
    assert resolve_endpoint("prometheus", PROD, env={"DASHCTL_PROMETHEUS_TOKEN": "t0k"}).token == "t0k"
    with pytest.raises(UsageError, match="DASHCTL_PROMETHEUS_PASSWORD is not set"):
        resolve_endpoint("prometheus", PROD, env={"DASHCTL_PROMETHEUS_USER": "u"})


def test_credentials_in_a_url_are_moved_out_of_it():
    endpoint = resolve_endpoint("prometheus", PROD, override="https://me:s%40cret@prom.example.com", env={})
    assert endpoint.url == "https://prom.example.com" and endpoint.basic == ("me", "s@cret")


def test_a_missing_url_names_the_setting():
    with pytest.raises(ConfigError) as caught:
        resolve_endpoint("loki", Environment(name="dev", namespace="dev"), env={})
    assert "environment 'dev' has no loki query URL" in str(caught.value)
    assert 'loki_url = "http://..." under [tool.dashctl.environments.dev.values]' in str(caught.value)
    assert "--loki URL" in str(caught.value)
    with pytest.raises(UsageError, match="only prometheus, loki"):
        resolve_endpoint("influxdb", PROD, env={})
