"""What the emulated Grafana holds: settings, identities and one store per organisation."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from .bodies import errutil

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_TOKEN",
    "DEFAULT_USER",
    "DashboardRecord",
    "DatasourceRecord",
    "EmulatorState",
    "FolderRecord",
    "GroupRecord",
    "Identity",
    "OrgStore",
    "ROLES",
    "Settings",
    "VersionRecord",
]

ROLES = ("Viewer", "Editor", "Admin")

# A service-account token in Grafana's format: glsa_<32 characters>_<8 hex digits of a crc32>.
DEFAULT_TOKEN = "glsa_EmulatorAdminToken0123456789abcd_1a2b3c4d"
DEFAULT_USER = "admin"
DEFAULT_PASSWORD = "admin"


@dataclass(frozen=True, kw_only=True)
class Identity:
    """Who a credential is: a login, a basic role, the organisation it belongs to.

    A service-account token works in `org_id` only; a user also in `other_orgs`. `token_state` is "active",
    "expired" or "revoked" (tokens only).
    """

    login: str
    role: str = "Admin"
    org_id: int = 1
    other_orgs: frozenset[int] = frozenset()
    token_state: str = "active"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}")

    def allows(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(kw_only=True)
class Settings:
    """How the emulated Grafana is configured. `version` selects version-dependent behaviour."""

    version: str = "12.0.1"
    commit: str = "emulator"
    min_refresh_interval: str = "5s"
    database_ok: bool = True
    tokens: dict[str, Identity] = field(
        default_factory=lambda: {DEFAULT_TOKEN: Identity(login="sa-dashctl", role="Admin")}
    )
    users: dict[str, tuple[str, Identity]] = field(
        default_factory=lambda: {DEFAULT_USER: (DEFAULT_PASSWORD, Identity(login=DEFAULT_USER, role="Admin"))}
    )

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("-")[0].split(".")[:3])

    @property
    def unique_dashboard_titles(self) -> bool:
        """Grafana up to 11.2 rejected a second dashboard or folder with the same name (grafana/grafana#90687)."""
        return self.version_tuple < (11, 3)

    @property
    def unique_rule_titles(self) -> bool:
        """Grafana up to 11.x rejected two alert rules with one title in a folder (grafana/grafana#102067)."""
        return self.version_tuple < (12, 0)


@dataclass(kw_only=True)
class VersionRecord:
    version: int
    parent_version: int
    message: str
    data: dict[str, Any]
    created: str
    created_by: str


@dataclass(kw_only=True)
class DashboardRecord:
    id: int
    uid: str
    title: str
    data: dict[str, Any]
    version: int
    folder_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    provisioned: bool = False
    plugin_id: str = ""
    versions: list[VersionRecord] = field(default_factory=list)

    @property
    def tags(self) -> list[str]:
        tags = self.data.get("tags")
        return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


@dataclass(kw_only=True)
class FolderRecord:
    id: int
    uid: str
    title: str
    description: str
    parent_uid: str
    version: int
    created: str
    updated: str
    created_by: str
    updated_by: str


@dataclass(kw_only=True)
class DatasourceRecord:
    id: int
    uid: str
    name: str
    type: str
    url: str = ""
    access: str = "proxy"
    is_default: bool = False
    read_only: bool = False
    json_data: dict[str, Any] = field(default_factory=dict)
    secure_fields: tuple[str, ...] = ()
    basic_auth: bool = False
    basic_auth_user: str = ""
    user: str = ""
    database: str = ""
    with_credentials: bool = False
    version: int = 1


@dataclass(kw_only=True)
class GroupRecord:
    """A rule group: its evaluation interval in seconds and its rules' uids in evaluation order."""

    folder_uid: str
    title: str
    interval: int
    rule_uids: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class OrgStore:
    """Everything one organisation holds. Dashboards and folders share one id sequence, as in Grafana's table."""

    id: int
    name: str
    folders: dict[str, FolderRecord] = field(default_factory=dict)
    dashboards: dict[str, DashboardRecord] = field(default_factory=dict)
    datasources: dict[str, DatasourceRecord] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[tuple[str, str], GroupRecord] = field(default_factory=dict)

    def folder_ancestors(self, uid: str) -> list[FolderRecord]:
        """The folders above `uid`, root first."""
        chain: list[FolderRecord] = []
        parent = self.folders[uid].parent_uid if uid in self.folders else ""
        while parent and parent in self.folders and len(chain) < 64:
            chain.insert(0, self.folders[parent])
            parent = self.folders[parent].parent_uid
        return chain

    def folder_descendants(self, uid: str) -> list[str]:
        """`uid` and every folder below it."""
        found = [uid]
        for current in found:
            found.extend(f.uid for f in self.folders.values() if f.parent_uid == current and f.uid not in found)
        return found


class EmulatorState:
    """All organisations, with the lock that serialises every request (Grafana's SQLite does the same)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self.orgs: dict[int, OrgStore] = {1: OrgStore(id=1, name="Main Org.")}
        self._ids = itertools.count(1)
        self.internal_errors: list[str] = []

    def next_id(self) -> int:
        return next(self._ids)

    def org(self, org_id: int) -> OrgStore:
        if org_id not in self.orgs:
            raise errutil(404, "org.notFound", "Organization not found")
        return self.orgs[org_id]
