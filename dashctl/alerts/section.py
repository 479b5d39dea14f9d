"""The alerting section of `dashctl build`: compile, carry tombstones over, package (called by the pipeline).

`build_alerts_section(project, discovery, environment, previous)` returns the environment's alerting manifests,
every problem found, and the state the CLI and other commands read: `counts` (printed by `dashctl build`) and
`alerts`, the CompiledAlerting with its tombstones (for preview and diff).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dashctl.alerts.compile import CompiledAlerting, compile_alerting
from dashctl.alerts.packaging import package_alerting
from dashctl.alerts.tombstones import carry_tombstones, read_previous
from dashctl.errors import DefinitionError
from dashctl.k8s.manifests import Manifest
from dashctl.project.config import Project
from dashctl.project.discovery import Discovery
from dashctl.project.environment import Environment

__all__ = ["build_alerts_section"]


def build_alerts_section(
    project: Project, discovery: Discovery, environment: Environment, previous: Mapping[str, bytes]
) -> tuple[list[Manifest], list[DefinitionError], dict[str, Any]]:
    """Compile the alerting of one environment into its ConfigMaps; `previous` is the output dir's files."""
    compiled, problems = compile_alerting(project, discovery, environment)
    before, read_problems = read_previous(previous, environment.name)
    problems.extend(read_problems)
    compiled = replace(compiled, tombstones=carry_tombstones(before, compiled))
    manifests: list[Manifest] = []
    try:
        manifests = package_alerting(compiled, environment=environment.name, namespace=environment.namespace)
    except DefinitionError as error:
        problems.append(error)
    return manifests, problems, {"counts": _counts(compiled), "alerts": compiled}


def _counts(compiled: CompiledAlerting) -> dict[str, int]:
    # Singular nouns: the CLI puts them in the number the count needs.
    counts = {"alert rule": len(compiled.rules)}
    if compiled.tombstones:
        counts["pending alert deletion"] = len(compiled.tombstones)
    return counts
