"""`GET /api/search` (spec §3.6): filters, tags with AND, folders first, paging."""

from __future__ import annotations

from typing import Any

from .bodies import Reply, legacy
from .call import Call
from .formats import slugify
from .state import DashboardRecord, FolderRecord, OrgStore

_MAX_LIMIT = 5000


def search(call: Call) -> Reply:
    org = call.store
    limit, page = call.integer("limit", 1000), max(call.integer("page", 1), 1)
    if limit > _MAX_LIMIT:
        raise legacy(
            422, "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit", trace=False
        )
    if (call.all("dashboardIds") and call.all("dashboardUIDs")) or (call.all("folderIds") and call.all("folderUIDs")):
        raise legacy(400, "search supports UIDs or IDs, not both", trace=False)
    kind = call.first("type")
    query = (call.first("query") or "").lower()
    tags = set(call.all("tag"))
    uids = set(call.all("dashboardUIDs"))
    parents = {"" if uid == "general" else uid for uid in call.all("folderUIDs")}

    hits: list[dict[str, Any]] = []
    if kind in (None, "", "dash-folder") and not tags:
        for folder in org.folders.values():
            if _wanted(folder.title, folder.uid, folder.parent_uid, query, uids, parents):
                hits.append(_folder_hit(org, folder))
    if kind in (None, "", "dash-db"):
        for dashboard in org.dashboards.values():
            if tags - set(dashboard.tags):
                continue
            if _wanted(dashboard.title, dashboard.uid, dashboard.folder_uid, query, uids, parents):
                hits.append(_dashboard_hit(org, dashboard))

    order = call.first("sort")
    if order in ("alpha-asc", "alpha-desc"):
        hits.sort(key=lambda hit: hit["title"].lower(), reverse=order == "alpha-desc")
    else:
        hits.sort(key=lambda hit: (hit["type"] != "dash-folder", hit["title"].lower()))
    start = (page - 1) * limit
    return Reply(body=hits[start : start + limit])


def _wanted(title: str, uid: str, parent: str, query: str, uids: set[str], parents: set[str]) -> bool:
    return (not query or query in title.lower()) and (not uids or uid in uids) and (not parents or parent in parents)


def _folder_hit(org: OrgStore, folder: FolderRecord) -> dict[str, Any]:
    slug = slugify(folder.title)
    hit: dict[str, Any] = {
        "id": folder.id,
        "uid": folder.uid,
        "orgId": org.id,
        "title": folder.title,
        "uri": f"db/{slug}",
        "url": f"/dashboards/f/{folder.uid}/{slug}",
        "slug": slug,
        "type": "dash-folder",
        "tags": [],
        "isStarred": False,
        "sortMeta": 0,
        "isDeleted": False,
    }
    hit.update(_location(org, folder.parent_uid))
    return hit


def _dashboard_hit(org: OrgStore, dashboard: DashboardRecord) -> dict[str, Any]:
    slug = slugify(dashboard.title)
    hit: dict[str, Any] = {
        "id": dashboard.id,
        "uid": dashboard.uid,
        "orgId": org.id,
        "title": dashboard.title,
        "uri": f"db/{slug}",
        "url": f"/d/{dashboard.uid}/{slug}",
        "slug": slug,
        "type": "dash-db",
        "tags": sorted(set(dashboard.tags)),
        "isStarred": False,
        "sortMeta": 0,
        "isDeleted": False,
    }
    hit.update(_location(org, dashboard.folder_uid))
    return hit


def _location(org: OrgStore, folder_uid: str) -> dict[str, Any]:
    """The folder keys of a hit, omitted at the root."""
    folder = org.folders.get(folder_uid)
    if folder is None:
        return {}
    return {
        "folderId": folder.id,
        "folderUid": folder.uid,
        "folderTitle": folder.title,
        "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}",
    }
