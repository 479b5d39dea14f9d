"""Shell completion values read cheaply from the project: environment names from its configuration file, lint
rule ids from the catalogue, tombstone uids from deploy/<env>/alerting.yaml. Nothing is built or imported from
the user's definitions, and a completion never fails: a project that cannot be read completes nothing.

Turned on per shell with click's protocol (docs/cli.md, "Shell completion"):
`eval "$(_DASHCTL_COMPLETE=bash_source dashctl)"`.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

__all__ = ["complete_environments", "complete_rule_ids", "complete_tombstones"]


def _project(ctx: click.Context):  # -> Project | None; the import stays lazy
    from dashctl.errors import DashctlError
    from dashctl.project.config import load_project

    directory = ctx.params.get("project_dir")
    try:
        return load_project(Path(directory) if directory else None)
    except (DashctlError, OSError):
        return None


def complete_environments(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The environments of the project's configuration, with their namespace as help."""
    project = _project(ctx)
    if project is None:
        return []
    return [CompletionItem(environment.name, help=f"namespace {environment.namespace}")
            for environment in project.environments.values() if environment.name.startswith(incomplete)]


def complete_rule_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The lint rule ids, with their summary as help."""
    from dashctl.lint import all_rules

    return [CompletionItem(rule.id, help=rule.summary) for rule in all_rules() if rule.id.startswith(incomplete)]


def complete_tombstones(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The pending tombstones (rule uids, contact point names...) of the environment given with --env."""
    from dashctl.alerts.tombstones import list_tombstones
    from dashctl.errors import DashctlError

    project = _project(ctx)
    environment = ctx.params.get("environment")
    if project is None or not environment:
        return []
    directory = ctx.params.get("output") or project.output_dir
    try:
        pending = list_tombstones(Path(directory), environment).items
    except (DashctlError, OSError):
        return []
    return [CompletionItem(item.key, help=item.kind) for item in pending if item.key.startswith(incomplete)]
