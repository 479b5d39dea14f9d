"""Datasource references of an imported dashboard become the project's logical names.

Grafana's JSON names a datasource in many ways, from every generation: `{"type": ..., "uid": ...}`, a bare uid or
name (before schemaVersion 33), `${DS_X}` (an "export for sharing externally" input), `$datasource` (a datasource
template variable), `-- Mixed --`, `-- Grafana --`, `-- Dashboard --`, null (the default datasource). Each maps
to a logical name of the project by type (`prometheus` -> `metrics`), or as `--datasource FROM=LOGICAL` says.
Datasource variables stay variables. A type the project does not define keeps an explicit `{type, uid}` (or, for
a `${DS_X}` input, becomes a datasource variable of that type), with a note. Anything ambiguous is an error that
lists the choices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashctl.errors import DefinitionError

__all__ = ["DatasourceMapper", "ProjectDatasources", "SPECIAL_DATASOURCES"]

# Grafana's built-in pseudo datasources, in the reference form schemaVersion 33+ writes them.
SPECIAL_DATASOURCES = {
    "-- Grafana --": {"type": "datasource", "uid": "grafana"},
    "grafana": {"type": "datasource", "uid": "grafana"},
    "-- Mixed --": {"type": "datasource", "uid": "-- Mixed --"},
    "-- Dashboard --": {"type": "datasource", "uid": "-- Dashboard --"},
}
_DEFAULT = "default"


@dataclass(frozen=True, kw_only=True)
class ProjectDatasources:
    """The project's logical datasource names and their types (from every environment)."""

    types: Mapping[str, str]

    @classmethod
    def from_project(cls, project: Any) -> ProjectDatasources:
        types: dict[str, str] = {}
        for environment in project.environments.values():
            for name, ref in environment.datasources.items():
                types.setdefault(name, ref.type)
        return cls(types=types)

    def by_type(self, type_: str) -> list[str]:
        return sorted(name for name, kind in self.types.items() if kind == type_)


@dataclass(kw_only=True)
class DatasourceMapper:
    """Maps the references of one dashboard; `notes` and `problems` collect what it decided and what it cannot."""

    project: ProjectDatasources
    explicit: Mapping[str, str] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)  # ${DS_X} input name -> plugin type
    variables: Mapping[str, str] = field(default_factory=dict)  # datasource variable name -> type
    note: Callable[[str], None] = lambda message: None
    problems: list[DefinitionError] = field(default_factory=list)
    known_types: Mapping[str, str] = field(default_factory=dict)  # the source Grafana's uid/name -> type
    kept_inputs: dict[str, str] = field(default_factory=dict)  # inputs that become datasource variables
    _reported: set[str] = field(default_factory=set)

    def map(self, reference: Any, where: str, *, default_type: str | None = None) -> Any:
        """The reference to write into the definition: a logical name, a variable, or an explicit {type, uid}."""
        if reference is None or reference == _DEFAULT:
            return self._default(where, default_type) if reference == _DEFAULT else None
        if isinstance(reference, str):
            return self._string(reference, where, default_type)
        if not isinstance(reference, dict):
            return reference
        uid, type_ = reference.get("uid"), reference.get("type")
        if isinstance(uid, str) and uid.startswith("$"):
            return self._variable(uid, type_, where, reference)
        if isinstance(uid, str) and uid in self.explicit:
            return self._logical(self.explicit[uid], where)
        if type_ in ("datasource", "grafana"):
            return reference  # Grafana's built-in datasources, already in their current form
        if isinstance(uid, str) and uid in SPECIAL_DATASOURCES:
            return SPECIAL_DATASOURCES[uid]
        if not type_:
            return self._string(uid, where, default_type) if isinstance(uid, str) else None
        return self._typed(type_, uid, where)

    def _string(self, text: str, where: str, default_type: str | None) -> Any:
        if text in self.explicit:
            return self._logical(self.explicit[text], where)
        if text in SPECIAL_DATASOURCES:
            return SPECIAL_DATASOURCES[text]
        if text.startswith("$"):
            return self._variable(text, None, where, text)
        if text in self.project.types:
            return text
        if text in self.known_types:
            return self._typed(self.known_types[text], text, where)
        # A pre-8.3 reference by name (or uid): Grafana looked it up in its datasource list, which an import
        # cannot see; a name that says its type is taken at its word, anything else needs --datasource.
        lowered = text.lower()
        for type_ in sorted(set(self.project.types.values()), key=len, reverse=True):
            if type_ in lowered:
                return self._typed(type_, text, where)
        if default_type:
            return self._typed(default_type, text, where)
        self._problem(
            f"{where}: datasource {text!r} names no datasource type this import can recognise",
            hint=f"map it with --datasource {text}=LOGICAL (logical names: {self._choices()})",
            key=f"name:{text}",
        )
        return None

    def _variable(self, text: str, type_: str | None, where: str, original: Any) -> Any:
        name = text.strip("${}").split(":")[0]
        if name in self.inputs:
            plugin = self.inputs[name]
            if name in self.explicit:
                return self._logical(self.explicit[name], where)
            candidates = self.project.by_type(plugin)
            if len(candidates) == 1:
                self._once(f"input:{name}", f"input ${{{name}}} ({plugin}) mapped to logical datasource "
                           f"{candidates[0]!r}")
                return candidates[0]
            if len(candidates) > 1:
                return self._ambiguous(plugin, candidates, where, name)
            self.kept_inputs[name] = plugin
            self._once(f"input:{name}", f"input ${{{name}}}: the project defines no {plugin} datasource; kept as "
                       f"a datasource variable {name!r} of type {plugin}")
            return f"${{{name}}}"
        return original

    def _typed(self, type_: str, uid: Any, where: str) -> Any:
        candidates = self.project.by_type(type_)
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            return self._ambiguous(type_, candidates, where, uid)
        self._once(f"type:{type_}:{uid}", f"the project defines no {type_} datasource: kept the explicit "
                   f"reference {{type: {type_}, uid: {uid}}}; its queries are carried over unchecked")
        return {"type": type_, "uid": uid} if uid is not None else {"type": type_}

    def _default(self, where: str, default_type: str | None) -> Any:
        if _DEFAULT in self.explicit:
            return self._logical(self.explicit[_DEFAULT], where)
        if default_type:
            return self._typed(default_type, None, where)
        if "default" in self.known_types:
            return self._typed(self.known_types["default"], None, where)
        candidates = self.project.by_type("prometheus") or sorted(self.project.types)
        if len(candidates) == 1:
            self._once("default", f"the default datasource mapped to logical datasource {candidates[0]!r}")
            return candidates[0]
        return self._ambiguous("default", candidates, where, _DEFAULT)

    def _logical(self, name: str, where: str) -> str:
        if name not in self.project.types:
            self._problem(
                f"--datasource maps to {name!r}, which is no logical datasource of the project",
                hint=f"logical names: {self._choices()}",
                key=f"logical:{name}",
            )
        return name

    def _ambiguous(self, type_: str, candidates: list[str], where: str, source: Any) -> None:
        self._problem(
            f"{where}: datasource {source!r} ({type_}) could be any of the project's {', '.join(candidates)}",
            hint=f"choose with --datasource {source}=" + "|".join(candidates),
            key=f"ambiguous:{source}",
        )
        return None

    def _choices(self) -> str:
        return ", ".join(f"{name} ({kind})" for name, kind in sorted(self.project.types.items())) or "none"

    def _once(self, key: str, message: str) -> None:
        if key not in self._reported:
            self._reported.add(key)
            self.note(message)

    def _problem(self, message: str, *, hint: str, key: str) -> None:
        # One root cause is reported once, not at every panel that uses the datasource.
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(DefinitionError(message, hint=hint))
