"""An environment (dev, prod, ...): the values a definition is a function of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dashctl.errors import DefinitionError

__all__ = ["DatasourceRef", "Environment"]

_MISSING = object()


@dataclass(frozen=True, kw_only=True)
class DatasourceRef:
    """What a logical datasource name (`metrics`, `logs`) resolves to in one environment: Grafana's uid and type."""

    uid: str
    type: str

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "uid": self.uid}


@dataclass(frozen=True, kw_only=True)
class Environment:
    """One deployment target: a namespace with its own Grafana, datasources and free values."""

    name: str
    namespace: str
    grafana_url: str | None = None
    datasources: Mapping[str, DatasourceRef] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    promql_experimental_functions: bool = False
    """Whether this environment's Prometheus runs with `--enable-feature=promql-experimental-functions`, so that
    queries may use `sort_by_label`, `limitk` and the other experimental functions."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "datasources", MappingProxyType(dict(self.datasources)))
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def value(self, key: str, default: Any = _MISSING) -> Any:
        """A free value of this environment (a threshold, a channel name); a missing one is a clear error."""
        if key in self.values:
            return self.values[key]
        if default is not _MISSING:
            return default
        raise DefinitionError(
            f"environment {self.name!r} has no value {key!r}",
            hint=f"add `{key} = ...` under [tool.dashctl.environments.{self.name}.values], "
            "or pass a default: env.value(key, default)",
        )

    def datasource(self, logical_name: str) -> DatasourceRef:
        """The uid and type that a logical datasource name stands for in this environment."""
        try:
            return self.datasources[logical_name]
        except KeyError:
            known = ", ".join(sorted(self.datasources)) or "none"
            raise DefinitionError(
                f"datasource {logical_name!r} is not defined for environment {self.name!r} (known: {known})",
                hint=f"add `{logical_name} = {{ uid = \"...\", type = \"...\" }}` under "
                f"[tool.dashctl.environments.{self.name}.datasources]",
            ) from None
