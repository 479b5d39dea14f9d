"""One preview run from the project: build the environment, connect, push (or delete); and watching for edits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dashctl.errors import UsageError
from dashctl.preview.progress import ProgressCallback
from dashctl.project.config import Project

__all__ = ["Credentials", "connect", "credentials_from_environment", "definition_mtimes", "preview_project", "watch_changes"]


@dataclass(frozen=True, kw_only=True)
class Credentials:
    """How to authenticate; never printed (repr hides the secret)."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        kind = "token" if self.token else "basic" if self.user else "none"
        return f"Credentials({kind})"


def credentials_from_environment(environ: Mapping[str, str]) -> Credentials:
    """GRAFANA_TOKEN (a service-account token), or GRAFANA_USER and GRAFANA_PASSWORD."""
    token = environ.get("GRAFANA_TOKEN") or None
    user = environ.get("GRAFANA_USER") or None
    password = environ.get("GRAFANA_PASSWORD")
    if token and user:
        raise UsageError("set either GRAFANA_TOKEN or GRAFANA_USER/GRAFANA_PASSWORD, not both")
    if user and password is None:
        raise UsageError("GRAFANA_USER is set but GRAFANA_PASSWORD is not")
    if not token and not user:
        raise UsageError(
            "no Grafana credentials: set GRAFANA_TOKEN to a service-account token "
            "(or GRAFANA_USER and GRAFANA_PASSWORD); see docs/preview.md"
        )
    return Credentials(token=token, user=user, password=password)


def connect(
    url: str, credentials: Credentials, *, verify: bool | str = True, allow_http: bool = False, **options: object
):
    """A GrafanaClient for `url`; credentials over plain http:// are refused unless the host is loopback or
    `allow_http` is set (a UsageError saying so)."""
    from dashctl.grafana import GrafanaClient

    basic = (credentials.user, credentials.password or "") if credentials.user else None
    return GrafanaClient(
        url, token=credentials.token, basic_auth=basic, verify=verify, allow_http=allow_http, **options
    )


def preview_project(
    project: Project,
    environment: str,
    *,
    client,
    name: str,
    delete: bool = False,
    dry_run: bool = False,
    concurrency: int = 2,
    progress: ProgressCallback | None = None,
):
    """Build `environment` and make the preview `name` on the client's Grafana hold it (or delete it)."""
    from dashctl.preview.push import delete_preview, push_preview

    if delete:
        return delete_preview(client, name, dry_run=dry_run, concurrency=concurrency, progress=progress)
    from dashctl.compiler.pipeline import build_project
    from dashctl.preview.plan import plan_preview

    build = build_project(project, [environment]).environments[0]
    plan = plan_preview(build, name)
    return push_preview(client, plan, dry_run=dry_run, concurrency=concurrency, progress=progress)


def definition_mtimes(project: Project) -> dict[Path, float]:
    """Modification times of every file a build reads: definitions, shared modules, the configuration."""
    files = {project.config_file}
    for root in project.roots:
        directory = project.root / root
        if directory.is_dir():
            files.update(directory.rglob("*.py"))
    files.update(project.root.glob("*.py"))
    times = {}
    for path in files:
        try:
            times[path] = path.stat().st_mtime_ns
        except FileNotFoundError:
            continue
    return times


def watch_changes(
    project: Project, *, interval: float = 1.0, sleep: Callable[[float], None] = time.sleep
) -> Iterator[list[Path]]:
    """Yield the files changed (added, edited or removed) each time the definitions change; polls, no extra deps."""
    seen = definition_mtimes(project)
    while True:
        sleep(interval)
        now = definition_mtimes(project)
        changed = sorted(path for path in set(seen) | set(now) if seen.get(path) != now.get(path))
        if changed:
            seen = now
            yield changed
