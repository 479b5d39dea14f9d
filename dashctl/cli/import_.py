"""`dashctl import`: turn existing Grafana dashboards (and rule files) into definitions of this project."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from dashctl.cli.failure import EXIT_DIFFERENCES
from dashctl.cli.options import allow_http_option, project_option, warn_cleartext

__all__ = ["import_"]


def _mapping(values: tuple[str, ...]) -> dict[str, str]:
    from dashctl.errors import UsageError

    mapping = {}
    for value in values:
        source, sep, logical = value.partition("=")
        if not sep or not source or not logical:
            raise UsageError(f"--datasource {value!r}: expected FROM=LOGICAL, e.g. --datasource DS_PROMETHEUS=metrics")
        mapping[source.strip("${}") if source.startswith("$") else source] = logical
    return mapping


@click.command("import")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--into", "into", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the dashboard definitions (default: the first root holding dashboards); alert "
              "rules go to the first root holding rule groups.")
@click.option("--folder", metavar="NAME", default=None, help="Grafana folder for every imported dashboard.")
@click.option("--datasource", "datasources", multiple=True, metavar="FROM=LOGICAL",
              help="Map a datasource uid, name, ${DS_X} input or `default` to a logical name; repeatable.")
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@click.option("--overwrite", is_flag=True, help="Replace definition files that already exist.")
@click.option("--check", is_flag=True,
              help="Exit 1 when a built dashboard differs from the original (the first difference per panel is "
              "reported) or the build would refuse it.")
@click.option("--grafana-url", metavar="URL", default=None,
              help="Import from a running Grafana (credentials from GRAFANA_TOKEN or GRAFANA_USER/PASSWORD).")
@click.option("--uid", "uids", multiple=True, metavar="UID", help="With --grafana-url: a dashboard uid; repeatable.")
@click.option("--folder-uid", "folder_uids", multiple=True, metavar="UID",
              help="With --grafana-url: every dashboard of this folder; repeatable.")
@click.option("--all", "everything", is_flag=True, help="With --grafana-url: every dashboard.")
@click.option("--alerts", is_flag=True,
              help="With --grafana-url and --all or --folder-uid: the alert rules of that scope too.")
@click.option("--rule-uid", "rule_uids", multiple=True, metavar="UID",
              help="With --grafana-url: an alert rule by uid; repeatable.")
@click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --grafana-url: CA bundle for TLS.")
@click.option("--insecure", is_flag=True, help="With --grafana-url: do not verify TLS certificates (prints a warning).")
@allow_http_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format (on stderr for text, stdout for json).")
@project_option
def import_(
    sources: tuple[Path, ...], into: Path | None, folder: str | None, datasources: tuple[str, ...], dry_run: bool,
    overwrite: bool, check: bool, grafana_url: str | None, uids: tuple[str, ...], folder_uids: tuple[str, ...],
    everything: bool, alerts: bool, rule_uids: tuple[str, ...], ca_cert: Path | None, insecure: bool, allow_http: bool, output_format: str,
    project_dir: Path | None,
) -> None:
    """Write one Python definition per dashboard found in SOURCES (JSON files, directories, Kubernetes manifests)
    or in a running Grafana.

    Legacy content is migrated as Grafana migrates it on load, datasources become the project's logical names,
    and every migration and decision is reported. See docs/import.md.
    """
    from dashctl.errors import UsageError
    from dashctl.importing import (
        ImportOptions,
        default_directory,
        import_sources,
        read_grafana,
        read_paths,
        verify_import,
        write_import,
    )
    from dashctl.importing.report import ReportEntry, render_json, render_text
    from dashctl.importing.sources import Sources
    from dashctl.project.config import load_project

    if grafana_url is None and (uids or folder_uids or everything or alerts or rule_uids):
        raise UsageError("--uid, --folder-uid, --all, --alerts and --rule-uid go with --grafana-url")
    if grafana_url is not None and not (uids or folder_uids or everything or rule_uids):
        raise UsageError("--grafana-url needs --uid UID, --folder-uid UID or --all (dashboards), or --rule-uid UID")
    if alerts and not (everything or folder_uids):
        raise UsageError("--alerts brings the alert rules of --all or --folder-uid UID; name single rules with "
                         "--rule-uid UID")
    if not sources and grafana_url is None:
        raise UsageError("nothing to import: pass files or directories, or --grafana-url")
    if ca_cert and insecure:
        raise UsageError("--ca-cert and --insecure contradict each other")
    project = load_project(project_dir)
    options = ImportOptions(folder=folder, datasources=_mapping(datasources))
    read = read_paths(sources) if sources else Sources()
    if grafana_url is not None:
        from dashctl.preview.session import connect, credentials_from_environment

        if insecure:
            click.echo("warning: TLS certificates are not verified (--insecure)", err=True)
        verify: bool | str = False if insecure else (str(ca_cert) if ca_cert else True)
        with connect(grafana_url, credentials_from_environment(os.environ), verify=verify,
                     allow_http=allow_http) as client:
            warn_cleartext(client.url)
            remote = read_grafana(client, uids=uids, folder_uids=folder_uids, everything=everything, alerts=alerts,
                                  rule_uids=rule_uids)
        read = Sources(dashboards=read.dashboards + remote.dashboards, rules=read.rules + remote.rules,
                       problems=read.problems + remote.problems, skipped=read.skipped,
                       datasource_types=remote.datasource_types)
    result = import_sources(read, project, options)
    directory = into if into is not None else default_directory(project)
    entries = list(result.entries)
    environment = project.select_environments()[0] if project.environments else None
    if check and environment is None:
        raise UsageError("--check needs an environment in [tool.dashctl.environments]")
    # What `dashctl build` will say about the new files is worth knowing now, --check or not.
    verdicts = verify_import(result, environment) if environment is not None else []
    entries += verdicts
    alerts_directory = default_directory(project, kind="rule_group")
    if not dry_run:
        write_import(result, directory, alerts_directory, overwrite=overwrite)
    placed = [(item, directory / item.name) for item in result.files]
    placed += [(item, alerts_directory / item.name) for item in result.rule_files]
    shown = [str(path) for _, path in placed]
    for item, path in reversed(placed):
        entries.insert(0, ReportEntry(kind="written", source=item.origin, uid=item.uid or None,
                                      message=("would write " if dry_run else "wrote ") + str(path)))
    if output_format == "json":
        click.echo(json.dumps({**render_json(entries, files=shown), "dryRun": dry_run}, indent=2, sort_keys=True))
    else:
        for line in render_text(sorted(entries, key=lambda entry: entry.source)):
            click.echo(line, err=True)
        verb = "would write" if dry_run else "wrote"
        click.echo(f"{verb} {len(result.files)} dashboard definition file(s) in {directory}"
                   + (f" and {len(result.rule_files)} alert rule file(s) in {alerts_directory}"
                      if result.rule_files else ""), err=True)
    if check and verdicts:
        raise SystemExit(EXIT_DIFFERENCES)
