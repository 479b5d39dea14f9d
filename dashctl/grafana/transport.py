"""Sending one request to Grafana: authentication, retries within a time budget, counting, and error mapping.

What is retried (issue 9.9; Grafana's own Go client retries 429 and every 5xx, spec §7):
- any request whose connection failed before it was sent (refused, connect timeout), and any request answered
  429 or 503: Grafana, or the proxy in front of it, refused it without acting;
- every read (GET, HEAD) on 500, 502 and 504, a dropped connection or a read timeout as well;
- a write whose outcome is unknown (answered 500, 502 or 504, or its answer lost) is *settled*: the caller's
  `settle` re-reads the object the write targets (every write dashctl sends has a fixed uid) and the write is sent
  again only if it did not take; without a `settle`, an idempotent write (PUT, DELETE, or a POST the caller marks
  repeatable) is sent again, and any other is reported as possibly applied.

Retries stop when the request's time budget (`RetryPolicy.budget`, wall time since its first attempt) would be
exceeded by the next wait. Waits double from `backoff` up to `max_delay`, with jitter so that concurrent requests
do not retry in step, and are never shorter than the `Retry-After` the server asked for; a `Retry-After` longer
than the budget left ends the retries at once, saying so. Every wait is reported to `on_wait` before it starts
(the CLI prints it); the library never prints.

A DELETE whose retry answers 404 succeeded when an earlier attempt may have reached Grafana: it deleted the object
and its answer was lost.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import requests.adapters
import urllib3.exceptions

from dashctl import __version__
from dashctl.errors import GrafanaError, GrafanaUnavailableError, UsageError
from dashctl.grafana.failures import error_for_response
from dashctl.grafana.models import RequestCounts
from dashctl.grafana.redaction import Redactor, shorten

__all__ = ["BearerAuth", "RetryPolicy", "RetryWait", "Transport", "redact_url"]

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
    """How long and how patiently transient failures are retried.

    `budget` is the wall time, in seconds, a request may spend on retries; `max_attempts` optionally caps the
    attempts too (None: as many as the budget allows). `jitter` is the fraction of each wait drawn at random.
    """

    budget: float = 60.0
    backoff: float = 0.5
    max_delay: float = 10.0
    jitter: float = 0.5
    max_attempts: int | None = None
    # For callers that count retries instead of spending a budget (dashctl.datasource_api): attempts after the
    # first, and the statuses they retry. The Grafana transport ignores both.
    retries: int = 3
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.budget < 0 or self.backoff < 0 or self.max_delay < 0:
            raise UsageError("the retry budget, backoff and max_delay must be 0 or more seconds")
        if not 0 <= self.jitter <= 1:
            raise UsageError(f"retry jitter must be between 0 and 1, not {self.jitter}")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise UsageError(f"max_attempts must be 1 or more, not {self.max_attempts}")

    def delay(self, retry: int, retry_after: float | None = None, *, draw: Callable[[], float] = lambda: 0.0) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry); `draw` gives a number in [0, 1)
        (the transport passes a random one; without it the wait is the longest the jitter allows)."""
        wait = min(self.backoff * 2 ** min(retry - 1, 32), self.max_delay)
        wait *= 1 - self.jitter * draw()
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait


@dataclass(frozen=True, kw_only=True)
class RetryWait:
    """A wait before a retry, reported to the `on_wait` callback: what failed, how, and for how long it waits."""

    action: str
    reason: str
    attempt: int  # the attempt that failed, 1 for the first
    delay: float

    def __str__(self) -> str:
        return f"{self.action}: {self.reason}; retrying in {self.delay:.1f}s (attempt {self.attempt + 1})"


class _Outcome(Exception):
    """Internal: an attempt failed in a way the retry loop decides about."""

    def __init__(self, reason: str, *, sent: bool, response: requests.Response | None = None):
        super().__init__(reason)
        self.reason = reason
        self.sent = sent  # whether the request may have reached Grafana
        self.response = response


# Answers that say the request was refused without being acted on.
_REFUSED = frozenset({429, 503})
# Answers after which a write may or may not have taken effect.
_UNCERTAIN = frozenset({500, 502, 504})


class Transport:
    """Sends requests to one Grafana and raises a `GrafanaError` for every answer that is not a success."""

    def __init__(
        self,
        url: str,
        *,
        auth: requests.auth.AuthBase | tuple[str, str] | None,
        redactor: Redactor | None = None,
        verify: bool | str = True,
        timeout: float | tuple[float, float] = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        org_id: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[RetryWait], None] | None = None,
        session: requests.Session | None = None,
        pool_size: int = 16,
    ):
        self.base_url = url.rstrip("/")
        self._verify = verify
        self._timeout = timeout
        self._retry = retry
        self._sleep = sleep
        self._clock = clock
        self.on_wait = on_wait
        self._draw = random.Random().random
        if session is None:
            session = requests.Session()
            # Reads run concurrently (preview): one pooled connection per thread instead of requests' 10.
            adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=pool_size)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self._session = session
        self._session.auth = auth
        self._session.headers["User-Agent"] = f"dashctl/{__version__}"
        self._session.headers["Accept"] = "application/json"
        if org_id is not None:
            self._session.headers["X-Grafana-Org-Id"] = str(org_id)
        # Replaced by the client, which knows the credentials; masks at least cookies and credential-shaped text.
        self.redactor = redactor or Redactor(cookies=self.cookie_values)
        self._requests = 0
        self._writes = 0
        self._attempts = 0
        self._counting = threading.Lock()  # callers share one client between threads

    def cookie_values(self) -> list[str]:
        """The values of the cookies the session holds (Grafana's session cookie is a credential)."""
        return [cookie.value for cookie in list(self._session.cookies) if cookie.value]

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
        settle: Callable[[], bool] | None = None,
    ) -> requests.Response | None:
        """Send `method path` and return the successful response, or None when a write was settled.

        `action` names the operation in error messages ("save dashboard 'cpu'"). `retry` overrides whether the
        request may be repeated blindly after an uncertain failure; by default only idempotent methods are.
        `settle`, for a write, re-reads what the write targets and says whether it took: a write whose outcome is
        unknown is settled by it (None is returned when it took) and re-sent only when it did not.
        """
        method = method.upper()
        url = f"{self.base_url}{path}"
        read = method in READ_METHODS
        repeatable = method in IDEMPOTENT_METHODS if retry is None else retry
        with self._counting:
            self._requests += 1
            self._writes += not read
        started = self._clock()
        waited = 0.0
        attempt = 0
        maybe_applied = False  # whether a failed attempt may still have reached Grafana
        while True:
            attempt += 1
            with self._counting:
                self._attempts += 1
            try:
                response = self._attempt(method, url, params=params, json=json, headers=headers, action=action)
            except _Outcome as outcome:
                retry_after = None
                response_status = None if outcome.response is None else outcome.response.status_code
                if response_status == 404:  # only a DELETE's 404 comes here
                    if maybe_applied:
                        # An earlier attempt deleted it and its answer was lost: the object is gone, as asked.
                        return outcome.response
                    raise self._final(outcome, action, url, attempt, possibly_applied=False) from None
                if outcome.response is not None:
                    retry_after = _retry_after(outcome.response)
                refused = not outcome.sent or response_status in _REFUSED
                if not refused:
                    maybe_applied = maybe_applied or not read
                    if not read and settle is not None:
                        if settle():
                            return None
                    elif not read and not repeatable:
                        raise self._final(outcome, action, url, attempt, possibly_applied=True) from None
                # Decide whether there is time for another attempt.
                spent = max(self._clock() - started, waited)
                delay = self._retry.delay(attempt, retry_after, draw=self._draw)
                cap = self._retry.max_attempts
                if cap is not None and attempt >= cap:
                    raise self._final(outcome, action, url, attempt, possibly_applied=maybe_applied) from None
                if spent + delay > self._retry.budget:
                    extra = ""
                    if retry_after is not None and retry_after + spent > self._retry.budget:
                        extra = f"; Grafana asked to retry after {retry_after:.0f}s, beyond the retry budget"
                    raise self._final(
                        outcome, action, url, attempt, possibly_applied=maybe_applied, extra=extra
                    ) from None
                wait = RetryWait(action=action, reason=outcome.reason, attempt=attempt, delay=delay)
                _log.debug("%s %s: %s", method, path, wait)
                if self.on_wait is not None:
                    self.on_wait(wait)
                self._sleep(delay)
                waited += delay
                continue
            return response

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        action: str,
    ) -> requests.Response:
        """One HTTP exchange: the response on success, `_Outcome` for what may be retried, GrafanaError otherwise."""
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
            raise self._unavailable(f"{action}: TLS failure ({self._cause(exc)})", url) from None
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Outcome(self._describe(exc), sent=not _nothing_sent(exc)) from None
        except requests.RequestException as exc:  # a request that cannot be sent at all, e.g. a bad header
            raise self._scrubbed(GrafanaError(f"{action}: cannot send the request ({exc})", url=url)) from None
        _log.debug("%s %s -> %s", method, urlsplit(url).path, response.status_code)
        status = response.status_code
        if status < 300:
            return response
        if status < 400:
            # Not followed: a redirected POST becomes a GET, and requests drops the credentials on a new host.
            target = redact_url(response.headers.get("Location") or "an unnamed location")
            error = GrafanaError(
                f"{action}: Grafana redirects to {target}; use the URL it redirects to", url=url, status=status
            )
            raise self._scrubbed(error) from None
        if status in _REFUSED or status in _UNCERTAIN or (status == 404 and method == "DELETE"):
            raise _Outcome(f"HTTP {status}", sent=status not in _REFUSED, response=response)
        raise self._scrubbed(error_for_response(response, action=action, url=url, redact=self.redactor)) from None

    def _final(
        self,
        outcome: _Outcome,
        action: str,
        url: str,
        attempts: int,
        *,
        possibly_applied: bool,
        extra: str = "",
    ) -> GrafanaError:
        """The error that ends the retries of `action`."""
        if outcome.response is not None:
            error = error_for_response(outcome.response, action=action, url=url, redact=self.redactor)
            message = error.message
        else:
            error = GrafanaUnavailableError("", url=url)
            message = f"{action}: {outcome.reason}"
        if possibly_applied and outcome.sent:
            message += "; the request may have been applied"
        return self._scrubbed(type(error)(message + extra, url=url, status=error.status), attempts=attempts)

    def _unavailable(self, message: str, url: str) -> GrafanaError:
        return self._scrubbed(GrafanaUnavailableError(message, url=url))

    def _scrubbed(self, error: GrafanaError, *, attempts: int = 1) -> GrafanaError:
        """The error with every credential masked, and the number of attempts when there was more than one."""
        message = error.message
        if attempts > 1:
            message += f" (gave up after {attempts} attempts)"
        return type(error)(self.redactor(message), url=redact_url(error.url or ""), status=error.status)

    def _describe(self, exc: Exception) -> str:
        if isinstance(exc, requests.ConnectTimeout):
            return "timed out connecting to Grafana"
        if isinstance(exc, requests.Timeout):
            return "timed out waiting for Grafana's answer"
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return "connection broke while reading Grafana's answer"
        if _nothing_sent(exc):
            return f"cannot connect to Grafana ({self._cause(exc)})"
        return "connection closed without a response"

    def _cause(self, exc: BaseException) -> str:
        """The innermost reason of a requests/urllib3 error, masked, then cut: without the URL and pool details."""
        reason: object = exc.args[0] if exc.args else exc
        while isinstance(reason, urllib3.exceptions.MaxRetryError) and reason.reason is not None:
            reason = reason.reason
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            text = str(reason)
            return self.redactor(text.split(": ", 1)[-1] if ": " in text else text)
        return shorten(self.redactor(str(reason) or type(reason).__name__), _CAUSE_LIMIT)


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

