"""Every error dashctl raises, rooted at DashctlError.

The CLI turns these into messages and exit codes in one place (`dashctl/cli/failure.py`); the library only raises.

    DashctlError
    ├── UsageError                 a request the caller got wrong (exit 2)
    ├── ConfigError                pyproject.toml / dashctl.toml [tool.dashctl] is missing or wrong (exit 3)
    │   └── ProjectNotFoundError   no project in the directory or its parents: run in the wrong place (exit 2)
    ├── DefinitionError            one problem in one definition, with its file and line (exit 3)
    │   ├── QuerySyntaxError       a PromQL or LogQL query that does not parse, with the position
    │   └── DefinitionTimeoutError a definition (or a file's import) ran past the project's definition_timeout
    ├── DefinitionErrors           several DefinitionErrors reported together (exit 3)
    ├── OutputError                the build output cannot be written or read (exit 3)
    ├── DatasourceError            Prometheus or Loki answered with an error or could not be reached (exit 4)
    └── GrafanaError               Grafana answered with an error or could not be reached (exit 4)
        ├── GrafanaAuthError       401 / 403
        ├── GrafanaNotFoundError   404
        ├── GrafanaConflictError   409 / 412
        └── GrafanaUnavailableError  connection failure, timeout, 429, 5xx after retries

    KeyboardInterrupt
    └── DefinitionInterrupted      Ctrl-C while a definition ran: names it (not an Exception, so nothing swallows it)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "DashctlError",
    "DatasourceError",
    "DefinitionError",
    "DefinitionErrors",
    "DefinitionInterrupted",
    "DefinitionTimeoutError",
    "GrafanaAuthError",
    "GrafanaConflictError",
    "GrafanaError",
    "GrafanaNotFoundError",
    "GrafanaUnavailableError",
    "OutputError",
    "ProjectNotFoundError",
    "QuerySyntaxError",
    "SourceLocation",
    "UsageError",
    "raise_problems",
    "report_once",
]


@dataclass(frozen=True, kw_only=True, order=True)
class SourceLocation:
    """A place in a user's file: where a definition was written or a problem was found."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class DashctlError(Exception):
    """Root of every error dashctl raises on purpose."""

    exit_code = 3


class UsageError(DashctlError):
    """The caller asked for something that cannot be done as asked (unknown environment, bad option value)."""

    exit_code = 2


class ConfigError(DashctlError):
    """The project configuration ([tool.dashctl]) is missing or invalid."""

    def __init__(self, message: str, *, location: SourceLocation | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        return _render(self.message, self.location, None, self.hint)


class ProjectNotFoundError(ConfigError):
    """No dashctl.toml or [tool.dashctl] governs the directory: a command run in the wrong place, a usage error."""

    exit_code = 2


class DefinitionError(DashctlError):
    """One problem in one definition: what is wrong, where, in which definition, and how to fix it."""

    # The environments whose build met this problem, when it is reported once for several (`report_once`).
    environments: tuple[str, ...] = ()

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        definition: str | None = None,
        hint: str | None = None,
        value: object = None,
        keyword: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.location = location
        self.definition = definition
        self.hint = hint
        # The bad value the message is about (the very object), so that one read from the configuration with
        # `env.value(...)` is reported where the configuration writes it (dashctl.project.config.at_config_line).
        self.value = value
        # The keyword argument of the call at `location` that holds the bad value (`severity`), so that the
        # problem can be moved to the line where `severity=` is written.
        self.keyword = keyword

    def in_environments(self, names: Sequence[str]) -> DefinitionError:
        """This error, marked as met in the builds of `names` (rendered after the message)."""
        clone = self.with_context()
        clone.environments = tuple(names)
        return clone

    def with_context(
        self, *, location: SourceLocation | None = None, definition: str | None = None
    ) -> DefinitionError:
        """Return this error with the location and definition filled in where they were still unknown."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        Exception.__init__(clone, *self.args)
        clone.location = self.location or location
        clone.definition = self.definition or definition
        return clone

    def __str__(self) -> str:
        return _render(self._message_in_environments(), self.location, self.definition, self.hint)

    def _message_in_environments(self) -> str:
        names = self.environments
        if not names:
            return self.message
        return f"{self.message} [{'environment' if len(names) == 1 else 'environments'} {', '.join(names)}]"


class QuerySyntaxError(DefinitionError):
    """A PromQL or LogQL query that does not parse; `position` is the 0-based character offset in `query`."""

    def __init__(
        self,
        message: str,
        *,
        query: str,
        position: int | None = None,
        language: str,
        location: SourceLocation | None = None,
        definition: str | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, location=location, definition=definition, hint=hint)
        self.query = query
        self.position = position
        self.language = language

    def __str__(self) -> str:
        text = _render(f"invalid {self.language}: {self._message_in_environments()}", self.location,
                       self.definition, None)
        text += f"\n    {self.query}"
        if self.position is not None:
            text += f"\n    {' ' * self.position}^ (column {self.position + 1})"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class DefinitionTimeoutError(DefinitionError):
    """A definition (or a definition file's import) ran longer than the project's `definition_timeout`."""


class DefinitionErrors(DashctlError):
    """Several definition problems found in one pass, reported together."""

    def __init__(self, errors: Iterable[DefinitionError]):
        self.errors: Sequence[DefinitionError] = tuple(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the definitions")

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class DefinitionInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while user code ran: which definition (or file being imported) it was, and where it was."""

    def __init__(self, definition: str, location: SourceLocation | None = None):
        super().__init__(definition)
        self.definition = definition
        self.location = location

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"interrupted while running {self.definition}{where}"


class OutputError(DashctlError):
    """The build output directory cannot be written or read."""


class DatasourceError(DashctlError):
    """A datasource's HTTP API (Prometheus, Loki) could not be reached or refused the request; no credential in it."""

    exit_code = 4


class GrafanaError(DashctlError):
    """Grafana answered with an error, or could not be reached; carries the URL, status and Grafana's message."""

    exit_code = 4

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        if self.url:
            parts.append(f"from {self.url}")
        return " ".join(parts)


class GrafanaAuthError(GrafanaError):
    """401 or 403: the token is wrong, expired, or lacks a permission."""


class GrafanaNotFoundError(GrafanaError):
    """404: the object does not exist."""


class GrafanaConflictError(GrafanaError):
    """409 or 412: the object changed or exists under another identity."""


class GrafanaUnavailableError(GrafanaError):
    """The server could not be reached or stayed unavailable after retries."""


def raise_problems(problems: Sequence[DefinitionError]) -> None:
    """Raise the problems found in one object: every one of them, not just the first."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise DefinitionErrors(problems)


def report_once(problems: Sequence[DefinitionError]) -> list[DefinitionError]:
    """One root cause, one report: the same problem met in several environments' builds (a broken query in a
    shared dashboard, whose text differs by the namespace it interpolates) is kept once, naming them all."""
    merged: dict[tuple[str, ...], DefinitionError] = {}
    for problem in problems:
        key = _root_cause(problem)
        first = merged.get(key)
        if first is None:
            merged[key] = problem
        elif problem.environments:
            merged[key] = first.in_environments(tuple(dict.fromkeys((*first.environments, *problem.environments))))
    return list(merged.values())


def _root_cause(problem: DefinitionError) -> tuple[str, ...]:
    """Where and what, with the environment's name left out of the message and the definition's label."""
    message, definition = problem.message, str(problem.definition)
    for name in problem.environments:
        for form in (repr(name), f"({name})"):
            message = message.replace(form, "<environment>")
            definition = definition.replace(form, "<environment>")
    return (type(problem).__name__, str(problem.location), definition, message, str(problem.hint))


def _render(message: str, location: SourceLocation | None, definition: str | None, hint: str | None) -> str:
    head = f"{location}: " if location else ""
    where = f"{definition}: " if definition else ""
    text = f"{head}{where}{message}"
    if hint:
        text += f"\n  hint: {hint}"
    return text
