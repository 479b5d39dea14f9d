"""Folders (spec §4): nested up to 4 ancestors, 409 on a taken uid, 412 on a stale version, cascading delete."""

from __future__ import annotations

from typing import Any

from .bodies import Reply, legacy, status_message
from .call import Call
from .formats import generate_uid, slugify, timestamp, uid_problem
from .state import EmulatorState, FolderRecord, OrgStore

MAX_ANCESTORS = 4


def folder_json(org: OrgStore, record: FolderRecord, *, can_edit: bool = True) -> dict[str, Any]:
    """The Folder DTO; `parentUid` and `parents` only for nested folders."""
    body: dict[str, Any] = {
        "id": record.id,
        "uid": record.uid,
        "orgId": org.id,
        "title": record.title,
        "url": f"/dashboards/f/{record.uid}/{slugify(record.title)}",
        "hasAcl": False,
        "canSave": can_edit,
        "canEdit": can_edit,
        "canAdmin": can_edit,
        "canDelete": can_edit,
        "createdBy": record.created_by,
        "created": record.created,
        "updatedBy": record.updated_by,
        "updated": record.updated,
        "version": record.version,
    }
    if record.description:
        body["description"] = record.description
    if record.parent_uid:
        body["parentUid"] = record.parent_uid
        body["parents"] = [folder_json(org, parent, can_edit=can_edit) for parent in org.folder_ancestors(record.uid)]
    return body


def create_folder(
    state: EmulatorState,
    org: OrgStore,
    *,
    uid: str,
    title: str,
    parent_uid: str = "",
    description: str = "",
    login: str,
) -> FolderRecord:
    if not title.strip():
        raise legacy(400, "folder title cannot be empty", trace=False)
    problem = uid_problem(uid)
    if problem:
        raise legacy(400, problem, trace=False)
    if title.strip().lower() == "general":
        raise legacy(400, "A folder with that name already exists", trace=False)
    if parent_uid:
        if parent_uid not in org.folders:
            raise _not_found()
        if len(org.folder_ancestors(parent_uid)) >= MAX_ANCESTORS:
            raise legacy(400, "[folder.maximum-depth-reached] Maximum nested folder depth reached")
    if uid and (uid in org.folders or uid in org.dashboards):
        raise legacy(409, "a folder/dashboard with the same uid already exists")
    _check_title_free(state, org, title, parent_uid, None)
    now = timestamp()
    record = FolderRecord(
        id=state.next_id(), uid=uid or generate_uid(), title=title, description=description,
        parent_uid=parent_uid, version=1, created=now, updated=now, created_by=login, updated_by=login,
    )  # fmt: skip
    org.folders[record.uid] = record
    return record


def _check_title_free(
    state: EmulatorState, org: OrgStore, title: str, parent_uid: str, own_uid: str | None
) -> None:
    """Grafana <= 11.2 refused a second folder with one title in the same parent."""
    if not state.settings.unique_dashboard_titles:
        return
    for other in org.folders.values():
        if other.uid != own_uid and other.parent_uid == parent_uid and other.title.lower() == title.lower():
            raise legacy(409, "a folder or dashboard in the general folder with the same name already exists")


def _not_found() -> Exception:
    return status_message(404, "not-found", "folder not found")


def _can_edit(call: Call) -> bool:
    return call.identity is not None and call.identity.allows("Editor")


def post_folder(call: Call) -> Reply:
    body = call.json_object()
    record = create_folder(
        call.state,
        call.store,
        uid=str(body.get("uid") or ""),
        title=str(body.get("title") or ""),
        parent_uid=str(body.get("parentUid") or ""),
        description=str(body.get("description") or ""),
        login=call.login,
    )
    return Reply(body=folder_json(call.store, record, can_edit=_can_edit(call)))


def get_folder(call: Call) -> Reply:
    record = call.store.folders.get(call.params["uid"])
    if record is None:
        raise _not_found()
    return Reply(body=folder_json(call.store, record, can_edit=_can_edit(call)))


def list_folders(call: Call) -> Reply:
    parent = call.first("parentUid") or ""
    limit, page = call.integer("limit", 1000), max(call.integer("page", 1), 1)
    hits = sorted(
        (f for f in call.store.folders.values() if f.parent_uid == parent), key=lambda f: (f.title.lower(), f.uid)
    )
    start = (page - 1) * limit
    body = []
    for record in hits[start : start + limit]:
        hit: dict[str, Any] = {"id": record.id, "uid": record.uid, "title": record.title}
        if record.parent_uid:
            hit["parentUid"] = record.parent_uid
        body.append(hit)
    return Reply(body=body)


def put_folder(call: Call) -> Reply:
    org, body = call.store, call.json_object()
    record = org.folders.get(call.params["uid"])
    if record is None:
        raise _not_found()
    if body.get("overwrite") is not True and body.get("version") != record.version:
        raise status_message(412, "version-mismatch", "the folder has been changed by someone else")
    if "title" in body:
        title = str(body.get("title") or "")
        if not title.strip():
            raise legacy(400, "folder title cannot be empty", trace=False)
        _check_title_free(call.state, org, title, record.parent_uid, record.uid)
        record.title = title
    if "description" in body:
        record.description = str(body.get("description") or "")
    record.version += 1
    record.updated, record.updated_by = timestamp(), call.login
    return Reply(body=folder_json(org, record, can_edit=_can_edit(call)))


def delete_folder(call: Call) -> Reply:
    org = call.store
    record = org.folders.get(call.params["uid"])
    if record is None:
        raise _not_found()
    doomed = set(org.folder_descendants(record.uid))
    rule_uids = [uid for uid, rule in org.rules.items() if rule["folderUID"] in doomed]
    if rule_uids and not call.flag("forceDeleteRules"):
        # Older builds' answer; whether current ones still refuse is unconfirmed (spec §4).
        raise legacy(400, "folder contains alert rules", trace=False)
    for uid in rule_uids:
        del org.rules[uid]
    for key in [key for key in org.groups if key[0] in doomed]:
        del org.groups[key]
    for uid in [uid for uid, d in org.dashboards.items() if d.folder_uid in doomed]:
        del org.dashboards[uid]
    for uid in doomed:
        del org.folders[uid]
    return Reply(body={"message": "Folder deleted"})
