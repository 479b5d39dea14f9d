"""The build cache: a rebuild compiles only the definitions whose inputs changed.

Stored beside the output directory, in `.dashctl-cache/<output dir name>/` (for `deploy/`: `.dashctl-cache/deploy/`
at the project root), where CI can keep it between runs (nothing in it depends on file times or on where the
project is checked out); it is never committed. It holds `index.json` and the
files it names under `blobs/`, each named by the SHA-256 of its content.

What a cached result is keyed by (everything that can change it):
- the base: the cache format, dashctl's version and the content of its own source files, the Python version, the
  versions of grafanalib, PyYAML, orjson and promql-parser, and the configuration file's bytes (a build of some
  environments keeps the other environments' entries);
- per definition: the file whose import registered it, the file its function was written in, and everything
  those import, open or list inside the project, transitively, as recorded while the previous build ran them
  (`import` statements and `importlib.import_module`, every file opened under the project root by its content,
  every directory listed there, by `glob` or `iterdir`, by its names);
- for the alerting of an environment: every file defining alerting, the files of the dashboards its rules link
  to, and the previous alerting files of that environment (deletions are carried over from them).
Environment variables read by definition code and packages other than those above are not part of the key:
`--no-cache` (or deleting the directory) after changing them.

A cache that cannot be read, names a blob that is missing, or holds a blob whose content does not match its name
is ignored and rewritten, never trusted; writing the cache is best effort (an unwritable cache costs speed only).
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dashctl import __version__
from dashctl.compiler.pipeline import PackagedDashboard
from dashctl.definitions import Definition
from dashctl.errors import SourceLocation
from dashctl.project.config import Project

__all__ = ["BuildCache", "CACHE_DIR", "cache_directory", "merge_recorded", "recorded"]

CACHE_DIR = ".dashctl-cache"
_FORMAT = 1
_PACKAGES = ("grafanalib", "yaml", "orjson", "promql_parser")
# The distribution name each package comes in, lowercased with '_' for '-', as its metadata directory begins.
_DISTRIBUTIONS = {"grafanalib": "grafanalib_", "yaml": "pyyaml_", "orjson": "orjson_", "promql_parser": "promql_parser_"}
_DASHCTL = Path(__file__).resolve().parents[1]


def cache_directory(output_dir: Path) -> Path:
    """Where the cache of an output directory lives: beside it, in `.dashctl-cache/<its name>/`."""
    output_dir = output_dir.absolute()
    return output_dir.parent / CACHE_DIR / output_dir.name


@dataclass(kw_only=True)
class _Recorder:
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


_ACTIVE: list[_Recorder] = []
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
def _recording(root: Path) -> Iterator[_Recorder]:
    global _AUDIT_INSTALLED
    recorder = _Recorder(root=str(root.resolve()) + os.sep)
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


def _record_import(recorder: _Recorder, importer: str, name: str, globals: Any, fromlist: Any, level: int) -> None:
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


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key(*parts: Any) -> str:
    return _digest(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS))


def _base_key(project: Project) -> str:
    # By content, not by file times: CI installs dashctl and checks the project out afresh on every run, and the
    # cache it restores must still match. dashctl's sources are about 200 small files, read in milliseconds.
    sources = sorted(
        (path.relative_to(_DASHCTL).as_posix(), _digest(path.read_bytes())) for path in _DASHCTL.rglob("*.py")
    )
    return _key(_FORMAT, __version__, sources, sys.version, _package_versions(),
                _digest(project.config_file.read_bytes()))


def _package_versions() -> list[str]:
    """The installed distributions of the packages dashctl builds with, by their metadata directory names
    (`grafanalib-0.7.1.dist-info`): cheaper than importlib.metadata, which imports more than a no-op build does."""
    found: set[str] = set()
    for package in _PACKAGES:
        spec = importlib.util.find_spec(package)
        origin = spec.origin if spec is not None else None
        if not origin:
            found.add(f"{package}: not found")
            continue
        site = Path(origin).parent.parent
        try:
            names = os.listdir(site)
        except OSError:
            names = []
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and name.lower().replace("-", "_").startswith(
                _DISTRIBUTIONS[package]
            ):
                found.add(name)
    return sorted(found)


class BuildCache:
    """The cache of one output directory, loaded for one build (see the module's docstring for its key)."""

    def __init__(self, directory: Path, project: Project, environments: Iterable[str]) -> None:
        self.directory = directory
        self.project = project
        self.root = project.root.resolve()
        self.base = _base_key(project)
        self.environments = sorted(environments)
        self.index = self._load_index()
        self._contents: dict[str, str] = {}
        self._file_keys: dict[str, str | None] = {}  # emptied when the dependencies change (store)
        self._relative_files: dict[str, str] = {}
        self._previous: Mapping[str, bytes] = {}  # the output directory as the build found it (see `whole`)
        self._recorder: _Recorder | None = None
        # (definition, environment, entry) of every dashboard this build packaged or reused, and the same for
        # sections by name: their keys are computed when storing, from the dependencies this build recorded.
        self._dashboards: list[tuple[Definition, str, dict[str, Any]]] = []
        self._sections: dict[str, tuple[list[Definition], Mapping[str, bytes], dict[str, Any]]] = {}
        # Digests of the blobs this build stored: each is written when it is first met, not held until `store`
        # (the build's memory must not grow with its output).
        self._kept: set[str] = set()

    # ---------------------------------------------------------------------------------------------- reading

    def _load_index(self) -> dict[str, Any]:
        # The first line is the SHA-256 of the rest: a damaged index is noticed, not half read.
        try:
            checksum, _, body = (self.directory / "index.json").read_bytes().partition(b"\n")
            if checksum.decode("ascii", "replace") != _digest(body):
                return {}
            index = orjson.loads(body)
        except (OSError, orjson.JSONDecodeError):
            return {}
        if not isinstance(index, dict) or index.get("format") != _FORMAT or index.get("base") != self.base:
            return {}
        if not all(isinstance(index.get(name), dict) for name in ("deps", "dashboards", "sections", "whole")):
            return {}
        return index

    def _content(self, file: str) -> str:
        found = self._contents.get(file)
        if found is None:
            path = self.root / file
            try:
                if path.is_dir():
                    found = _key("directory", sorted(os.listdir(path)))
                else:
                    found = _digest(path.read_bytes())
            except OSError:
                found = "missing"
            self._contents[file] = found
        return found

    def file_key(self, file: str) -> str | None:
        """The key of a file and everything it imports or opens, None when the last build did not record them."""
        if file in self._file_keys:
            return self._file_keys[file]
        deps = self.index.get("deps", {}).get(file)
        key = None
        if isinstance(deps, list):
            key = _key(file, self._content(file), [(dep, self._content(dep)) for dep in sorted(map(str, deps))])
        self._file_keys[file] = key
        return key

    def _blob(self, digest: str, on_disk: str | None = None) -> bytes | None:
        """The content with this digest: the output file `on_disk` when it still holds it, else the blob."""
        if on_disk is not None:
            data = self._previous.get(on_disk)
            if data is not None and _digest(data) == digest:
                self._keep(data, digest)  # rewritten if its blob went missing
                return data
        try:
            data = (self.directory / "blobs" / digest).read_bytes()
        except OSError:
            return None
        return data if _digest(data) == digest else None

    def whole(self, definition_files: list[str], previous: Mapping[str, bytes]) -> tuple[dict[str, bytes], dict[str, Any]] | None:
        """The files and summary of the last build when none of its inputs changed, else None."""
        try:
            return self._whole(definition_files, previous)
        except (AttributeError, KeyError, TypeError, ValueError):  # an index of the right shape holding garbage
            return None

    def _whole(self, definition_files: list[str], previous: Mapping[str, bytes]) -> tuple[dict[str, bytes], dict[str, Any]] | None:
        self._previous = previous
        entry = self.index.get("whole", {})
        key = self._whole_key(definition_files, previous)
        if key is None or entry.get("key") != key or not isinstance(entry.get("files"), dict):
            return None
        files: dict[str, bytes] = {}
        for path, digest in entry["files"].items():
            if not _safe_path(path, depth=2):
                return None
            data = self._blob(digest, on_disk=path)
            if data is None:
                return None
            files[path] = data
        return files, entry.get("summary", {})

    def _whole_key(self, definition_files: list[str], previous: Mapping[str, bytes]) -> str | None:
        keys = []
        for file in definition_files:
            key = self.file_key(file)
            if key is None:
                return None
            keys.append((file, key))
        return _key(self.base, self.environments, keys, _alerting_state(previous, None))

    def has_dashboard(self, definition: Definition, environment: str) -> bool:
        """Whether the index holds the dashboard (its blob is read, and checked, by `dashboard`)."""
        key = self._definition_key(definition, environment)
        return key is not None and key in self.index.get("dashboards", {})

    def dashboard(self, definition: Definition, environment: str) -> PackagedDashboard | None:
        key = self._definition_key(definition, environment)
        entry = self.index.get("dashboards", {}).get(key) if key else None
        # What the entry says must fit the definition it is for (the bytes are checked by their digest).
        if not isinstance(entry, dict) or entry.get("uid") != definition.options.get("uid") \
                or entry.get("folder") != definition.options.get("folder") or not isinstance(entry.get("title"), str) \
                or not _safe_path(entry.get("file_name"), depth=1):
            return None
        data = self._blob(str(entry.get("digest")), on_disk=f"{environment}/{entry['file_name']}")
        if data is None:
            return None
        try:
            packaged = PackagedDashboard(
                uid=entry["uid"], title=entry["title"], folder=entry["folder"], definition=str(entry["definition"]),
                location=SourceLocation(file=str(entry["file"]), line=entry["line"]), file_name=entry["file_name"],
                data=data,
            )
        except (KeyError, TypeError):
            return None
        self._dashboards.append((definition, environment, entry))
        return packaged

    def section(self, name: str, environment: str, definitions: Iterable[Definition],
                previous: Mapping[str, bytes]) -> tuple[dict[str, bytes], dict[str, Any]] | None:
        """The manifests (file name -> bytes) and state of a build section, when none of its inputs changed."""
        try:
            return self._section(name, environment, definitions, previous)
        except (AttributeError, KeyError, TypeError, ValueError):  # an index of the right shape holding garbage
            return None

    def _section(self, name: str, environment: str, definitions: Iterable[Definition],
                 previous: Mapping[str, bytes]) -> tuple[dict[str, bytes], dict[str, Any]] | None:
        entry = self.index.get("sections", {}).get(f"{name}/{environment}")
        if not isinstance(entry, dict) or not isinstance(entry.get("linked"), list):
            return None
        key = self._section_key(environment, definitions, entry["linked"], previous)
        if key is None or entry.get("key") != key or not isinstance(entry.get("files"), dict):
            return None
        files = {}
        for file_name, digest in entry["files"].items():
            if not _safe_path(file_name, depth=1):
                return None
            data = self._blob(digest, on_disk=f"{environment}/{file_name}")
            if data is None:
                return None
            files[file_name] = data
        self._sections[f"{name}/{environment}"] = (list(definitions), previous, entry)
        return files, entry.get("state", {})

    def _section_key(self, environment: str, definitions: Iterable[Definition], linked: list[str],
                     previous: Mapping[str, bytes]) -> str | None:
        files = {file for definition in definitions for file in self._definition_files(definition)}
        files.update(map(str, linked))
        keys = []
        for file in sorted(files):
            key = self.file_key(file)
            if key is None:
                return None
            keys.append((file, key))
        return _key(self.base, environment, keys, _alerting_state(previous, environment))

    def _definition_files(self, definition: Definition) -> list[str]:
        files = [definition.location.file]
        if definition.module_file:
            files.append(self._relative(definition.module_file))
        return sorted(set(files))

    def _relative(self, file: str) -> str:
        found = self._relative_files.get(file)
        if found is None:
            try:
                found = Path(file).resolve().relative_to(self.root).as_posix()
            except ValueError:
                found = file
            self._relative_files[file] = found
        return found

    def _definition_key(self, definition: Definition, environment: str) -> str | None:
        if definition.module_file is None:
            return None
        keys = []
        for file in self._definition_files(definition):
            key = self.file_key(file)
            if key is None:
                return None
            keys.append((file, key))
        return _key(self.base, environment, definition.kind, definition.name, dict(definition.options), keys)

    # ---------------------------------------------------------------------------------------------- recording

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record what definitions import and open while the block imports and builds them."""
        with _recording(self.root) as recorder:
            self._recorder = recorder
            yield

    def remember_dashboard(self, definition: Definition, environment: str, compiled: Any, file_name: str,
                           data: bytes) -> None:
        self._dashboards.append((definition, environment, {
            "uid": compiled.uid, "title": compiled.title, "folder": compiled.folder,
            "definition": compiled.definition, "file": compiled.location.file, "line": compiled.location.line,
            "file_name": file_name, "digest": self._keep(data),
        }))

    def remember_section(self, name: str, environment: str, definitions: Iterable[Definition], linked_uids: set[str],
                         dashboards: Iterable[Definition], files: Mapping[str, bytes], state: Mapping[str, Any],
                         previous: Mapping[str, bytes]) -> None:
        linked = sorted({file for definition in dashboards if definition.options.get("uid") in linked_uids
                         for file in self._definition_files(definition)})
        self._sections[f"{name}/{environment}"] = (list(definitions), previous, {
            "linked": linked, "files": {file_name: self._keep(data) for file_name, data in files.items()},
            "state": dict(state),
        })

    def _keep(self, data: bytes, digest: str | None = None) -> str:
        digest = digest or _digest(data)
        if digest not in self._kept:
            self._kept.add(digest)
            blob = self.directory / "blobs" / digest
            try:
                if not blob.is_file():
                    blob.parent.mkdir(parents=True, exist_ok=True)
                    _write_atomically(blob, data)
            except OSError:
                pass  # best effort: an entry naming a missing blob is ignored by the next build
        return digest

    def _keep_file(self, files: Mapping[str, bytes], path: str) -> str:
        """`_keep` for a file of the build, not read back when a streaming sink knows its digest already."""
        staged = getattr(files, "staged", None)  # dashctl.compiler.output's files of a streamed build
        if staged is not None:
            digest = staged(path).digest
            if digest in self._kept or (self.directory / "blobs" / digest).is_file():
                self._kept.add(digest)
                return digest
        return self._keep(files[path])

    def store(self, definitions: Iterable[Definition], definition_files: list[str], files: Mapping[str, bytes],
              summary: Mapping[str, Any], previous: Mapping[str, bytes]) -> None:
        """Write the index and blobs of this build (best effort: a cache that cannot be written costs speed only)."""
        if self._recorder is None:
            return
        try:
            self._store(definitions, definition_files, files, summary, previous)
        except (AttributeError, KeyError, TypeError, ValueError):  # what was kept of an index holding garbage
            self.index = {}
            self._store(definitions, definition_files, files, summary, previous)

    def _store(self, definitions: Iterable[Definition], definition_files: list[str], files: Mapping[str, bytes],
               summary: Mapping[str, Any], previous: Mapping[str, bytes]) -> None:
        old_deps = self.index.get("deps", {})
        deps: dict[str, list[str]] = {}
        tracked = set(definition_files)
        for definition in definitions:
            tracked.update(self._definition_files(definition))
        for file in sorted(tracked | {file for file in old_deps if isinstance(file, str)}):
            found = self._recorder.closure(file)
            if isinstance(old_deps.get(file), list):
                # What did not run this time (reused definitions, other environments) keeps what it used.
                found.update(map(str, old_deps[file]))
            deps[file] = sorted(found)
        old_dashboards, old_sections = self.index.get("dashboards", {}), self.index.get("sections", {})
        self.index = {"format": _FORMAT, "base": self.base, "deps": deps, "dashboards": {}, "sections": {},
                      "whole": {}}
        self._file_keys = {}
        # Other environments' entries stay (a build of dev keeps prod's), keyed as they were.
        dashboards = {key: entry for key, entry in old_dashboards.items() if isinstance(entry, dict)
                      and isinstance(entry.get("digest"), str) and entry.get("environment") not in self.environments}
        for definition, environment, entry in self._dashboards:
            key = self._definition_key(definition, environment)
            if key is not None:
                dashboards[key] = {**entry, "environment": environment}
        sections = {name: entry for name, entry in old_sections.items() if isinstance(entry, dict)
                    and isinstance(entry.get("files"), dict) and name.split("/", 1)[-1] not in self.environments}
        for name, (section_definitions, section_previous, entry) in self._sections.items():
            key = self._section_key(name.split("/", 1)[1], section_definitions, entry["linked"], section_previous)
            if key is not None:
                sections[name] = {**entry, "key": key}
        whole_key = self._whole_key(definition_files, previous)
        whole = {"key": whole_key, "files": {path: self._keep_file(files, path) for path in files},
                 "summary": dict(summary)}
        self.index.update(dashboards=dashboards, sections=sections, whole=whole)
        self._write()

    def _write(self) -> None:
        try:
            blobs = self.directory / "blobs"
            blobs.mkdir(parents=True, exist_ok=True)
            wanted = {entry["digest"] for entry in self.index["dashboards"].values()}
            wanted.update(digest for entry in self.index["sections"].values() for digest in entry["files"].values())
            wanted.update(self.index["whole"]["files"].values())
            present = set(os.listdir(blobs))  # the blobs were written as they were met (`_keep`)
            body = orjson.dumps(self.index)
            _write_atomically(self.directory / "index.json", _digest(body).encode() + b"\n" + body)
            for stale in present - wanted:
                (blobs / stale).unlink(missing_ok=True)
        except OSError:
            pass


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _safe_path(path: Any, *, depth: int) -> bool:
    """A relative path of `depth` plain names (no `..`, no absolute path): where a cached file may go."""
    if not isinstance(path, str):
        return False
    parts = path.split("/")
    return len(parts) == depth and all(part not in ("", ".", "..") and "\\" not in part for part in parts)


def _alerting_state(previous: Mapping[str, bytes], environment: str | None) -> str:
    """The previous alerting files (of one environment, or all): the build carries deletions over from them.

    Every file of an environment directory whose name starts with "alert": a superset of the alerting files
    (`dashctl.alerts.packaging.is_alert_file`) that does not import the alerting package on the no-op path.
    """
    parts = []
    for path in sorted(previous):
        directory, _, name = path.rpartition("/")
        if directory and "/" not in directory and name.startswith("alert") and environment in (None, directory):
            parts.append((path, _digest(previous[path])))
    return _key(parts)
