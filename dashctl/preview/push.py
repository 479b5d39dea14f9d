"""Apply a preview plan to Grafana: send only what differs, remove what the branch no longer has, or delete it all.

Everything written lives in the preview folder. A dashboard or rule group that exists outside it under a preview
uid is refused, not overwritten, and nothing outside the folder is ever deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from dashctl.durations import canonical_duration, parse_duration
from dashctl.errors import GrafanaConflictError, GrafanaError, GrafanaNotFoundError
from dashctl.grafana import GrafanaClient
from dashctl.preview.naming import preview_folder_uid
from dashctl.preview.plan import PreviewPlan

__all__ = ["PreviewChange", "PreviewReport", "delete_preview", "push_preview"]

Progress = Callable[[str], None]

# Grafana raises a refresh below [dashboards] min_refresh_interval (default 5s) on save.
_MIN_REFRESH_MS = 5000


@dataclass(frozen=True, kw_only=True)
class PreviewChange:
    kind: str  # "folder", "dashboard", "rule group"
    name: str
    action: str  # "created", "updated", "unchanged", "deleted"


@dataclass(frozen=True, kw_only=True)
class PreviewReport:
    name: str
    folder_uid: str
    changes: tuple[PreviewChange, ...]
    dashboard_urls: tuple[tuple[str, str], ...] = ()  # (title, absolute URL)
    writes: int = 0
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


@dataclass
class _Log:
    progress: Progress | None
    changes: list[PreviewChange] = field(default_factory=list)

    def add(self, kind: str, name: str, action: str) -> None:
        self.changes.append(PreviewChange(kind=kind, name=name, action=action))
        if self.progress is not None and action != "unchanged":
            self.progress(f"{action} {kind} {name}")


def push_preview(
    client: GrafanaClient,
    plan: PreviewPlan,
    *,
    dry_run: bool = False,
    concurrency: int = 2,
    progress: Progress | None = None,
) -> PreviewReport:
    """Make the preview folder hold exactly `plan`; with `dry_run`, only read and report what would change."""
    before = client.counts
    log = _Log(progress)
    _check_datasources(client, plan)
    folder = client.find_folder(plan.folder_uid)
    if not dry_run:
        _ensure_folder(client, plan, folder)
    if folder is None:
        log.add("folder", plan.folder_title, "created")
    elif folder.title != plan.folder_title:
        log.add("folder", plan.folder_title, "updated")
    else:
        log.add("folder", plan.folder_title, "unchanged")

    def sync_dashboard(dashboard: Any) -> tuple[str, str]:
        stored = client.find_dashboard(dashboard.uid)
        if stored is not None and stored.folder_uid != plan.folder_uid:
            raise GrafanaConflictError(
                f"dashboard uid {dashboard.uid!r} exists outside the preview folder (in {stored.folder_uid or 'General'!r}); "
                "dashctl preview never writes outside its folder",
                url=client.url,
            )
        if stored is not None and _comparable_dashboard(stored.model) == _comparable_dashboard(dashboard.model):
            return dashboard.uid, "unchanged"
        if not dry_run:
            client.save_dashboard(
                dashboard.model, folder_uid=plan.folder_uid, overwrite=True, message=f"dashctl preview {plan.name}"
            )
        return dashboard.uid, "created" if stored is None else "updated"

    workers = max(1, min(concurrency, 8))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for uid, action in pool.map(sync_dashboard, plan.dashboards):
            log.add("dashboard", uid, action)

    wanted = {dashboard.uid for dashboard in plan.dashboards}
    if folder is not None:
        for hit in client.search_dashboards(folder_uids=[plan.folder_uid]):
            if hit.uid not in wanted and hit.folder_uid == plan.folder_uid:
                if not dry_run:
                    client.delete_dashboard(hit.uid)
                log.add("dashboard", hit.uid, "deleted")

    existing_groups = _groups_in_folder(client, plan.folder_uid) if folder is not None else set()
    for group in plan.rule_groups:
        stored = client.find_rule_group(plan.folder_uid, group.name) if group.name in existing_groups else None
        if stored is not None and _comparable_group(stored.interval, stored.rules) == _comparable_group(
            group.interval, group.rules
        ):
            log.add("rule group", group.name, "unchanged")
            continue
        if not dry_run:
            try:
                client.put_rule_group(plan.folder_uid, group.name, interval=group.interval, rules=group.rules)
            except GrafanaConflictError:
                # Grafana's optimistic lock (409): someone wrote the group meanwhile; the PUT replaces it whole.
                client.put_rule_group(plan.folder_uid, group.name, interval=group.interval, rules=group.rules)
        log.add("rule group", group.name, "created" if stored is None else "updated")
    for name in sorted(existing_groups - {group.name for group in plan.rule_groups}):
        if not dry_run:
            client.delete_rule_group(plan.folder_uid, name)
        log.add("rule group", name, "deleted")

    base = client.url.rstrip("/")
    urls = tuple((d.title, f"{base}/d/{d.uid}") for d in plan.dashboards)
    return PreviewReport(
        name=plan.name,
        folder_uid=plan.folder_uid,
        changes=tuple(log.changes),
        dashboard_urls=urls,
        writes=(client.counts - before).writes,
        dry_run=dry_run,
    )


def delete_preview(
    client: GrafanaClient, name: str, *, dry_run: bool = False, progress: Progress | None = None
) -> PreviewReport:
    """Remove preview `name`: its rule groups, its dashboards, then its folder. Missing is not an error."""
    before = client.counts
    log = _Log(progress)
    folder_uid = preview_folder_uid(name)
    folder = client.find_folder(folder_uid)
    if folder is not None:
        for group in sorted(_groups_in_folder(client, folder_uid)):
            if not dry_run:
                client.delete_rule_group(folder_uid, group)
            log.add("rule group", group, "deleted")
        for hit in client.search_dashboards(folder_uids=[folder_uid]):
            if hit.folder_uid != folder_uid:
                continue
            if not dry_run:
                try:
                    client.delete_dashboard(hit.uid)
                except GrafanaNotFoundError:
                    pass
            log.add("dashboard", hit.uid, "deleted")
        if not dry_run:
            client.delete_folder(folder_uid, force_delete_rules=True)
        log.add("folder", folder.title, "deleted")
    return PreviewReport(
        name=name, folder_uid=folder_uid, changes=tuple(log.changes), writes=(client.counts - before).writes,
        dry_run=dry_run,
    )


def _ensure_folder(client: GrafanaClient, plan: PreviewPlan, folder: Any, *, attempts: int = 2) -> None:
    """Create or rename the preview folder; a 409 or 412 (created or changed meanwhile) is resolved by re-reading."""
    for attempt in range(attempts):
        try:
            if folder is None:
                client.create_folder(uid=plan.folder_uid, title=plan.folder_title)
            elif folder.title != plan.folder_title:
                client.update_folder(plan.folder_uid, title=plan.folder_title, version=folder.version)
            return
        except GrafanaConflictError:
            folder = client.find_folder(plan.folder_uid)
            if folder is not None and folder.title == plan.folder_title:
                return
            if attempt == attempts - 1:
                raise


def _check_datasources(client: GrafanaClient, plan: PreviewPlan) -> None:
    """Previews use the Grafana's own datasources; report every missing one before anything is written."""
    if not plan.datasource_uids:
        return
    present = {datasource.uid for datasource in client.list_datasources()}
    missing = {uid: users for uid, users in plan.datasource_uids.items() if uid not in present}
    if missing:
        lines = "; ".join(f"{uid!r} (used by {', '.join(users)})" for uid, users in missing.items())
        raise GrafanaError(
            f"Grafana at {client.url} has no datasource {lines}; nothing was written. Check "
            f"[tool.dashctl.environments.{plan.environment}.datasources] or preview against the right Grafana",
        )


def _groups_in_folder(client: GrafanaClient, folder_uid: str) -> set[str]:
    return {
        str(rule.get("ruleGroup"))
        for rule in client.list_alert_rules()
        if rule.get("folderUID") == folder_uid and rule.get("ruleGroup")
    }


def _comparable_dashboard(model: Mapping[str, Any]) -> dict[str, Any]:
    """The model without what Grafana owns (id, version) and with what it normalises on save (title, refresh)."""
    comparable = {key: value for key, value in model.items() if key not in ("id", "version")}
    if isinstance(comparable.get("title"), str):
        comparable["title"] = comparable["title"].strip()
    refresh = comparable.get("refresh")
    if isinstance(refresh, str) and refresh not in ("", "auto"):
        try:
            if parse_duration(refresh) < _MIN_REFRESH_MS:
                comparable["refresh"] = "5s"
        except ValueError:
            comparable["refresh"] = "5s"
    return comparable


def _comparable_group(interval: int, rules: Any) -> tuple[int, list[dict[str, Any]]]:
    return interval, [_comparable_rule(rule) for rule in rules]


def _comparable_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule as Grafana stores it: canonical durations, query models with intervalMs and maxDataPoints."""
    data = []
    for query in rule.get("data", []):
        model = dict(query.get("model") or {})
        model.setdefault("refId", query.get("refId"))
        if not model.get("intervalMs"):
            model["intervalMs"] = 1000
        if not model.get("maxDataPoints"):
            model["maxDataPoints"] = 43200
        data.append(
            {
                "refId": query.get("refId"),
                "datasourceUid": query.get("datasourceUid"),
                # Grafana stores a missing range (expressions) as {from: 0, to: 0}.
                "relativeTimeRange": query.get("relativeTimeRange") or {"from": 0, "to": 0},
                "queryType": query.get("queryType") or model.get("queryType") or "",
                "model": model,
            }
        )
    return {
        "uid": rule.get("uid"),
        "title": rule.get("title"),
        "condition": rule.get("condition"),
        "data": data,
        "noDataState": rule.get("noDataState"),
        "execErrState": rule.get("execErrState"),
        "for": canonical_duration(str(rule.get("for") or "0s")),
        "keep_firing_for": canonical_duration(str(rule.get("keep_firing_for") or "0s")),
        "labels": dict(rule.get("labels") or {}),
        "annotations": dict(rule.get("annotations") or {}),
        "isPaused": bool(rule.get("isPaused")),
    }
