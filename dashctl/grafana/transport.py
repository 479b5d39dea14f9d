"""Sending one request to Grafana: authentication, retries with backoff, counting, and error mapping.

Retried: connection errors, timeouts, 429, 502, 503 and 504, on idempotent requests only: GET, HEAD, PUT and
DELETE by default, and a POST only when the caller marks it safe to repeat (the client marks the dashboard save
with a fixed uid and `overwrite`, spec §7). A request that failed before anything reached the server (connection
refused, connect timeout) is retried whatever its method. The wait doubles from `backoff` seconds, capped at
`max_delay`, and is never shorter than the `Retry-After` the server asked for (also capped). 500 is not retried:
Grafana answers it for errors that repeat (and for SQLite lock contention, which Grafana already retries inside).

Two consequences of replaying a request are handled here: a DELETE whose retry answers 404 succeeded when an
earlier attempt may have reached Grafana (a dropped connection, a timeout, a proxy's 502 or 504: it deleted the
object and its answer was lost), and a non-idempotent request that failed in flight is reported as possibly
applied.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions

from dashctl import __version__
from dashctl.errors import GrafanaError, GrafanaUnavailableError, UsageError
from dashctl.grafana.failures import error_for_response
from dashctl.grafana.models import RequestCounts

__all__ = ["BearerAuth", "RetryPolicy", "Transport", "redact_url"]

_log = logging.getLogger("dashctl.grafana")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Longest stretch of a low-level error's text quoted in a message.
_CAUSE_LIMIT = 200


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer <token>` for a service-account token; the token never shows in repr.

    Set as the session's auth (not as a default header) so that requests does not replace it with ~/.netrc
    credentials, which it does whenever a session has no auth of its own.
    """

    def __init__(self, token: str):
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently transient failures are retried.

    `retries` is the number of attempts after the first, so a request is sent at most `retries + 1` times.
    """

    retries: int = 3
    backoff: float = 0.5
    max_delay: float = 30.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise UsageError(f"retries must be 0 or more, not {self.retries}")
        if self.backoff < 0 or self.max_delay < 0:
            raise UsageError("backoff and max_delay must be 0 or more seconds")

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        wait = self.backoff * 2 ** (retry - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_delay)


class Transport:
    """Sends requests to one Grafana and raises a `GrafanaError` for every answer that is not a success."""

    def __init__(
        self,
        url: str,
        *,
        auth: requests.auth.AuthBase | tuple[str, str] | None,
        secrets: tuple[str, ...] = (),
        verify: bool | str = True,
        timeout: float | tuple[float, float] = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        org_id: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.base_url = url.rstrip("/")
        self._secrets = tuple(secret for secret in secrets if secret)
        self._verify = verify
        self._timeout = timeout
        self._retry = retry
        self._sleep = sleep
        self._session = session or requests.Session()
        self._session.auth = auth
        self._session.headers["User-Agent"] = f"dashctl/{__version__}"
        self._session.headers["Accept"] = "application/json"
        if org_id is not None:
            self._session.headers["X-Grafana-Org-Id"] = str(org_id)
        self._requests = 0
        self._writes = 0
        self._attempts = 0
        self._counting = threading.Lock()  # callers may share one client between threads

    @property
    def counts(self) -> RequestCounts:
        with self._counting:
            return RequestCounts(requests=self._requests, writes=self._writes, attempts=self._attempts)

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> requests.Response:
        """Send `method path` and return the successful response.

        `action` names the operation in error messages ("save dashboard 'cpu'"). `retry` overrides whether the
        request may be repeated after a transient failure; by default only idempotent methods are.
        """
        method = method.upper()
        url = f"{self.base_url}{path}"
        repeatable = method in IDEMPOTENT_METHODS if retry is None else retry
        with self._counting:
            self._requests += 1
            self._writes += method not in READ_METHODS
        attempt = 0
        maybe_applied = False  # whether a failed attempt may still have reached Grafana
        while True:
            attempt += 1
            with self._counting:
                self._attempts += 1
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=headers,
                    timeout=self._timeout,
                    verify=self._verify,
                    allow_redirects=False,
                )
            except requests.exceptions.SSLError as exc:
                raise self._unavailable(f"{action}: TLS failure ({_cause(exc)})", url) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                reason = _describe(exc)
                maybe_applied = maybe_applied or not _nothing_sent(exc)
                if attempt <= self._retry.retries and (repeatable or _nothing_sent(exc)):
                    self._wait(attempt, None, method, path, reason)
                    continue
                if not repeatable and not _nothing_sent(exc):
                    reason += "; the request may have been applied"
                raise self._unavailable(f"{action}: {reason}", url, attempts=attempt) from None
            except requests.RequestException as exc:  # a request that cannot be sent at all, e.g. a bad header
                error = GrafanaError(f"{action}: cannot send the request ({exc})", url=url)
                raise self._scrubbed(error, attempts=attempt) from None
            _log.debug("%s %s -> %s", method, path, response.status_code)
            if response.status_code < 300:
                return response
            if response.status_code < 400:
                # Not followed: a redirected POST becomes a GET, and requests drops the credentials on a new host.
                target = redact_url(response.headers.get("Location") or "an unnamed location")
                error = GrafanaError(
                    f"{action}: Grafana redirects to {target}; use the URL it redirects to",
                    url=url,
                    status=response.status_code,
                )
                raise self._scrubbed(error, attempts=attempt) from None
            if method == "DELETE" and response.status_code == 404 and maybe_applied:
                # An earlier attempt deleted it and its answer was lost: the object is gone, as asked.
                return response
            if repeatable and response.status_code in self._retry.statuses and attempt <= self._retry.retries:
                # A proxy's 502/504 may come after Grafana received the request; 429 and 503 refuse it.
                maybe_applied = maybe_applied or response.status_code in (502, 504)
                self._wait(attempt, _retry_after(response), method, path, f"HTTP {response.status_code}")
                continue
            error = error_for_response(response, action=action, url=url)
            raise self._scrubbed(error, attempts=attempt) from None

    def _wait(self, attempt: int, retry_after: float | None, method: str, path: str, reason: str) -> None:
        delay = self._retry.delay(attempt, retry_after)
        _log.debug("%s %s failed (%s); retry %d in %.2fs", method, path, reason, attempt, delay)
        self._sleep(delay)

    def _unavailable(self, message: str, url: str, *, attempts: int = 1) -> GrafanaError:
        return self._scrubbed(GrafanaUnavailableError(message, url=url), attempts=attempts)

    def _scrubbed(self, error: GrafanaError, *, attempts: int) -> GrafanaError:
        """The error with every credential removed, and the number of attempts when there was more than one."""
        message = error.message
        if attempts > 1:
            message += f" (gave up after {attempts} attempts)"
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return type(error)(message, url=redact_url(error.url or ""), status=error.status)


def redact_url(url: str) -> str:
    """`url` without any `user:password@` part."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from a `Retry-After` header, in either of its forms (delta-seconds or HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _nothing_sent(exc: Exception) -> bool:
    """True when the request failed before reaching the server, so repeating it cannot apply it twice."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "timed out connecting to Grafana"
    if isinstance(exc, requests.Timeout):
        return "timed out waiting for Grafana's answer"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection broke while reading Grafana's answer"
    if _nothing_sent(exc):
        return f"cannot connect to Grafana ({_cause(exc)})"
    return "connection closed without a response"


def _cause(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without the URL and pool details requests adds."""
    reason: object = exc.args[0] if exc.args else exc
    while isinstance(reason, urllib3.exceptions.MaxRetryError) and reason.reason is not None:
        reason = reason.reason
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        text = str(reason)
        return text.split(": ", 1)[-1] if ": " in text else text
    return (str(reason) or type(reason).__name__)[:_CAUSE_LIMIT]

