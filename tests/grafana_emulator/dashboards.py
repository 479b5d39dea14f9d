"""Dashboards: the save algorithm of spec §3.2 in order, get with meta (§3.3), delete (§3.4), versions (§3.5)."""

from __future__ import annotations

import copy
from numbers import Real
from typing import Any

from .bodies import Reply, bad_request, legacy, status_message
from .call import Call
from .formats import generate_uid, parse_go_duration, slugify, timestamp, uid_problem
from .state import DashboardRecord, EmulatorState, OrgStore, VersionRecord

_MAX_TITLE = 5000
_MAX_MESSAGE = 500


def post_dashboard(call: Call) -> Reply:
    body = call.json_object()
    if not isinstance(body.get("dashboard"), dict):
        raise bad_request()  # `dashboard` is binding:"Required"
    return Reply(body=save_dashboard(call.state, call.store, body, login=call.login))


def save_dashboard(state: EmulatorState, org: OrgStore, body: dict[str, Any], *, login: str) -> dict[str, Any]:
    """Grafana's save of `{"dashboard", "folderUid", "overwrite", "message"}`; returns the success body."""
    if body.get("isFolder") is True:
        raise legacy(400, "Use folders endpoint for saving folders.", trace=False)
    data = copy.deepcopy(body["dashboard"])
    overwrite = body.get("overwrite") is True

    # 1. Parse: version is read only when an id (a number) or a uid (a string) is present.
    raw_id, raw_uid, raw_version = data.get("id"), data.get("uid"), data.get("version")
    has_id = isinstance(raw_id, Real) and not isinstance(raw_id, bool)
    has_uid = isinstance(raw_uid, str)
    dashboard_id = int(raw_id) if has_id else 0
    uid = raw_uid if has_uid else ""
    if (has_id or has_uid) and isinstance(raw_version, Real) and not isinstance(raw_version, bool):
        version = int(raw_version)
    else:
        version = 0
        data["version"] = 0
    title = data.get("title") if isinstance(data.get("title"), str) else ""

    # 2. Trim and validate.
    title, uid = title.strip(), uid.strip()
    if not title:
        raise status_message(400, "empty-name", "Dashboard title cannot be empty")
    if len(title) > _MAX_TITLE:
        raise status_message(400, "title-too-long", "Dashboard title cannot contain more than 5 000 characters")
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    if len(message) > _MAX_MESSAGE:
        raise legacy(400, "message too long, max 500 characters", trace=False)
    problem = uid_problem(uid)
    if problem:
        raise legacy(400, problem, trace=False)

    # 3. A refresh below the minimum, or unparsable, silently becomes the minimum.
    refresh = data.get("refresh")
    if isinstance(refresh, str) and refresh not in ("", "auto"):
        minimum = state.settings.min_refresh_interval
        try:
            too_short = parse_go_duration(refresh) < parse_go_duration(minimum)
        except ValueError:
            too_short = True
        if too_short:
            data["refresh"] = minimum

    # 4. The target folder must exist ("" is the root; the deprecated folderId is used when folderUid is absent).
    folder_uid = body.get("folderUid") if isinstance(body.get("folderUid"), str) else None
    if folder_uid is None:
        folder_id = body.get("folderId")
        folder_uid = ""
        if isinstance(folder_id, int) and folder_id > 0:
            by_id = [f for f in org.folders.values() if f.id == folder_id]
            if not by_id:
                raise legacy(400, "folder not found", trace=False)
            folder_uid = by_id[0].uid
    if folder_uid and folder_uid not in org.folders:
        raise legacy(400, "folder not found", trace=False)

    # 5. Find the row this save updates.
    existing: DashboardRecord | None = None
    if dashboard_id > 0:
        existing = next((d for d in org.dashboards.values() if d.id == dashboard_id), None)
        if existing is None:
            raise status_message(404, "not-found", "Dashboard not found")
        if not uid:
            uid = existing.uid
    if uid:
        if uid in org.folders:
            raise legacy(400, "Dashboard cannot be changed to a folder", trace=False)
        by_uid = org.dashboards.get(uid)
        if existing is not None and by_uid is not None and by_uid.id != existing.id:
            raise legacy(400, "A dashboard with the same uid already exists", trace=False)
        existing = existing or by_uid
    if existing is not None:
        if version != existing.version:
            if not overwrite:
                raise status_message(
                    412, "version-mismatch", "The dashboard has been changed by someone else"
                )
            version = existing.version
        if existing.plugin_id and not overwrite:
            raise status_message(
                412, "plugin-dashboard", f"The dashboard belongs to plugin {existing.plugin_id}."
            )
    if state.settings.unique_dashboard_titles:
        existing, uid, version = _claim_title(org, title, folder_uid, existing, uid, version, overwrite)

    # 7. Provisioned dashboards whose provider disallows UI updates cannot be saved.
    if existing is not None and existing.provisioned:
        raise legacy(400, "Cannot save provisioned dashboard", trace=False)

    # 8. Persist: every save appends a version row, even when nothing changed.
    now = timestamp()
    if existing is None:
        uid = uid or generate_uid()
        record = DashboardRecord(
            id=state.next_id(), uid=uid, title=title, data={}, version=1, folder_uid=folder_uid,
            created=now, updated=now, created_by=login, updated_by=login,
        )  # fmt: skip
        parent_version = 0
    else:
        record = existing
        parent_version = record.version
        record.version = version + 1
        org.dashboards.pop(record.uid, None)
        record.uid = uid or record.uid
    data.update(id=record.id, uid=record.uid, version=record.version, title=title)
    record.data, record.title, record.folder_uid = data, title, folder_uid
    record.updated, record.updated_by = now, login
    record.versions.append(
        VersionRecord(
            version=record.version, parent_version=parent_version, message=message,
            data=copy.deepcopy(data), created=now, created_by=login,
        )
    )  # fmt: skip
    org.dashboards[record.uid] = record
    slug = slugify(title)
    return {
        "status": "success",
        "id": record.id,
        "uid": record.uid,
        "url": f"/d/{record.uid}/{slug}",
        "slug": slug,
        "version": record.version,
        "folderUid": folder_uid,
    }


def _claim_title(
    org: OrgStore,
    title: str,
    folder_uid: str,
    existing: DashboardRecord | None,
    uid: str,
    version: int,
    overwrite: bool,
) -> tuple[DashboardRecord | None, str, int]:
    """Grafana <= 11.2: one dashboard per slug in a folder; `overwrite` takes the other one over."""
    slug = slugify(title)
    if any(slugify(folder.title) == slug for folder in org.folders.values()):
        raise legacy(400, "Dashboard name cannot be the same as folder", trace=False)
    same = next(
        (
            d
            for d in org.dashboards.values()
            if d.folder_uid == folder_uid and slugify(d.title) == slug and (existing is None or d.id != existing.id)
        ),
        None,
    )
    if same is None:
        return existing, uid, version
    if not overwrite:
        raise status_message(412, "name-exists", "A dashboard with the same name in the folder already exists")
    return same, same.uid, same.version


def get_dashboard(call: Call) -> Reply:
    org = call.store
    record = org.dashboards.get(call.params["uid"])
    if record is None:
        raise legacy(404, "Dashboard not found")
    folder = org.folders.get(record.folder_uid)
    slug = slugify(record.title)
    data = copy.deepcopy(record.data)
    data.update(id=record.id, uid=record.uid, version=record.version)
    meta = {
        "type": "db",
        "canSave": call.identity is not None and call.identity.allows("Editor"),
        "canEdit": call.identity is not None and call.identity.allows("Editor"),
        "canAdmin": call.identity is not None and call.identity.allows("Admin"),
        "canStar": True,
        "canDelete": call.identity is not None and call.identity.allows("Editor"),
        "slug": slug,
        "url": f"/d/{record.uid}/{slug}",
        "expires": "0001-01-01T00:00:00Z",
        "created": record.created,
        "updated": record.updated,
        "updatedBy": record.updated_by,
        "createdBy": record.created_by,
        "version": record.version,
        "hasAcl": False,
        "isFolder": False,
        "folderId": folder.id if folder else 0,
        "folderUid": record.folder_uid,
        "folderTitle": folder.title if folder else "General",
        "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}" if folder else "",
        "provisioned": record.provisioned,
        "provisionedExternalId": "",
        "annotationsPermissions": {
            "dashboard": {"canAdd": True, "canEdit": True, "canDelete": True},
            "organization": {"canAdd": True, "canEdit": True, "canDelete": True},
        },
        "publicDashboardEnabled": False,
        "isStarred": False,
    }
    return Reply(body={"meta": meta, "dashboard": data})


def delete_dashboard(call: Call) -> Reply:
    org, uid = call.store, call.params["uid"]
    if uid in org.folders:
        raise legacy(400, "Use folders endpoint for deleting folders.", trace=False)
    record = org.dashboards.get(uid)
    if record is None:
        raise legacy(404, "Dashboard not found")
    if record.provisioned:
        raise legacy(400, "provisioned dashboard cannot be deleted", trace=False)
    del org.dashboards[uid]
    return Reply(body={"title": record.title, "message": f"Dashboard {record.title} deleted", "uid": uid})


def list_versions(call: Call) -> Reply:
    record = call.store.dashboards.get(call.params["uid"])
    if record is None:
        raise legacy(404, "Dashboard not found")
    limit, start = call.integer("limit", 1000), call.integer("start", 0)
    rows = [
        {
            "id": index + 1,
            "dashboardId": record.id,
            "uid": record.uid,
            "parentVersion": row.parent_version,
            "restoredFrom": 0,
            "version": row.version,
            "created": row.created,
            "createdBy": row.created_by,
            "message": row.message or ("Initial save" if row.parent_version == 0 else ""),
        }
        for index, row in enumerate(record.versions)
    ][::-1][start : start + limit]
    if call.state.settings.version_tuple < (12, 0):
        return Reply(body=rows)
    return Reply(body={"continueToken": "", "versions": rows})


def list_tags(call: Call) -> Reply:
    counts: dict[str, int] = {}
    for record in call.store.dashboards.values():
        for tag in set(record.tags):
            counts[tag] = counts.get(tag, 0) + 1
    return Reply(body=[{"term": tag, "count": count} for tag, count in sorted(counts.items())])
