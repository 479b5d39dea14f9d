"""The decorators with which authors declare definitions, and the registry that discovery collects them into.

A definition is a function of the environment: `@dashboard(uid="backend-api", folder="Backend")` on
`def backend_api(env): return Dashboard(...)` yields the dev and the prod dashboard from one piece of code.
Decorating only records the function; nothing is built until `dashctl build` asks for an environment.
"""

from __future__ import annotations

import contextvars
import functools
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from dashctl.errors import DefinitionError, SourceLocation
from dashctl.folders import folder_title_problem, shorten_title
from dashctl.project.user_code import run_user_code

__all__ = [
    "Definition",
    "UID_MAX_LENGTH",
    "caller_location",
    "collecting",
    "dashboard",
    "datasources",
    "define",
    "validate_uid",
]

UID_MAX_LENGTH = 40  # Grafana's MaxUIDLength (pkg/util/shortid_generator.go)
_UID = re.compile(r"^[A-Za-z0-9_-]+$")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, kw_only=True)
class Definition:
    """One decorated function: what kind of object it builds, its options, and where it was written."""

    kind: str
    name: str
    build: Callable[..., Any]
    location: SourceLocation
    options: Mapping[str, Any] = field(default_factory=dict)
    environments: tuple[str, ...] | None = None
    # Seconds one call may run (the project's definition_timeout, set by discovery); None: no limit.
    time_limit: float | None = None
    # The file whose import registered the definition (discovery's unit; may differ from `location` when the
    # function was written in a shared module): the build cache keys each definition on it and what it imports.
    module_file: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        # `build` runs the user's function under the time limit, names it on Ctrl-C and checks what it returned.
        object.__setattr__(self, "build", _Run(self, getattr(self.build, "__wrapped__", self.build)))

    def applies_to(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments

    @property
    def label(self) -> str:
        # What the author named it (a dashboard's uid, a rule group's name) and its function, which may be a lambda.
        named = self.options.get("uid") or self.options.get("name")
        return f"{self.kind} {named!r} ({self.name})" if isinstance(named, str) else f"{self.kind} {self.name}"


class _Run:
    """A definition's function as the pipeline calls it (see Definition.build)."""

    def __init__(self, definition: Definition, function: Callable[..., Any]):
        functools.update_wrapper(self, function)  # keeps __name__, __qualname__, __doc__; sets __wrapped__
        self.definition = definition
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        definition = self.definition
        result = run_user_code(
            definition.label, definition.location, definition.time_limit, lambda: self.function(*args, **kwargs)
        )
        if definition.kind == "dashboard":
            _check_dashboard_result(definition, result)
        return result


def _check_dashboard_result(definition: Definition, result: Any) -> None:
    if result is None:
        raise DefinitionError(
            "returned None instead of a dashboard",
            location=definition.location,
            definition=definition.label,
            hint="end the function with `return Dashboard(title=..., panels=[...])` (or a plain dict of Grafana's "
            "dashboard JSON, see docs/authoring.md)",
        )
    if isinstance(result, dict):
        from dashctl.dashboards.plain import check_plain_dashboard

        problems = check_plain_dashboard(result)
        if problems:
            raise DefinitionError(
                "returned a plain dict that is not a Grafana dashboard:\n    " + "\n    ".join(problems),
                location=definition.location,
                definition=definition.label,
                hint="a plain dict must hold Grafana's dashboard JSON model (docs/authoring.md, \"Plain dicts\")",
            )


_registry: contextvars.ContextVar[list[Definition] | None] = contextvars.ContextVar("dashctl_registry", default=None)


@contextmanager
def collecting() -> Iterator[list[Definition]]:
    """Collect the definitions that decorators register while the block runs (discovery imports files inside it)."""
    found: list[Definition] = []
    token = _registry.set(found)
    try:
        yield found
    finally:
        _registry.reset(token)


def location_of(function: Callable[..., Any]) -> SourceLocation:
    """Where a function was written: its file and the line of its first decorator."""
    code = function.__code__
    return SourceLocation(file=code.co_filename, line=code.co_firstlineno)


def caller_location() -> SourceLocation:
    """Where the user constructed an object: the first frame outside dashctl (for a dataclass `default_factory`)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "dashctl":
        frame = frame.f_back
    if frame is None:
        return SourceLocation(file="<unknown>")
    return SourceLocation(file=frame.f_code.co_filename, line=frame.f_lineno)


def validate_uid(uid: Any, *, what: str, location: SourceLocation | None = None) -> str:
    """A Grafana uid: 1 to 40 characters of letters, digits, '-' and '_' (pkg/util/shortid_generator.go)."""
    if not isinstance(uid, str) or not uid:
        raise DefinitionError(f"{what} needs a uid (a non-empty string)", location=location)
    if len(uid) > UID_MAX_LENGTH:
        raise DefinitionError(
            f"{what} uid {uid!r} is {len(uid)} characters long; Grafana allows at most {UID_MAX_LENGTH}",
            location=location,
            hint="shorten the uid; it is part of the dashboard URL, so keep it stable once deployed",
        )
    if not _UID.match(uid):
        raise DefinitionError(
            f"{what} uid {uid!r} has characters Grafana rejects",
            location=location,
            hint="use only letters, digits, '-' and '_'",
        )
    return uid


def define(kind: str, function: F, *, options: Mapping[str, Any], environments: Any = None) -> F:
    """Register `function` as a definition of `kind`; the shared mechanism behind every decorator."""
    location = location_of(function)
    if not callable(function):
        raise DefinitionError(f"@{kind} must decorate a function of the environment", location=location)
    if environments is not None:
        if isinstance(environments, str) or not all(isinstance(name, str) for name in environments):
            raise DefinitionError(
                f"@{kind}(environments=...) takes a list of environment names", location=location
            )
        environments = tuple(environments)
    definition = Definition(
        kind=kind,
        name=function.__qualname__,
        build=function,
        location=location,
        options=options,
        environments=environments,
        module_file=_registering_module(),
    )
    found = _registry.get()
    if found is not None:
        found.append(definition)
    return function


def _registering_module() -> str | None:
    """The file of the innermost module body being executed (outside dashctl): the import that registers."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__", "").split(".")[0] != "dashctl":
            return frame.f_code.co_filename
        frame = frame.f_back
    return None


def dashboard(
    *, uid: str, folder: str | None = None, environments: list[str] | None = None, layout: str = "auto",
    allow_undefined_variables: Sequence[str] = (),
) -> Callable[[F], F]:
    """Declare a dashboard: the decorated function takes the Environment and returns a grafanalib Dashboard.

    `uid` is the dashboard's fixed Grafana uid (the `/d/<uid>` URL); `folder` the Grafana folder title it is
    filed under (the sidecar's folder annotation); `environments` limits it to some environments; `layout`
    "auto" computes every panel's position, "manual" keeps the gridPos each panel gives.
    `allow_undefined_variables` names variables (without `$`) that queries, links or repeats may use although no
    template variable defines them (Grafana shows them as written): the build accepts exactly these, reports a
    listed name that is defined or unused, and `dashctl lint` warns about each (dashboard/undefined-variable-allowed).
    """

    def decorate(function: F) -> F:
        location = location_of(function)
        validate_uid(uid, what="dashboard", location=location)
        problem = folder_title_problem(folder) if folder is not None else None
        if problem:
            raise DefinitionError(
                f"dashboard {uid!r} folder {shorten_title(folder)} {problem}",
                location=location,
                hint="Grafana's file provisioning uses only the last directory as the folder: no nesting",
            )
        if layout not in ("auto", "manual"):
            raise DefinitionError(f"dashboard {uid!r} layout must be 'auto' or 'manual'", location=location)
        options = {"uid": uid, "folder": folder, "layout": layout}
        if allow_undefined_variables:
            options["allow_undefined_variables"] = _variable_names(allow_undefined_variables, uid, location)
        return define("dashboard", function, options=options, environments=environments)

    return decorate


_VARIABLE_NAME = re.compile(r"^\w+$")


def _variable_names(names: Any, uid: str, location: SourceLocation) -> tuple[str, ...]:
    """`allow_undefined_variables` as a tuple of bare names; a lone string, a `$` or a duplicate is refused."""
    where = f"dashboard {uid!r} allow_undefined_variables"
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise DefinitionError(f"{where} must be a tuple of variable names",
                              location=location, hint='allow_undefined_variables=("hostname",)')
    for name in names:
        if not _VARIABLE_NAME.match(name):
            raise DefinitionError(f"{where}: {name!r} is not a variable name", location=location,
                                  hint=f"write the name without `$` or braces, e.g. {name.strip('${}[]')!r}")
    duplicates = sorted({name for name in names if list(names).count(name) > 1})
    if duplicates:
        raise DefinitionError(f"{where} lists {', '.join(duplicates)} more than once", location=location)
    return tuple(names)


def datasources(function: F | None = None, *, environments: list[str] | None = None) -> Any:
    """Declare datasources: the decorated function takes the Environment and returns a list of Datasource."""

    def decorate(inner: F) -> F:
        return define("datasources", inner, options={}, environments=environments)

    return decorate(function) if function is not None else decorate


def relative_location(location: SourceLocation, root: Path) -> SourceLocation:
    """The same location with the file shown relative to the project root, as users wrote it."""
    relative = _relative_file(location.file, str(root))
    return location if relative is None else SourceLocation(file=relative, line=location.line)


# Resolving a path costs a system call per component, and a definition file declares many definitions: resolved once
# per file (discovery of 1,000 dashboards from 100 files spent half its time here).
@functools.lru_cache(maxsize=4096)
def _relative_file(file: str, root: str) -> str | None:
    try:
        return str(Path(file).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return None
