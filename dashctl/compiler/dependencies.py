"""Which project files each project file imports, opens or lists: recorded while definitions import and build.

The build cache keys each definition on these (`dashctl.compiler.cache`). `import` statements are seen through
`builtins.__import__`, `importlib.import_module` through a wrapper, files opened and directories listed through
an audit hook (`open`, `os.listdir`, `os.scandir`), each attributed to the innermost project file on the stack.
Only files under the project root count, never dashctl's own or an installed package's.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DependencyRecorder", "merge_recorded", "recorded", "recording"]

_DASHCTL = Path(__file__).resolve().parents[1]


@dataclass(kw_only=True)
class DependencyRecorder:
    """Which project files each project file imports or opens, recorded while definitions import and build."""

    root: str
    edges: dict[str, set[str]] = field(default_factory=dict)

    def project_file(self, path: str | None) -> str | None:
        if not path:
            return None
        path = os.path.abspath(path)
        if not path.startswith(self.root) or "site-packages" in path or path.startswith(str(_DASHCTL)):
            return None
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def add(self, importer: str | None, imported: str | None) -> None:
        source, target = self.project_file(importer), self.project_file(imported)
        if source is not None and target is not None and source != target:
            self.edges.setdefault(source, set()).add(target)

    def closure(self, file: str) -> set[str]:
        seen: set[str] = set()
        pending = [file]
        while pending:
            for target in self.edges.get(pending.pop(), ()):
                if target not in seen and target != file:
                    seen.add(target)
                    pending.append(target)
        return seen


_ACTIVE: list[DependencyRecorder] = []
_AUDIT_INSTALLED = False


_WATCHED_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Audit hooks cannot be removed: this one does nothing unless a recorder is active. A file opened is a
    # dependency by its content; a directory listed (glob, iterdir) by its names.
    if event not in _WATCHED_EVENTS or not _ACTIVE or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    recorder = _ACTIVE[-1]
    opened = os.fsdecode(args[0])
    if recorder.project_file(opened) is None:
        return
    frame = sys._getframe(1)
    while frame is not None:
        owner = recorder.project_file(frame.f_code.co_filename)
        if owner is not None:
            recorder.add(frame.f_code.co_filename, opened)
            return
        frame = frame.f_back


def recorded(*, clear: bool = False) -> dict[str, list[str]]:
    """What the active recorder holds (in a worker process: what its definitions imported and opened since the
    last call with `clear`)."""
    if not _ACTIVE:
        return {}
    edges = {source: sorted(targets) for source, targets in _ACTIVE[-1].edges.items()}
    if clear:
        _ACTIVE[-1].edges = {}
    return edges


def merge_recorded(edges: Mapping[str, list[str]]) -> None:
    """Add what a worker process recorded to the active recorder of this process."""
    if _ACTIVE:
        for source, targets in edges.items():
            _ACTIVE[-1].edges.setdefault(source, set()).update(targets)


@contextmanager
def recording(root: Path) -> Iterator[DependencyRecorder]:
    global _AUDIT_INSTALLED
    recorder = DependencyRecorder(root=str(root.resolve()) + os.sep)
    original = builtins.__import__

    def tracking_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        module = original(name, globals, locals, fromlist, level)
        importer = globals.get("__file__") if globals else None
        if importer and importer.startswith(recorder.root) and "site-packages" not in importer:
            _record_import(recorder, importer, name, globals, fromlist, level)
        return module

    original_import_module = importlib.import_module

    def tracking_import_module(name: str, package: str | None = None) -> Any:
        module = original_import_module(name, package)
        caller = sys._getframe(1).f_globals
        importer = caller.get("__file__")
        if importer and importer.startswith(recorder.root) and "site-packages" not in importer:
            _record_import(recorder, importer, module.__name__, caller, (), 0)
        return module

    if not _AUDIT_INSTALLED:
        sys.addaudithook(_audit)
        _AUDIT_INSTALLED = True
    builtins.__import__ = tracking_import
    importlib.import_module = tracking_import_module  # type: ignore[assignment]
    _ACTIVE.append(recorder)
    try:
        yield recorder
    finally:
        _ACTIVE.remove(recorder)
        builtins.__import__ = original
        importlib.import_module = original_import_module  # type: ignore[assignment]


def _record_import(recorder: DependencyRecorder, importer: str, name: str, globals: Any, fromlist: Any, level: int) -> None:
    if level:
        try:
            name = importlib.util.resolve_name("." * level + name, globals.get("__package__"))
        except (ImportError, ValueError):
            return
    parts = name.split(".")
    names = [".".join(parts[: index + 1]) for index in range(len(parts))]
    names.extend(f"{name}.{item}" for item in fromlist or () if isinstance(item, str) and item != "*")
    for module_name in names:
        module = sys.modules.get(module_name)
        recorder.add(importer, getattr(module, "__file__", None))
