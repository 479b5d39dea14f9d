"""`GrafanaClient`: the parts of Grafana's HTTP API that dashctl uses (spec: `reference/grafana-api.md`).

One method per operation. `get_*` raises `GrafanaNotFoundError` when the object does not exist; `find_*` returns
None instead, for callers to whom "missing" is an answer. Every failure is a `dashctl.errors.GrafanaError`.

Every write targets a fixed uid, so a write whose outcome is unknown (answered 500, 502 or 504, or its answer lost)
is settled by re-reading that uid: it is sent again only if it did not take (see `dashctl.grafana.transport`). A
folder create or a dashboard save without a uid cannot be settled that way; only `create_folder` with a uid and
`save_dashboard` with a uid are sent by dashctl.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from dashctl.errors import GrafanaError, GrafanaNotFoundError, UsageError
from dashctl.grafana.cleartext import credentials_in_clear, is_loopback
from dashctl.grafana.comparison import comparable_dashboard, comparable_rule_group
from dashctl.grafana.models import (
    Dashboard,
    Datasource,
    Folder,
    Health,
    Org,
    RequestCounts,
    RuleGroup,
    SavedDashboard,
    SearchHit,
)
from dashctl.grafana.redaction import Redactor
from dashctl.grafana.transport import BearerAuth, RetryPolicy, RetryWait, Transport, redact_url

__all__ = ["GrafanaClient"]

_T = TypeVar("_T")

# Grafana's search and folder listings cap a page at 5000; 1000 is their default page size.
_PAGE_SIZE = 1000

# Marks alerting writes as not provisioned, so preview objects stay editable in the UI (spec §6.1).
_NO_PROVENANCE = {"X-Disable-Provenance": "true"}


class GrafanaClient:
    """A client for one Grafana instance and organisation.

    `token` is a service-account token (sent as `Bearer`); `basic_auth` a `(user, password)` pair; a
    `user:password@` in `url` counts as basic auth. Credentials over plain `http://` are refused unless the host is
    loopback or `allow_http` is set. `verify` is True, False or a CA bundle path. `retry` shapes the retries of
    transient failures (see `dashctl.grafana.transport`); `on_wait` hears of every wait before a retry; `sleep`
    and `clock` are how the client waits and tells time, replaceable so tests need not wait.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        verify: bool | str = True,
        timeout: float | tuple[float, float] = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        org_id: int | None = None,
        allow_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[RetryWait], None] | None = None,
        session: requests.Session | None = None,
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"Grafana URL must look like http(s)://host[:port][/subpath], not {redact_url(url)!r}")
        if parts.username is not None:
            if basic_auth is None and token is None:
                basic_auth = (parts.username, parts.password or "")
            host = parts.hostname + (f":{parts.port}" if parts.port else "")
            url = urlunsplit((parts.scheme, host, parts.path, "", ""))
        if token is not None and basic_auth is not None:
            raise UsageError("give Grafana either a token or basic auth, not both")
        if (token is not None or basic_auth is not None) and credentials_in_clear(url):
            if not allow_http and not is_loopback(parts.hostname):
                raise UsageError(
                    f"refusing to send Grafana credentials unencrypted to {redact_url(url)}: use https://, "
                    "or pass --allow-http if the network between here and Grafana is trusted"
                )
        auth: requests.auth.AuthBase | tuple[str, str] | None = None
        if token is not None:
            token = token.strip()  # a token read from a file or a secret often ends in a newline
            if not token or not all("!" <= char <= "~" for char in token):
                raise UsageError("the Grafana token is empty or has spaces or characters a token cannot contain")
            auth, self._auth_kind = BearerAuth(token), "token"
        elif basic_auth is not None:
            user, password = basic_auth
            try:
                f"{user}:{password}".encode("latin-1")  # what HTTP basic auth can carry
            except UnicodeEncodeError:
                raise UsageError("the Grafana user or password has characters basic auth cannot carry") from None
            auth, self._auth_kind = (user, password), "basic"
        else:
            self._auth_kind = "none"
        self._transport = Transport(
            url,
            auth=auth,
            verify=verify,
            timeout=timeout,
            retry=retry,
            org_id=org_id,
            sleep=sleep,
            clock=clock,
            on_wait=on_wait,
            session=session,
        )
        self._transport.redactor = Redactor(
            token=token, basic_auth=basic_auth, cookies=self._transport.cookie_values
        )

    @property
    def url(self) -> str:
        """The base URL of Grafana, without credentials."""
        return self._transport.base_url

    @property
    def on_wait(self) -> Callable[[RetryWait], None] | None:
        """Called before every wait for a retry (the CLI prints it; the library never does)."""
        return self._transport.on_wait

    @on_wait.setter
    def on_wait(self, callback: Callable[[RetryWait], None] | None) -> None:
        self._transport.on_wait = callback

    @property
    def counts(self) -> RequestCounts:
        """How many requests, writes and HTTP attempts this client has made so far."""
        return self._transport.counts

    def __repr__(self) -> str:
        return f"GrafanaClient(url={self.url!r}, auth={self._auth_kind!r})"

    def __enter__(self) -> GrafanaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    # Health and identity

    def health(self) -> Health:
        """`GET /api/health`; needs no credentials. A failing database answers 503 (GrafanaUnavailableError)."""
        return Health.from_json(self._get("/api/health", action="check Grafana's health"))

    def get_org(self) -> Org:
        """`GET /api/org`: the organisation the credentials act in; fails with GrafanaAuthError if they are wrong."""
        return Org.from_json(self._get("/api/org", action="check the credentials"))

    # Folders

    def get_folder(self, uid: str) -> Folder:
        return Folder.from_json(self._get(f"/api/folders/{_segment(uid)}", action=f"get folder {uid!r}"))

    def find_folder(self, uid: str) -> Folder | None:
        return _none_if_missing(lambda: self.get_folder(uid))

    def list_folders(self, *, parent_uid: str | None = None) -> tuple[Folder, ...]:
        """Folders directly under `parent_uid` (the root level when None), every page of them."""
        params = {} if parent_uid is None else {"parentUid": parent_uid}
        hits = self._paged("/api/folders", params, action="list folders")
        return tuple(Folder.from_json(hit) for hit in hits)

    def create_folder(
        self, *, uid: str, title: str, parent_uid: str | None = None, description: str | None = None
    ) -> Folder:
        """`POST /api/folders`. An existing uid is a GrafanaConflictError (409, or 412 on some 12.x builds)."""
        body: dict[str, Any] = {"uid": uid, "title": title}
        if parent_uid:
            body["parentUid"] = parent_uid
        if description is not None:
            body["description"] = description

        def took() -> Folder | None:
            folder = self.find_folder(uid)
            ok = folder is not None and folder.title == title and (folder.parent_uid or None) == (parent_uid or None)
            return folder if ok else None

        return Folder.from_json(self._write("POST", "/api/folders", body, action=f"create folder {uid!r}", took=took))

    def update_folder(self, uid: str, *, title: str, version: int | None = None) -> Folder:
        """`PUT /api/folders/:uid`. With `version`, a stale version is a GrafanaConflictError (412); without,
        the update overwrites whatever is stored. Grafana counts the version up on every update."""
        body: dict[str, Any] = {"title": title}
        if version is None:
            body["overwrite"] = True
        else:
            body["version"] = version

        def took() -> Folder | None:
            folder = self.find_folder(uid)
            moved = version is None or (folder is not None and (folder.version or 0) > version)
            return folder if folder is not None and folder.title == title and moved else None

        answer = self._write("PUT", f"/api/folders/{_segment(uid)}", body, action=f"update folder {uid!r}", took=took)
        return Folder.from_json(answer)

    def delete_folder(self, uid: str, *, force_delete_rules: bool = False) -> None:
        """`DELETE /api/folders/:uid`; Grafana deletes the folder's dashboards and sub-folders with it."""
        params = {"forceDeleteRules": "true"} if force_delete_rules else None
        self._transport.request(
            "DELETE",
            f"/api/folders/{_segment(uid)}",
            params=params,
            action=f"delete folder {uid!r}",
            settle=lambda: self.find_folder(uid) is None,
        )

    # Dashboards

    def get_dashboard(self, uid: str) -> Dashboard:
        answer = self._get(f"/api/dashboards/uid/{_segment(uid)}", action=f"get dashboard {uid!r}")
        return Dashboard.from_json(answer)

    def find_dashboard(self, uid: str) -> Dashboard | None:
        return _none_if_missing(lambda: self.get_dashboard(uid))

    def save_dashboard(
        self,
        model: Mapping[str, Any],
        *,
        folder_uid: str = "",
        overwrite: bool = False,
        message: str | None = None,
    ) -> SavedDashboard:
        """`POST /api/dashboards/db`: create or update the dashboard `model` in folder `folder_uid` ("" = root).

        Without `overwrite`, Grafana compares the model's `version` with the stored one and answers 412
        (GrafanaConflictError) when someone else saved in between. Grafana moves the dashboard to the root when
        `folder_uid` is empty, so always pass the folder it should be in. Every save creates a new version, even
        an identical one: compare with `get_dashboard` first to avoid needless writes.
        """
        uid = str(model.get("uid") or "")
        body: dict[str, Any] = {"dashboard": dict(model), "folderUid": folder_uid, "overwrite": overwrite}
        if message is not None:
            body["message"] = message
        if not uid:  # cannot be settled by re-reading: never repeated after an uncertain failure
            answer = self._send("POST", "/api/dashboards/db", body, action=f"save dashboard titled {model.get('title')!r}")
            return SavedDashboard.from_json(answer)
        wanted = comparable_dashboard(model)

        def took() -> dict[str, Any] | None:
            stored = self.find_dashboard(uid)
            if stored is None or stored.folder_uid != folder_uid or comparable_dashboard(stored.model) != wanted:
                return None
            return {"uid": uid, "version": stored.version, "id": stored.model.get("id"), "url": stored.url,
                    "folderUid": stored.folder_uid}  # fmt: skip

        answer = self._write("POST", "/api/dashboards/db", body, action=f"save dashboard {uid!r}", took=took)
        return SavedDashboard.from_json(answer)

    def delete_dashboard(self, uid: str) -> None:
        self._transport.request(
            "DELETE",
            f"/api/dashboards/uid/{_segment(uid)}",
            action=f"delete dashboard {uid!r}",
            settle=lambda: self.find_dashboard(uid) is None,
        )

    def search_dashboards(
        self,
        *,
        folder_uids: Iterable[str] = (),
        tags: Iterable[str] = (),
        query: str | None = None,
        dashboard_uids: Iterable[str] = (),
    ) -> tuple[SearchHit, ...]:
        """`GET /api/search?type=dash-db`, every page. Tags combine with AND; folder uid "general" is the root.

        Grafana 12's search is eventually consistent: read a dashboard just written with `get_dashboard`.
        """
        params: dict[str, Any] = {"type": "dash-db"}
        for key, values in (("folderUIDs", folder_uids), ("tag", tags), ("dashboardUIDs", dashboard_uids)):
            values = list(values)
            if values:
                params[key] = values
        if query:
            params["query"] = query
        hits = self._paged("/api/search", params, action="search dashboards")
        return tuple(SearchHit.from_json(hit) for hit in hits)

    # Data sources

    def list_datasources(self) -> tuple[Datasource, ...]:
        answer = self._get("/api/datasources", action="list data sources")
        return tuple(Datasource.from_json(item) for item in answer)

    def get_datasource(self, uid: str) -> Datasource:
        answer = self._get(f"/api/datasources/uid/{_segment(uid)}", action=f"get data source {uid!r}")
        return Datasource.from_json(answer)

    def find_datasource(self, uid: str) -> Datasource | None:
        return _none_if_missing(lambda: self.get_datasource(uid))

    # Alerting provisioning

    def get_rule_group(self, folder_uid: str, group: str) -> RuleGroup:
        """`GET /api/v1/provisioning/folder/:folderUid/rule-groups/:group`; rules carry no `provenance` here."""
        answer = self._get(_rule_group_path(folder_uid, group), action=f"get rule group {group!r}")
        return RuleGroup.from_json(answer)

    def find_rule_group(self, folder_uid: str, group: str) -> RuleGroup | None:
        return _none_if_missing(lambda: self.get_rule_group(folder_uid, group))

    def put_rule_group(
        self, folder_uid: str, group: str, *, interval: int, rules: Iterable[Mapping[str, Any]]
    ) -> None:
        """Create or replace a whole rule group: stored rules missing from `rules` are deleted (spec §6.4).

        `interval` is in seconds, a positive multiple of 10. Sent with `X-Disable-Provenance` so the rules stay
        editable in the UI. Grafana rewrites every rule even when nothing changed, so compare with
        `find_rule_group` first; re-read the group to learn the uids Grafana generated for rules without one.
        """
        body = {"interval": interval, "rules": [dict(rule) for rule in rules]}
        wanted = comparable_rule_group(interval, body["rules"])

        def took() -> bool:
            stored = self.find_rule_group(folder_uid, group)
            return stored is not None and comparable_rule_group(stored.interval, stored.rules) == wanted

        self._transport.request(
            "PUT",
            _rule_group_path(folder_uid, group),
            json=body,
            action=f"save rule group {group!r}",
            headers=_NO_PROVENANCE,
            settle=took,
        )

    def delete_rule_group(self, folder_uid: str, group: str) -> None:
        self._transport.request(
            "DELETE",
            _rule_group_path(folder_uid, group),
            action=f"delete rule group {group!r}",
            headers=_NO_PROVENANCE,
            settle=lambda: self.find_rule_group(folder_uid, group) is None,
        )

    def list_alert_rules(self) -> tuple[dict[str, Any], ...]:
        """`GET /api/v1/provisioning/alert-rules`: every rule of the organisation, with its `provenance`."""
        answer = self._get("/api/v1/provisioning/alert-rules", action="list alert rules")
        return tuple(dict(rule) for rule in answer)

    def get_alert_rule(self, uid: str) -> dict[str, Any]:
        """One rule by uid; Grafana answers a missing one with 404 and no body."""
        return dict(self._get(f"/api/v1/provisioning/alert-rules/{_segment(uid)}", action=f"get alert rule {uid!r}"))

    def export_alert_rules(
        self, *, folder_uids: Iterable[str] = (), group: str | None = None, rule_uid: str | None = None
    ) -> dict[str, Any]:
        """`GET /api/v1/provisioning/alert-rules/export` as JSON: Grafana's file-provisioning form
        (`{"apiVersion": 1, "groups": [...]}`, each group with its folder's full path, durations as strings, `$` in
        names, titles and label values doubled as file provisioning wants). Every rule the caller may read, those
        of `folder_uids`, one `group` (with exactly one folder uid) or one `rule_uid`. When nothing matches,
        Grafana answers 404: that is an export without groups here."""
        params: dict[str, Any] = {"format": "json"}
        if rule_uid is not None:
            params["ruleUid"] = rule_uid
        if folder_uids:
            params["folderUid"] = list(folder_uids)
        if group is not None:
            params["group"] = group
        try:
            answer = self._get("/api/v1/provisioning/alert-rules/export", params=params, action="export alert rules")
        except GrafanaNotFoundError:
            return {"apiVersion": 1, "groups": []}
        if not isinstance(answer, dict) or not isinstance(answer.get("groups") or [], list):
            raise GrafanaError("export alert rules: Grafana's answer is not an alerting file export",
                               url=self.url + "/api/v1/provisioning/alert-rules/export")
        return dict(answer)

    # Plumbing

    def _get(self, path: str, *, action: str, params: Mapping[str, Any] | None = None) -> Any:
        return _json(self._transport.request("GET", path, params=params, action=action), action, self.url + path)

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        action: str,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        response = self._transport.request(method, path, json=body, action=action, headers=headers, retry=False)
        assert response is not None  # only a settled write answers None
        return _json(response, action, self.url + path)

    def _write(self, method: str, path: str, body: Any, *, action: str, took: Callable[[], Any]) -> Any:
        """Send a write that targets a fixed uid; `took` re-reads it and returns what it stored, or None if the
        write did not take. Returns Grafana's answer, or `took`'s result when the answer was lost."""
        settled: list[Any] = []

        def settle() -> bool:
            result = took()
            if result is not None:
                settled.append(result)
            return result is not None

        response = self._transport.request(method, path, json=body, action=action, settle=settle)
        if response is None:
            result = settled[-1]
            return result if isinstance(result, dict) else _as_json(result)
        return _json(response, action, self.url + path)

    def _paged(self, path: str, params: Mapping[str, Any], *, action: str) -> list[dict[str, Any]]:
        hits: list[dict[str, Any]] = []
        page = 1
        while True:
            batch = self._get(path, params={**params, "limit": _PAGE_SIZE, "page": page}, action=action)
            hits.extend(batch)
            if len(batch) < _PAGE_SIZE:
                return hits
            page += 1


def _json(response: requests.Response, action: str, url: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise GrafanaError(
            f"{action}: Grafana answered with something that is not JSON", url=url, status=response.status_code
        ) from None


def _as_json(folder: Folder) -> dict[str, Any]:
    """A Folder re-read after a settled write, in the shape of Grafana's answer to the write."""
    return {"uid": folder.uid, "title": folder.title, "id": folder.id, "version": folder.version, "url": folder.url,
            "parentUid": folder.parent_uid}  # fmt: skip


def _none_if_missing(get: Callable[[], _T]) -> _T | None:
    try:
        return get()
    except GrafanaNotFoundError:
        return None


def _segment(value: str) -> str:
    """`value` quoted as one path segment, so a uid or group name with `/` or spaces stays one segment."""
    return quote(value, safe="")


def _rule_group_path(folder_uid: str, group: str) -> str:
    return f"/api/v1/provisioning/folder/{_segment(folder_uid)}/rule-groups/{_segment(group)}"
