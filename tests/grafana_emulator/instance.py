"""The instance itself: `/api/health`, `/healthz` and the `/api/org` probe (spec §2)."""

from __future__ import annotations

from typing import Any

from .bodies import Reply
from .call import Call


def get_health(call: Call) -> Reply:
    settings = call.state.settings
    body: dict[str, Any] = {"database": "ok" if settings.database_ok else "failing"}
    body.update(version=settings.version, commit=settings.commit)
    return Reply(
        status=200 if settings.database_ok else 503,
        body=body,
        pretty=True,
        content_type="application/json; charset=UTF-8",
    )


def get_healthz(call: Call) -> Reply:
    return Reply(raw=b"Ok", content_type="text/plain; charset=utf-8")


def get_org(call: Call) -> Reply:
    org = call.store
    address = {"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""}
    return Reply(body={"id": org.id, "name": org.name, "address": address})
