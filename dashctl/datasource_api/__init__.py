"""Reading Prometheus' and Loki's HTTP APIs: endpoints from the configuration, GET with retries, chunked ranges.

    endpoint.py   resolve_endpoint: URL from `prometheus_url` / `loki_url` or a flag, credentials from the environment
    client.py     DatasourceClient.get: the `data` of an answer; QueryRejected for a refused query
    ranges.py     query_range: a long window in chunks under the servers' 11,000-point limit
"""

from dashctl.datasource_api.client import DatasourceClient, QueryRejected
from dashctl.datasource_api.endpoint import KINDS, Endpoint, resolve_endpoint
from dashctl.datasource_api.ranges import MAX_POINTS, Matrix, labels_key, query_range

__all__ = [
    "DatasourceClient",
    "Endpoint",
    "KINDS",
    "MAX_POINTS",
    "Matrix",
    "QueryRejected",
    "labels_key",
    "query_range",
    "resolve_endpoint",
]
