"""One request as a handler sees it: path parameters, query, parsed body, caller and organisation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .bodies import bad_request
from .state import EmulatorState, Identity, OrgStore


@dataclass(frozen=True, kw_only=True)
class Call:
    method: str
    path: str
    params: Mapping[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    raw_body: bytes
    state: EmulatorState
    identity: Identity | None = None
    org: OrgStore | None = None

    @property
    def store(self) -> OrgStore:
        assert self.org is not None, "route needs authentication"
        return self.org

    @property
    def login(self) -> str:
        return self.identity.login if self.identity else "Anonymous"

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; 400 "bad request data" when it is not one (spec §1.1)."""
        try:
            body = json.loads(self.raw_body or b"null")
        except ValueError:
            raise bad_request() from None
        if not isinstance(body, dict):
            raise bad_request()
        return body

    def first(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return [value for value in self.query.get(name, []) if value != ""]

    def flag(self, name: str) -> bool:
        return (self.first(name) or "").lower() == "true"

    def integer(self, name: str, default: int) -> int:
        raw = self.first(name)
        try:
            return int(raw) if raw else default
        except ValueError:
            raise bad_request() from None

    def header_present(self, name: str) -> bool:
        return self.headers.get(name) is not None
