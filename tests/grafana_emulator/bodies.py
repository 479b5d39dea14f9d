"""The answers the emulator sends, and Grafana's five error body shapes (spec §1.2)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiError", "Reply", "bad_request", "empty", "errutil", "legacy", "rbac_denied", "status_message"]


@dataclass(frozen=True, kw_only=True)
class Reply:
    """One HTTP answer: a JSON body (or raw bytes, or nothing), a status and extra headers."""

    status: int = 200
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    pretty: bool = False


class ApiError(Exception):
    """Raised by handlers (and by seeding helpers) to answer with an error `Reply`."""

    def __init__(self, reply: Reply):
        super().__init__(f"HTTP {reply.status}: {reply.body!r}")
        self.reply = reply


def legacy(status: int, message: str, *, trace: bool = True) -> ApiError:
    """Shape A, `response.Error`: `traceID` only when Grafana attached an internal error."""
    body: dict[str, Any] = {"message": message}
    if trace:
        body["traceID"] = ""
    return ApiError(Reply(status=status, body=body))


def status_message(status: int, code: str, message: str) -> ApiError:
    """Shape B, dashboard and folder errors with a status code string."""
    return ApiError(Reply(status=status, body={"status": code, "message": message}))


def errutil(status: int, message_id: str, message: str, *, extra_null: bool = False) -> ApiError:
    """Shape C; the auth middleware writes `"extra": null`, handlers omit it."""
    body: dict[str, Any] = {"message": message, "messageId": message_id, "statusCode": status, "traceID": ""}
    if extra_null:
        body["extra"] = None
    return ApiError(Reply(status=status, body=dict(sorted(body.items()))))


def rbac_denied(permission: str) -> ApiError:
    """Shape D, the access-control middleware's 403."""
    return ApiError(
        Reply(
            status=403,
            body={
                "title": "Access denied",
                "message": "You'll need additional permissions to perform this action. "
                f"Permissions needed: {permission}",
                "accessErrorId": f"ACE{random.randrange(10**10):010d}",
            },
        )
    )


def empty(status: int) -> ApiError:
    """Shape E, no body at all (alerting provisioning 404)."""
    return ApiError(Reply(status=status, raw=b""))


def bad_request() -> ApiError:
    """What every handler answers when the body does not bind (spec §1.1)."""
    return legacy(400, "bad request data")
