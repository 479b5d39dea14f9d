"""The Prometheus that the live rules' tests ask: the session's real one (tests/live_prometheus.py)."""

from __future__ import annotations

import pytest

from dashctl.datasource_api import DatasourceClient, Endpoint
from dashctl.lint.live import PrometheusInventory


@pytest.fixture
def inventories(live_prometheus):
    """dev and prod both asking the loopback Prometheus, as `--prometheus URL` makes them."""
    with DatasourceClient(Endpoint(kind="prometheus", url=live_prometheus.url)) as client:
        inventory = PrometheusInventory(client=client)
        yield {"dev": inventory, "prod": inventory}
