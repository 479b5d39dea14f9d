"""What Grafana's HTTP API answers, as typed objects.

Each class mirrors one Grafana response (see `reference/grafana-api.md`); `from_json` reads Grafana's camelCase keys
and tolerates the keys that differ between Grafana 11 and 12. JSON models that dashctl compares or sends back
(a dashboard's model, alert rules) stay plain dicts, copied out of the response so callers own them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Dashboard",
    "Datasource",
    "Folder",
    "Health",
    "Org",
    "RequestCounts",
    "RuleGroup",
    "SavedDashboard",
    "SearchHit",
]


@dataclass(frozen=True, kw_only=True)
class Health:
    """`GET /api/health`: whether Grafana's database answers, and which Grafana build this is."""

    database: str
    version: str | None = None
    commit: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Health:
        return cls(database=str(body.get("database", "")), version=body.get("version"), commit=body.get("commit"))


@dataclass(frozen=True, kw_only=True)
class Org:
    """`GET /api/org`: the organisation the credentials act in."""

    id: int
    name: str

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Org:
        return cls(id=int(body["id"]), name=str(body.get("name", "")))


@dataclass(frozen=True, kw_only=True)
class Folder:
    """A Grafana folder; `parent_uid` is None at the root. `version` guards updates (412 when stale)."""

    uid: str
    title: str
    id: int | None = None
    version: int | None = None
    url: str | None = None
    parent_uid: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Folder:
        return cls(
            uid=str(body["uid"]),
            title=str(body.get("title", "")),
            id=body.get("id"),
            version=body.get("version"),
            url=body.get("url"),
            parent_uid=body.get("parentUid") or None,
        )


@dataclass(frozen=True, kw_only=True)
class Dashboard:
    """A stored dashboard: its JSON `model` as Grafana returns it, and where it lives.

    Grafana writes `id`, `uid` and `version` into the stored model (spec §3.3), so compare models without them.
    `folder_uid` is "" for the root ("General") folder.
    """

    uid: str
    model: dict[str, Any]
    version: int
    folder_uid: str = ""
    url: str | None = None
    provisioned: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Dashboard:
        model = dict(body.get("dashboard") or {})
        meta = dict(body.get("meta") or {})
        return cls(
            uid=str(model.get("uid", "")),
            model=model,
            version=int(meta.get("version", model.get("version", 0)) or 0),
            folder_uid=str(meta.get("folderUid") or ""),
            url=meta.get("url"),
            provisioned=bool(meta.get("provisioned", False)),
            meta=meta,
        )


@dataclass(frozen=True, kw_only=True)
class SavedDashboard:
    """`POST /api/dashboards/db` success: the uid and the version the save created."""

    uid: str
    version: int
    id: int | None = None
    url: str | None = None
    slug: str | None = None
    folder_uid: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> SavedDashboard:
        return cls(
            uid=str(body["uid"]),
            version=int(body["version"]),
            id=body.get("id"),
            url=body.get("url"),
            slug=body.get("slug"),
            folder_uid=body.get("folderUid"),
        )


@dataclass(frozen=True, kw_only=True)
class SearchHit:
    """One `GET /api/search` hit: a dashboard (`dash-db`) or a folder (`dash-folder`)."""

    uid: str
    title: str
    type: str
    id: int | None = None
    url: str | None = None
    folder_uid: str | None = None
    tags: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> SearchHit:
        return cls(
            uid=str(body["uid"]),
            title=str(body.get("title", "")),
            type=str(body.get("type", "")),
            id=body.get("id"),
            url=body.get("url"),
            folder_uid=body.get("folderUid") or None,
            tags=tuple(body.get("tags") or ()),
        )


@dataclass(frozen=True, kw_only=True)
class Datasource:
    """A configured data source; secrets are never returned, only which secure fields are set."""

    uid: str
    name: str
    type: str
    id: int | None = None
    url: str = ""
    access: str = "proxy"
    is_default: bool = False
    read_only: bool = False
    json_data: dict[str, Any] = field(default_factory=dict)
    secure_json_fields: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Datasource:
        secure = body.get("secureJsonFields") or {}
        return cls(
            uid=str(body["uid"]),
            name=str(body.get("name", "")),
            type=str(body.get("type", "")),
            id=body.get("id"),
            url=str(body.get("url") or ""),
            access=str(body.get("access") or "proxy"),
            is_default=bool(body.get("isDefault", False)),
            read_only=bool(body.get("readOnly", False)),
            json_data=dict(body.get("jsonData") or {}),
            secure_json_fields=tuple(sorted(name for name, is_set in secure.items() if is_set)),
        )


@dataclass(frozen=True, kw_only=True)
class RuleGroup:
    """An alerting rule group as the provisioning API returns it.

    `interval` is in seconds (the REST shape; file provisioning uses a duration string). `rules` are the
    `ProvisionedAlertRule` dicts in evaluation order.
    """

    folder_uid: str
    title: str
    interval: int
    rules: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> RuleGroup:
        return cls(
            folder_uid=str(body.get("folderUid", "")),
            title=str(body.get("title", "")),
            interval=int(body.get("interval", 0)),
            rules=tuple(dict(rule) for rule in body.get("rules") or ()),
        )


@dataclass(frozen=True, kw_only=True)
class RequestCounts:
    """What a client has sent so far.

    `requests` counts calls (one per API operation, however many attempts it took), `writes` those calls that
    change something (POST, PUT, DELETE, PATCH), and `attempts` every HTTP request actually sent, retries included.
    Subtract two snapshots to measure one operation, e.g. that a re-run of preview makes zero writes.
    """

    requests: int = 0
    writes: int = 0
    attempts: int = 0

    def __sub__(self, other: RequestCounts) -> RequestCounts:
        return RequestCounts(
            requests=self.requests - other.requests,
            writes=self.writes - other.writes,
            attempts=self.attempts - other.attempts,
        )
