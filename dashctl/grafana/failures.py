"""Turning a failed Grafana answer into a `GrafanaError`.

Grafana answers errors in five body shapes (spec §1.2): legacy `{"message","traceID"}`, dashboard/folder
`{"status","message"}`, errutil `{"message","messageId","statusCode"}`, RBAC `{"title","message","accessErrorId"}`,
and no body at all (alerting provisioning 404). Only the status is reliable across versions; the message is shown
to the user as Grafana wrote it, with the machine-readable code in brackets when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import requests

from dashctl.grafana.redaction import shorten
from dashctl.errors import (
    GrafanaAuthError,
    GrafanaConflictError,
    GrafanaError,
    GrafanaNotFoundError,
    GrafanaUnavailableError,
)

__all__ = ["error_for_response", "error_for_status", "grafana_message"]

# Longest stretch of a non-JSON body (a proxy's HTML page, say) quoted in an error.
_TEXT_LIMIT = 200


def _unchanged(text: str) -> str:
    return text


def grafana_message(response: requests.Response, *, redact: Callable[[str], str] = _unchanged) -> str:
    """Grafana's own message from any of the five error body shapes, else the HTTP reason phrase.

    `redact` masks credentials; it runs before any cut, so a credential straddling the cut cannot leak in part.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message:
            title = body.get("title")
            if isinstance(title, str) and title:  # shape D, RBAC deny
                message = f"{title}: {message}"
            code = body.get("messageId") or body.get("status")
            if isinstance(code, str) and code:  # shapes B and C
                message = f"{message} [{code}]"
            return redact(message)
    text = redact(response.text).strip() if body is None else ""
    if text and not text.startswith("<"):
        return shorten(text.splitlines()[0], _TEXT_LIMIT)
    return _reason(response.status_code)


def error_for_status(status: int, message: str, *, url: str) -> GrafanaError:
    """The `GrafanaError` subclass that a status code means to a caller."""
    if status in (401, 403):
        return GrafanaAuthError(message, url=url, status=status)
    if status == 404:
        return GrafanaNotFoundError(message, url=url, status=status)
    if status in (409, 412):
        return GrafanaConflictError(message, url=url, status=status)
    if status == 429 or status >= 500:
        return GrafanaUnavailableError(message, url=url, status=status)
    return GrafanaError(message, url=url, status=status)


def error_for_response(
    response: requests.Response, *, action: str, url: str, redact: Callable[[str], str] = _unchanged
) -> GrafanaError:
    """The error for a failed answer to `action` (for example "get dashboard 'cpu'")."""
    return error_for_status(response.status_code, f"{action}: {grafana_message(response, redact=redact)}", url=url)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
