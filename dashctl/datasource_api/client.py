"""GET requests to Prometheus' and Loki's HTTP APIs: one code path for both, since Loki's query API answers in
Prometheus' envelope (`{"status": "success", "data": ...}`; pkg/util/marshal/query.go in grafana/loki).

Every request is a read, so transient failures (connection errors, timeouts, 429, 500, 502, 503, 504) are retried
with the backoff of the Grafana client (`dashctl.grafana.transport.RetryPolicy`), honouring `Retry-After`. A
query the server rejects (400, 422: bad PromQL or LogQL, too many points) is a `QueryRejected`, which a backtest records as an evaluation error, as Grafana would; a server
that cannot be reached, or refuses the credentials, is a `DatasourceError` (exit 4). No message carries a
credential.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from dashctl import __version__
from dashctl.datasource_api.endpoint import Endpoint
from dashctl.errors import DatasourceError
from dashctl.grafana.transport import BearerAuth, RetryPolicy, redact_url

__all__ = ["DatasourceClient", "QueryRejected", "RETRY"]

_TEXT_LIMIT = 300
RETRY = RetryPolicy(retries=4, statuses=frozenset({429, 500, 502, 503, 504}))


class QueryRejected(Exception):
    """The server understood the request and refused the query (HTTP 400/422): its own message."""


class DatasourceClient:
    """Reads JSON from one datasource API; `requests` counts the requests sent (retries not included)."""

    def __init__(self, endpoint: Endpoint, *, timeout: float = 60.0, retry: RetryPolicy = RETRY,
                 sleep: Callable[[float], None] = time.sleep):
        self.endpoint = endpoint
        self._timeout = timeout
        self._retry = retry
        self._sleep = sleep
        self._session = requests.Session()
        self._session.auth = BearerAuth(endpoint.token) if endpoint.token else endpoint.basic
        self._session.headers.update({"User-Agent": f"dashctl/{__version__}", "Accept": "application/json",
                                      **endpoint.headers})
        self.requests = 0

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> DatasourceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, Any] | list[tuple[str, Any]]) -> Any:
        """The `data` member of a successful answer to GET `path`."""
        url = f"{self.endpoint.url}{path}"
        shown = redact_url(url)
        self.requests += 1
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.get(url, params=params, timeout=self._timeout, allow_redirects=False)
            except requests.RequestException as exc:
                if attempt <= self._retry.retries:
                    self._sleep(self._retry.delay(attempt))
                    continue
                reason = "timed out" if isinstance(exc, requests.Timeout) else "the connection failed" \
                    if isinstance(exc, requests.ConnectionError) else type(exc).__name__
                raise self._error(f"cannot reach {self.endpoint.kind} at {shown}: {reason}"
                                  f" (gave up after {attempt} attempts)") from None
            status = response.status_code
            if status in self._retry.statuses and attempt <= self._retry.retries:
                self._sleep(self._retry.delay(attempt, _seconds(response.headers.get("Retry-After"))))
                continue
            if status in (400, 422):
                raise QueryRejected(self._scrub(_message(response)))
            if status in (401, 403):
                raise self._error(f"{self.endpoint.kind} at {shown} refused the credentials (HTTP {status}): "
                                  f"set DASHCTL_{self.endpoint.kind.upper()}_TOKEN, or _USER and _PASSWORD")
            if status >= 300:
                raise self._error(f"{self.endpoint.kind} at {shown} answered HTTP {status}: {_message(response)}")
            try:
                body = response.json()
            except ValueError:
                raise self._error(f"{self.endpoint.kind} at {shown} answered something that is not JSON") from None
            if not isinstance(body, dict) or body.get("status") != "success":
                raise QueryRejected(self._scrub(_message(response)))
            return body.get("data")

    def _scrub(self, text: str) -> str:
        for secret in self.endpoint.secrets:
            text = text.replace(secret, "***")
        return text

    def _error(self, message: str) -> DatasourceError:
        return DatasourceError(self._scrub(message))


def _message(response: requests.Response) -> str:
    """The server's own words: Prometheus' `error` member, a JSON `message`, or Loki's plain-text body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key][:_TEXT_LIMIT]
    text = response.text.strip()
    return text.splitlines()[0][:_TEXT_LIMIT] if text and not text.startswith("<") else f"HTTP {response.status_code}"


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
