"""Compile one environment's datasources into Grafana's provisioning file and package it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashctl.datasources.model import Datasource
from dashctl.errors import DefinitionError

__all__ = ["DatasourceSet", "check_datasources", "provisioning_document"]


@dataclass(frozen=True, kw_only=True)
class DatasourceSet:
    """The datasources of one environment, each with the definition that made it."""

    datasources: tuple[Datasource, ...]

    @property
    def carries_secret(self) -> bool:
        return any(datasource.carries_secret for datasource in self.datasources)

    @property
    def has_default(self) -> bool:
        return any(datasource.is_default for datasource in self.datasources)


def check_datasources(datasources: Sequence[Datasource], environment: str) -> list[DefinitionError]:
    """Relations between datasources: unique uid and name, at most one default (a second one crashes Grafana)."""
    problems: list[DefinitionError] = []
    for attribute in ("uid", "name"):
        seen: dict[str, Datasource] = {}
        for datasource in datasources:
            key = getattr(datasource, attribute)
            if key in seen:
                problems.append(
                    DefinitionError(
                        f"datasource {attribute} {key!r} is defined twice for environment {environment!r} "
                        f"(first at {seen[key].location})",
                        location=datasource.location,
                    )
                )
            seen.setdefault(key, datasource)
    defaults = [datasource for datasource in datasources if datasource.is_default]
    if len(defaults) > 1:
        places = ", ".join(f"{d.name!r} at {d.location}" for d in defaults)
        problems.append(
            DefinitionError(
                f"environment {environment!r} has {len(defaults)} default datasources ({places})",
                location=defaults[1].location,
                hint="Grafana allows one default per organisation and fails to start with two; "
                "keep is_default=True on one",
            )
        )
    return problems


def provisioning_document(datasources: Sequence[Datasource]) -> dict[str, Any]:
    """Grafana's datasource provisioning file; `prune: true` deletes datasources removed from it (Grafana ≥ 11.1)."""
    return {
        "apiVersion": 1,
        "prune": True,
        "datasources": [datasource.to_provisioning() for datasource in sorted(datasources, key=lambda d: d.uid)],
    }
