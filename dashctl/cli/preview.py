"""`dashctl preview`: push the working tree's build to a running Grafana, in a folder of its own."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from dashctl.cli.completion import complete_environments
from dashctl.cli.options import allow_http_option, project_option, warn_cleartext

__all__ = ["preview"]

@click.command()
@click.option("--env", "environment", required=True, metavar="NAME", shell_complete=complete_environments,
              help="Environment whose build to preview.")
@click.option("--grafana-url", metavar="URL", help="Grafana to push to (default: the environment's grafana_url).")
@click.option("--name", metavar="NAME", help="Preview name (default: the current git branch).")
@click.option("--delete", is_flag=True, help="Remove the preview: its folder, dashboards and rule groups.")
@click.option("--dry-run", is_flag=True, help="Read Grafana and report what would change; write nothing.")
@click.option("--watch", is_flag=True, help="After pushing, push again after every saved change of the definitions.")
@click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CA bundle for TLS.")
@click.option("--insecure", is_flag=True, help="Do not verify TLS certificates (prints a warning).")
@allow_http_option
@click.option("--concurrency", type=click.IntRange(1, 8), default=2, show_default=True,
              help="Writes in flight at once (Grafana on SQLite locks under concurrent writes); reads run 16 at once.")
@click.option("--retry-budget", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="How long each request may keep retrying transient failures (429, 5xx, dropped connections).")
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@project_option
def preview(
    environment: str, grafana_url: str | None, name: str | None, delete: bool, dry_run: bool, watch: bool,
    ca_cert: Path | None, insecure: bool, allow_http: bool, concurrency: int, retry_budget: float,
    output_format: str, project_dir: Path | None,
) -> None:
    """Push what the working tree builds for ENV into a preview folder of a running Grafana.

    Credentials come from GRAFANA_TOKEN (a service-account token) or GRAFANA_USER and GRAFANA_PASSWORD, never
    from a flag. Dashboards get preview uids and titles prefixed with the preview name; alert rules go in
    paused; unchanged objects are not re-sent. Nothing outside the preview folder is written or deleted.
    """
    from dashctl.cli.preview_progress import ProgressDisplay
    from dashctl.errors import UsageError
    from dashctl.grafana import RetryPolicy
    from dashctl.preview.naming import current_branch, validate_preview_name
    from dashctl.preview.session import connect, credentials_from_environment, preview_project, watch_changes
    from dashctl.project.config import load_project

    project = load_project(project_dir)
    env = project.select_environments([environment])[0]
    url = grafana_url or env.grafana_url
    if not url:
        raise UsageError(f"no Grafana URL: pass --grafana-url or set grafana_url for environment {environment!r}")
    if ca_cert and insecure:
        raise UsageError("--ca-cert and --insecure contradict each other")
    if watch and (delete or dry_run):
        raise UsageError("--watch goes with neither --delete nor --dry-run")
    if insecure:
        click.echo("warning: TLS certificates are not verified (--insecure)", err=True)
    preview_name = validate_preview_name(name) if name else current_branch(project.root)
    credentials = credentials_from_environment(os.environ)
    verify: bool | str = False if insecure else (str(ca_cert) if ca_cert else True)

    display = ProgressDisplay()
    retry = RetryPolicy(budget=retry_budget)
    with connect(url, credentials, verify=verify, allow_http=allow_http, retry=retry, on_wait=display.wait) as client:
        warn_cleartext(client.url)

        def run() -> None:
            try:
                report = preview_project(
                    project, env.name, client=client, name=preview_name, delete=delete, dry_run=dry_run,
                    concurrency=concurrency, progress=display.progress,
                )
            finally:
                display.close()
            if dry_run:
                for change in report.changes:
                    if change.action != "unchanged":
                        click.echo(f"would have {change.action} {change.kind} {change.name}", err=True)
            _print_report(report, output_format)

        run()
        if watch:
            click.echo("watching the definitions; Ctrl-C to stop", err=True)
            try:
                for changed in watch_changes(project):
                    click.echo(f"changed: {', '.join(str(p.relative_to(project.root)) for p in changed)}", err=True)
                    try:
                        run()
                    except Exception as error:  # noqa: BLE001 - a broken edit must not end the watch
                        from dashctl.cli.failure import report_error
                        from dashctl.errors import DashctlError

                        if not isinstance(error, DashctlError):
                            raise
                        report_error(error)
            except KeyboardInterrupt:
                click.echo("stopped watching", err=True)


def _print_report(report, output_format: str) -> None:
    summary = {action: report.count(action) for action in ("created", "updated", "unchanged", "deleted")}
    if output_format == "json":
        click.echo(json.dumps({
            "name": report.name,
            "folderUid": report.folder_uid,
            "dryRun": report.dry_run,
            "writes": report.writes,
            "summary": summary,
            "changes": [{"kind": c.kind, "name": c.name, "action": c.action} for c in report.changes],
            "dashboards": [{"title": title, "url": url} for title, url in report.dashboard_urls],
        }, indent=2, sort_keys=True))
        return
    for title, url in report.dashboard_urls:
        click.echo(f"{url}  {title}")
    counts = ", ".join(f"{count} {action}" for action, count in summary.items() if count)
    if report.dry_run:
        click.echo(f"preview {report.name!r} (dry run, nothing written): would be {counts or 'nothing'}", err=True)
    else:
        click.echo(f"preview {report.name!r}: {counts or 'nothing'}; sent {report.writes} write(s)", err=True)
