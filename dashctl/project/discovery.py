"""Find the definitions of a project: import every Python file under its roots, in sorted order.

A file that fails to import is reported with its file and line, and the other files are still imported, so one
broken file never hides the problems of the others. The build cache may answer for a file none of whose inputs
changed since it was last imported: that file is then not imported at all (`discover_definitions(known=...)`).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from dashctl.definitions import Definition, collecting, relative_location
from dashctl.errors import DashctlError, DefinitionError, SourceLocation
from dashctl.project.config import Project
from dashctl.project.user_code import innermost_user_frame, run_user_code

__all__ = [
    "Discovery", "definition_files", "discover_definitions", "error_from_exception", "import_definition_file",
]


@dataclass(frozen=True, kw_only=True)
class Discovery:
    """What discovery found: the definitions in file order, and every problem met on the way."""

    definitions: tuple[Definition, ...]
    errors: tuple[DefinitionError, ...]
    # The definition file (relative to the project root) whose import registered each definition, in step with
    # `definitions`; empty when unknown.
    origins: tuple[str, ...] = ()

    def of_kind(self, kind: str) -> tuple[Definition, ...]:
        return tuple(definition for definition in self.definitions if definition.kind == kind)


def definition_files(project: Project) -> list[Path]:
    """The Python files under the project's roots, sorted; `_`-prefixed files are shared modules, not scanned."""
    files: list[Path] = []
    for root in project.roots:
        directory = project.root / root
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.py")):
            relative = path.relative_to(directory)
            if any(part.startswith(("_", ".")) for part in relative.parts):
                continue
            files.append(path)
    return sorted(files, key=lambda path: path.relative_to(project.root).as_posix())


def discover_definitions(
    project: Project, *, known: Callable[[str], tuple[Definition, ...] | None] | None = None
) -> Discovery:
    """Import every definition file of the project and collect what the decorators registered.

    `known` may answer for a file (by its path relative to the project root) with the definitions an earlier
    import of it registered (the build cache, when nothing the file depends on changed): that file is then not
    imported.
    """
    definitions: list[Definition] = []
    origins: list[str] = []
    errors: list[DefinitionError] = []
    with _importable(project.root):
        for path in definition_files(project):
            relative = path.relative_to(project.root).as_posix()
            found = known(relative) if known is not None else None
            if found is None:
                try:
                    found = _import_definitions(project, path)
                except DefinitionError as error:
                    errors.append(error)
                    continue
            definitions.extend(found)
            origins.extend(relative for _ in found)
    return Discovery(definitions=tuple(definitions), errors=tuple(errors), origins=tuple(origins))


def import_definition_file(project: Project, relative: str) -> tuple[Definition, ...]:
    """Import one definition file as discovery does, and return what it registered; DefinitionError if it fails."""
    with _importable(project.root):
        return _import_definitions(project, project.root / relative)


def _import_definitions(project: Project, path: Path) -> tuple[Definition, ...]:
    with collecting() as found:
        try:
            where = SourceLocation(file=path.relative_to(project.root).as_posix())
            run_user_code(f"the import of {where}", where, project.definition_timeout, _import_file, project, path)
        except (Exception, SystemExit) as error:  # any failure of user code is reported, not raised
            raise error_from_exception(error, project.root, fallback=path) from None
    return tuple(
        replace(definition, location=relative_location(definition.location, project.root),
                time_limit=project.definition_timeout)
        for definition in found
    )


def error_from_exception(error: BaseException, root: Path, *, fallback: Path, definition: str | None = None) -> DefinitionError:
    """Turn whatever user code raised into a DefinitionError pointing at the user's own file and line."""
    if isinstance(error, DefinitionError):
        located = error.with_context(location=_deepest_user_frame(error, root, fallback), definition=definition)
        if located.location is not None:
            located.location = relative_location(located.location, root)
            if located.keyword is not None:  # at the line of `severity=`, not of the call that has it
                from dashctl.lint.source import SourceIndex

                located.location = SourceIndex(root).keyword_location(located.location, located.keyword) or \
                    located.location
        return located
    if isinstance(error, SyntaxError) and error.filename:
        location = relative_location(SourceLocation(file=error.filename, line=error.lineno), root)
        return DefinitionError(
            f"syntax error: {error.msg}", location=location, definition=definition, hint=_syntax_hint(error)
        )
    location = relative_location(_deepest_user_frame(error, root, fallback), root)
    message = str(error) if isinstance(error, DashctlError) else f"{type(error).__name__}: {error}"
    return DefinitionError(message, location=location, definition=definition)


def _syntax_hint(error: SyntaxError) -> str | None:
    if error.text:
        column = max((error.offset or 1) - 1, 0)
        return f"{error.text.rstrip()}\n        {' ' * column}^"
    return None


def _deepest_user_frame(error: BaseException, root: Path, fallback: Path) -> SourceLocation:
    """The innermost traceback frame inside the project (not dashctl, not a library): where the user's code failed."""
    return innermost_user_frame(error, root.resolve()) or SourceLocation(file=str(fallback))


def _import_file(project: Project, path: Path) -> None:
    relative = path.relative_to(project.root).with_suffix("")
    module_name = "dashctl_definitions." + ".".join(relative.parts)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError("cannot be imported as Python", location=SourceLocation(file=str(path)))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        # Definitions keep references to their functions; the module entry would only pin stale state between
        # builds in one process (preview --watch).
        sys.modules.pop(module_name, None)


@contextmanager
def _importable(root: Path) -> Iterator[None]:
    """Let definition files import the project's shared modules (e.g. `telemetry.py`) while discovery runs."""
    entry = str(root)
    before = set(sys.modules)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        if entry in sys.path:
            sys.path.remove(entry)
        # Forget the project's shared modules so the next discovery (watch mode, tests) sees edits.
        installed = Path(sys.prefix).resolve()
        for name in set(sys.modules) - before:
            if name.split(".")[0] == "dashctl":
                continue  # dashctl itself (under the root when the project is dashctl's own repository)
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            # Libraries of a virtualenv inside the project (.venv) stay: forgetting grafanalib would give the
            # next discovery a second grafanalib whose classes dashctl's presets do not recognise.
            if module_file and Path(module_file).resolve().is_relative_to(root.resolve()) \
                    and not Path(module_file).resolve().is_relative_to(installed):
                sys.modules.pop(name, None)

