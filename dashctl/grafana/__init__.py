"""Talking to a running Grafana over its HTTP API: the client that preview uses.

`GrafanaClient` is the entry point; `models` holds what it returns; `transport` sends requests with retries;
`failures` turns Grafana's error answers into `dashctl.errors.GrafanaError` subclasses; `redaction` masks
credentials in every message; `comparison` normalises objects as Grafana does; `cleartext` guards plain http.
"""

from dashctl.grafana.client import GrafanaClient
from dashctl.grafana.models import (
    Dashboard,
    Datasource,
    Folder,
    Health,
    Org,
    RequestCounts,
    RuleGroup,
    SavedDashboard,
    SearchHit,
)
from dashctl.grafana.transport import RetryPolicy, RetryWait

__all__ = [
    "Dashboard",
    "Datasource",
    "Folder",
    "GrafanaClient",
    "Health",
    "Org",
    "RequestCounts",
    "RetryPolicy",
    "RetryWait",
    "RuleGroup",
    "SavedDashboard",
    "SearchHit",
]
