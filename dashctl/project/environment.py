"""An environment (dev, prod, ...): the values a definition is a function of."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dashctl.errors import DefinitionError, SourceLocation
from dashctl.spelling import closest

__all__ = ["DatasourceRef", "Environment"]

_MISSING = object()
_VALUE_READ = re.compile(r"""\.value\(\s*["']([^"']+)["']""")


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
    config_file: str = "dashctl.toml"
    """The configuration file that declares the environment, relative to the project root, for hints."""
    table: str = ""
    """The environment's TOML table in that file: `environments.dev`, or `tool.dashctl.environments.dev` in
    pyproject.toml."""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """Where each key of the environment's table is written: `values.error_ratio` -> its line."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "datasources", MappingProxyType(dict(self.datasources)))
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "lines", MappingProxyType(dict(self.lines)))
        if not self.table:
            object.__setattr__(self, "table", f"environments.{self.name}")

    def config_location(self, key: str = "") -> SourceLocation:
        """Where `key` (`values.error_ratio`, `datasources.metrics`) of this environment is written, else the
        nearest table around it that is."""
        parts = key.split(".") if key else []
        while parts:
            line = self.lines.get(".".join(parts))
            if line is not None:
                return SourceLocation(file=self.config_file, line=line)
            parts.pop()
        return SourceLocation(file=self.config_file, line=self.lines.get(""))

    def origin_of(self, value: object) -> str | None:
        """The key under `values` (dotted for a nested table: `slo.target`) whose configured object `value` is.

        By identity, so a value the definitions got with `env.value(...)` is known wherever it travels (into a
        Threshold, a panel's unit); never by equality: `0.05` written in Python is not the configured `0.05`.
        Objects that Python shares between equal values (booleans, small integers, one-character strings) cannot
        be told apart this way and give None.
        """
        if value is None or isinstance(value, bool) or (isinstance(value, int) and -5 <= value <= 256) \
                or (isinstance(value, str) and len(value) <= 1):
            return None

        def find(node: Any, path: str) -> str | None:
            if node is value:
                return path
            items = node.items() if isinstance(node, Mapping) else enumerate(node) if isinstance(node, list) else ()
            for key, item in items:
                found = find(item, f"{path}.{key}" if path else str(key))
                if found is not None:
                    return found
            return None

        return find(self.values, "") or None

    def values_read_in(self, source_line: str) -> list[str]:
        """The keys of this environment's values that a line of Python reads with `env.value("key")`, so that a
        problem about what the line got can be reported where the configuration writes it."""
        return [key for key in _VALUE_READ.findall(source_line) if key in self.values]

    def _where(self, section: str) -> str:
        return f"[{self.table}.{section}] in {self.config_file}"

    def value(self, key: str, default: Any = _MISSING) -> Any:
        """A free value of this environment (a threshold, a channel name); a missing one is a clear error."""
        if key in self.values:
            return self.values[key]
        if default is not _MISSING:
            return default
        guess = closest(key, self.values)
        if guess is not None:
            hint = f"did you mean {guess!r}? (set at {self.config_location('values.' + guess)})"
        else:
            hint = (f"add `{key} = ...` under {self._where('values')}, or pass a default: env.value(key, default)"
                    + (f"; it has {', '.join(sorted(self.values))}" if self.values else ""))
        raise DefinitionError(f"environment {self.name!r} has no value {key!r}", hint=hint)

    def datasource(self, logical_name: str) -> DatasourceRef:
        """The uid and type that a logical datasource name stands for in this environment."""
        try:
            return self.datasources[logical_name]
        except KeyError:
            known = ", ".join(sorted(self.datasources)) or "none"
            raise DefinitionError(
                f"datasource {logical_name!r} is not defined for environment {self.name!r} (known: {known})",
                hint=self.datasource_hint(logical_name),
                value=logical_name,
            ) from None

    def datasource_hint(self, logical_name: str) -> str:
        """How to fix a logical datasource name this environment lacks: the closest one, or where to add it."""
        guess = closest(logical_name, self.datasources)
        if guess is not None:
            return f"did you mean {guess!r}?"
        return (f"use one of the logical names, or add `{logical_name} = {{ uid = \"...\", type = \"...\" }}` "
                f"under {self._where('datasources')}")
