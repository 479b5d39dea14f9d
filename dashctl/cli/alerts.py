"""`dashctl alerts`: the alerting tombstones of deploy/<env>, listed and retired."""

from __future__ import annotations

from pathlib import Path

import click

from dashctl.cli.completion import complete_environments, complete_tombstones
from dashctl.cli.display import counted
from dashctl.cli.options import allow_http_option, environment_option, project_option, warn_cleartext

__all__ = ["alerts"]

_output_option = click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Output directory (default: `output` of [tool.dashctl], normally deploy/).",
)


@click.group()
def alerts() -> None:
    """Alert rule deletions (tombstones) that deploy/<env>/alerting.yaml carries until retired.

    Grafana never deletes a file-provisioned rule by itself: when a rule (or contact point, template, mute
    timing) disappears from the definitions, `dashctl build` writes a deleteRules (deleteContactPoints, ...)
    entry and keeps it in every later build. Once ArgoCD has synced it and Grafana has deleted the object,
    retire the tombstone.
    """


@alerts.command()
@environment_option
@project_option
@_output_option
def tombstones(environments: tuple[str, ...], project_dir: Path | None, output: Path | None) -> None:
    """List the pending tombstones of every environment (or those named with --env): ENV KIND UID-OR-NAME."""
    from dashctl.alerts.tombstones import list_tombstones
    from dashctl.project.config import load_project

    project = load_project(project_dir)
    directory = output if output is not None else project.output_dir
    total = 0
    for environment in project.select_environments(environments):
        for item in list_tombstones(directory, environment.name).items:
            click.echo(f"{environment.name}\t{item.kind}\t{item.key}")
            total += 1
    click.echo(f"{counted(total, 'pending tombstone')}", err=True)


@alerts.command()
@click.option("--env", "environment", required=True, metavar="NAME", shell_complete=complete_environments,
              help="The environment whose tombstones to retire.")
@click.argument("keys", nargs=-1, metavar="[UID-OR-NAME]...", shell_complete=complete_tombstones)
@click.option("--synced", is_flag=True,
              help="Retire every tombstone of the environment: deploy/<env> has been synced and Grafana has "
              "deleted the objects.")
@click.option("--check-grafana", is_flag=True,
              help="Ask Grafana first: retire only rule tombstones whose rule Grafana no longer has "
              "(credentials from GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD).")
@click.option("--grafana-url", metavar="URL", default=None,
              help="Grafana to check with --check-grafana (default: the environment's grafana_url).")
@allow_http_option
@project_option
@_output_option
def retire(environment: str, keys: tuple[str, ...], synced: bool, check_grafana: bool, grafana_url: str | None,
           allow_http: bool, project_dir: Path | None, output: Path | None) -> None:
    """Remove tombstones from deploy/<env>/alerting.yaml, by rule or integration uid (template or mute timing
    name), or all of them with --synced. Only do it once the deletion has reached Grafana (--check-grafana asks
    Grafana which rules are gone); then commit.

    \b
        dashctl alerts retire --env prod backend-old-latency
        dashctl alerts retire --env prod --synced
        dashctl alerts retire --env prod --synced --check-grafana
    """
    import os

    from dashctl.alerts.tombstones import retire_gone_from_grafana, retire_tombstones
    from dashctl.errors import UsageError
    from dashctl.project.config import load_project

    if bool(keys) == synced:
        raise UsageError("name the tombstones to retire (UIDs or names), or pass --synced to retire them all")
    project = load_project(project_dir)
    (selected,) = project.select_environments((environment,))
    directory = output if output is not None else project.output_dir
    wanted = None if synced else set(keys)
    if check_grafana:
        from dashctl.preview.session import connect, credentials_from_environment

        url = grafana_url or selected.grafana_url
        if not url:
            raise UsageError(f"no Grafana to check: pass --grafana-url or set grafana_url of environment "
                             f"{selected.name!r}")
        with connect(url, credentials_from_environment(os.environ), allow_http=allow_http) as client:
            warn_cleartext(client.url)
            present = {str(rule.get("uid")) for rule in client.list_alert_rules()}
        result = retire_gone_from_grafana(directory, selected.name, present, wanted)
    else:
        result = retire_tombstones(directory, selected.name, wanted)
    for item in result.retired:
        click.echo(f"retired {selected.name}\t{item.kind}\t{item.key}")
    for item, reason in result.kept:
        click.echo(f"kept {item.kind} {item.key}: {reason}", err=True)
    for path in result.changed:
        click.echo(f"updated {path}", err=True)
    click.echo(f"{len(result.retired)} retired, {len(result.remaining)} still pending in {selected.name}", err=True)
