"""The project configuration: `[tool.dashctl]` in pyproject.toml, or a `dashctl.toml` holding the same keys.

Found by walking up from the working directory, as git finds its repository, so dashctl works from any
subdirectory of the project.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dashctl.durations import parse_duration
from dashctl.errors import ConfigError, DefinitionError, ProjectNotFoundError, SourceLocation, UsageError
from dashctl.project.environment import DatasourceRef, Environment
from dashctl.project.user_code import DEFAULT_TIME_LIMIT
from dashctl.spelling import closest

__all__ = ["ArgoCDSettings", "Project", "at_config_line", "find_project", "key_lines", "load_project"]

DEFAULT_ROOTS = ("datasources", "dashboards", "alerts")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


@dataclass(frozen=True, kw_only=True)
class ArgoCDSettings:
    """Where ArgoCD finds this repository, for the generated ApplicationSet."""

    repo_url: str = "https://git.example.com/platform/observability.git"
    target_revision: str = "main"
    project: str = "default"
    namespace: str = "argocd"
    destination_server: str = "https://kubernetes.default.svc"
    # Where the project sits inside the git repository ArgoCD clones ("" when it is the repository's root).
    repo_path: str = ""


@dataclass(frozen=True, kw_only=True)
class Project:
    """A dashctl project: where its definitions live, where output goes, and its environments."""

    root: Path
    config_file: Path
    roots: tuple[str, ...] = DEFAULT_ROOTS
    output: str = "deploy"
    environments: Mapping[str, Environment] = field(default_factory=dict)
    argocd: ArgoCDSettings = field(default_factory=ArgoCDSettings)
    # Seconds one definition (or a definition file's import) may run; None: no limit (docs/configuration.md).
    definition_timeout: float | None = DEFAULT_TIME_LIMIT

    def __post_init__(self) -> None:
        object.__setattr__(self, "environments", MappingProxyType(dict(self.environments)))

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    def select_environments(self, names: tuple[str, ...] | list[str] = ()) -> tuple[Environment, ...]:
        """The environments named (all of them, in sorted order, when none are); an unknown name is a usage error."""
        if not names:
            return tuple(self.environments[name] for name in sorted(self.environments))
        unknown = [name for name in names if name not in self.environments]
        if unknown:
            known = ", ".join(sorted(self.environments)) or "none"
            guesses = [guess for name in unknown if (guess := closest(name, self.environments))]
            suggestion = f"; did you mean {', '.join(map(repr, guesses))}?" if guesses else ""
            raise UsageError(
                f"unknown environment {', '.join(map(repr, unknown))} (configured: {known}){suggestion}")
        return tuple(self.environments[name] for name in sorted(set(names)))


def at_config_line(problem: DefinitionError, project: Project) -> DefinitionError:
    """A problem about a value read from the configuration (`Threshold(above=env.value("ratio"))` with a string
    there), moved to the configuration line that holds the value; the Python line that used it is named.

    The value is known by the object the problem carries (`DefinitionError.value`): the configured one itself, read
    with `env.value(...)`, wherever the definition passed it on. A problem that carries none is moved when its line
    reads `env.value("key")` and the message quotes that key's value.
    """
    location = problem.location
    names = problem.environments or tuple(project.environments)
    for name in names:
        environment = project.environments.get(name)
        key = environment.origin_of(problem.value) if environment is not None else None
        if key is not None:
            return _moved(problem, environment, key)
    if location is None or not location.line or not location.file.endswith(".py"):
        return problem
    try:
        text = (project.root / location.file).read_text(encoding="utf-8").splitlines()[location.line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return problem
    for name in names:
        environment = project.environments.get(name)
        for key in environment.values_read_in(text) if environment is not None else ():
            quoted = re.escape(repr(environment.values[key]))
            if re.search(rf"(?<![\w.]){quoted}(?![\w.])", problem.message):
                return _moved(problem, environment, key)
    return problem


def _moved(problem: DefinitionError, environment: Environment, key: str) -> DefinitionError:
    moved = problem.with_context()
    moved.location = environment.config_location(f"values.{key}")
    read = f", read at {problem.location}" if problem.location is not None else ""
    moved.message = f"{problem.message} (the value of {key} under [{environment.table}.values]{read})"
    return moved


def find_project(start: Path | None = None) -> Path:
    """The configuration file that governs `start`: the nearest dashctl.toml or pyproject.toml with [tool.dashctl]."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "dashctl.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and "dashctl" in _read_toml(candidate).get("tool", {}):
            return candidate
    raise ProjectNotFoundError(
        f"no dashctl project found in {here} or any parent directory",
        hint="run `dashctl init DIR` to create one, or add a [tool.dashctl] table to pyproject.toml",
    )


def load_project(start: Path | None = None, *, config_file: Path | None = None) -> Project:
    """Load the project configuration that governs `start` (or the given file)."""
    path = (config_file or find_project(start)).resolve()
    document = _read_toml(path)
    settings = document if path.name == "dashctl.toml" else document.get("tool", {}).get("dashctl")
    if not isinstance(settings, dict):
        raise ConfigError("no [tool.dashctl] table", location=SourceLocation(file=str(path)))
    return _parse_project(path, settings, key_lines(path.read_text(encoding="utf-8")))


def key_lines(text: str) -> dict[str, int]:
    """The line of every table header and key of a TOML text, by dotted path (`environments.dev.values.x`).

    tomllib keeps no positions; this reads the lines a person writes (headers, `key = ...`, dotted keys) so that
    an error about a configured value can point at the line that holds it. A key inside an inline table or a
    multi-line value is found through the line of the key that holds it.
    """
    lines: dict[str, int] = {}
    table: list[str] = []
    open_brackets = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if open_brackets > 0:
            open_brackets += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            lines.setdefault(".".join(table), number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(".".join([*table, *_dotted(key.group(1))]), number)
            open_brackets = max(0, line.count("[") - line.count("]"))
    return lines


def _dotted(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in text.split(".")]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", location=SourceLocation(file=str(path))) from None
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", location=SourceLocation(file=str(path))) from None


def _parse_project(path: Path, settings: dict[str, Any], lines: dict[str, int] | None = None) -> Project:
    prefix = "[tool.dashctl]" if path.name == "pyproject.toml" else "dashctl.toml"
    table_prefix = "tool.dashctl." if path.name == "pyproject.toml" else ""
    lines = lines or {}

    def at(key: str = "") -> SourceLocation:
        """The line of `key` (dotted, below [tool.dashctl]), else of the nearest table around it."""
        parts = key.split(".") if key else []
        while True:
            line = lines.get(table_prefix + ".".join(parts)) if parts else lines.get(table_prefix.rstrip("."))
            if line is not None or not parts:
                return SourceLocation(file=str(path), line=line)
            parts.pop()

    where = at()
    _reject_unknown(settings, {"roots", "output", "environments", "argocd", "definition_timeout"}, prefix, at)
    roots = settings.get("roots", list(DEFAULT_ROOTS))
    if not (isinstance(roots, list) and roots and all(isinstance(root, str) and root for root in roots)):
        raise ConfigError(f"{prefix} roots must be a non-empty list of directory names", location=at("roots"))
    output = settings.get("output", "deploy")
    if not isinstance(output, str) or not output or Path(output).is_absolute() or ".." in Path(output).parts:
        raise ConfigError(f"{prefix} output must be a relative directory inside the project", location=at("output"))
    environments_table = settings.get("environments", {})
    if not isinstance(environments_table, dict) or not environments_table:
        raise ConfigError(
            f"{prefix} declares no environments",
            location=where,
            hint=f"add [{table_prefix}environments.dev] with namespace = \"dev\" to {path.name}",
        )
    environments = {}
    for name, table in environments_table.items():
        environment = _parse_environment(name, table, prefix, at)
        own = f"{table_prefix}environments.{name}"
        environments[name] = replace(
            environment, config_file=path.name, table=own,
            lines={key[len(own) + 1:] if key != own else "": line for key, line in lines.items()
                   if key == own or key.startswith(own + ".")},
        )
    argocd_table = settings.get("argocd", {})
    if not isinstance(argocd_table, dict):
        raise ConfigError(f"{prefix} argocd must be a table", location=at("argocd"))
    _reject_unknown(argocd_table, set(ArgoCDSettings.__dataclass_fields__), f"{prefix} argocd", at, "argocd")
    argocd = ArgoCDSettings(**{key: str(value) for key, value in argocd_table.items()})
    return Project(
        root=path.parent,
        config_file=path,
        roots=tuple(roots),
        output=output,
        environments=environments,
        argocd=argocd,
        definition_timeout=_definition_timeout(settings, prefix, at("definition_timeout")),
    )


def _definition_timeout(settings: dict[str, Any], prefix: str, where: SourceLocation) -> float | None:
    value = settings.get("definition_timeout")
    if value is None:
        return DEFAULT_TIME_LIMIT
    try:
        milliseconds = parse_duration(value) if isinstance(value, str) else None
    except ValueError:
        milliseconds = None
    if milliseconds is None:
        raise ConfigError(
            f"{prefix} definition_timeout {value!r} is not a duration",
            location=where,
            hint='for example definition_timeout = "60s" ("0s" turns the limit off)',
        )
    return milliseconds / 1000 or None


def _parse_environment(name: str, table: Any, prefix: str, at: Any) -> Environment:
    label = f"{prefix} environments.{name}"
    key = f"environments.{name}"
    if not _ENV_NAME.match(name):
        raise ConfigError(f"{label}: an environment name must be lowercase letters, digits and '-'",
                          location=at(key))
    if not isinstance(table, dict):
        raise ConfigError(f"{label} must be a table", location=at(key))
    _reject_unknown(table, {"namespace", "grafana_url", "datasources", "values", "promql_experimental_functions"},
                    label, at, key)
    experimental = table.get("promql_experimental_functions", False)
    if not isinstance(experimental, bool):
        raise ConfigError(f"{label}.promql_experimental_functions must be true or false",
                          location=at(f"{key}.promql_experimental_functions"))
    namespace = table.get("namespace", name)
    if not isinstance(namespace, str) or not _DNS_LABEL.match(namespace) or len(namespace) > 63:
        raise ConfigError(f"{label}.namespace {namespace!r} is not a valid Kubernetes namespace",
                          location=at(f"{key}.namespace"))
    grafana_url = table.get("grafana_url")
    if grafana_url is not None and not (isinstance(grafana_url, str) and grafana_url.startswith(("http://", "https://"))):
        raise ConfigError(f"{label}.grafana_url must be an http:// or https:// URL", location=at(f"{key}.grafana_url"))
    datasources: dict[str, DatasourceRef] = {}
    for logical, ref in table.get("datasources", {}).items():
        if not (isinstance(ref, dict) and isinstance(ref.get("uid"), str) and isinstance(ref.get("type"), str)):
            raise ConfigError(
                f"{label}.datasources.{logical} must be a table with uid and type",
                location=at(f"{key}.datasources.{logical}"),
                hint=f'{logical} = {{ uid = "prometheus", type = "prometheus" }}',
            )
        _reject_unknown(ref, {"uid", "type"}, f"{label}.datasources.{logical}", at, f"{key}.datasources.{logical}")
        datasources[logical] = DatasourceRef(uid=ref["uid"], type=ref["type"])
    values = table.get("values", {})
    if not isinstance(values, dict):
        raise ConfigError(f"{label}.values must be a table", location=at(f"{key}.values"))
    return Environment(
        name=name,
        namespace=namespace,
        grafana_url=grafana_url,
        datasources=datasources,
        values=values,
        promql_experimental_functions=experimental,
    )


def _reject_unknown(table: dict[str, Any], allowed: set[str], label: str, at: Any, key: str = "") -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        guesses = [f"{name!r} → {guess!r}" for name in unknown if (guess := closest(name, allowed))]
        raise ConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}",
            location=at(f"{key}.{unknown[0]}" if key else unknown[0]),
            hint=(f"did you mean {', '.join(guesses)}? " if guesses else "") + f"allowed: {', '.join(sorted(allowed))}",
        )
