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

A definition file whose key is unchanged is not even imported: the index keeps, per file, what its import
registered (each definition's kind, name, options, environments and location), and discovery takes that instead
(`discovered`). Such a definition's function is imported only if the build calls it after all (a datasources
definition, a dashboard whose cached output went missing, one that an alert rule links to). This holds only while
every definition is registered by the definition file being imported; once one comes from a shared module (whose
first importer registers it), every file is imported again as before. Definition files are assumed not to hand
each other module-level state while they are imported (a list in a shared module that each file appends to):
`--no-cache` after a change that relies on that.

Environment variables read by definition code and packages other than those above are not part of the key:
`--no-cache` (or deleting the directory) after changing them.

A cache that cannot be read, names a blob that is missing, or holds a blob whose content does not match its name
is ignored and rewritten, never trusted; writing the cache is best effort (an unwritable cache costs speed only).

The output files a rebuild did not change are not read either (`output=`): `installed.json` records each one's
status as the last build installed it, and a file whose status is unchanged holds what was written there
(`dashctl.compiler.installed`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from dashctl import __version__
from dashctl.compiler.dependencies import DependencyRecorder, merge_recorded, recorded, recording
from dashctl.compiler.installed import INSTALLED_FILE, InstalledFiles, installed_record
from dashctl.compiler.pipeline import PackagedDashboard
from dashctl.compiler.sink import StagedFile
from dashctl.definitions import Definition
from dashctl.errors import DefinitionError, SourceLocation
from dashctl.project.config import Project
from dashctl.project.discovery import Discovery, import_definition_file

__all__ = ["BuildCache", "CACHE_DIR", "cache_directory", "merge_recorded", "recorded"]

CACHE_DIR = ".dashctl-cache"
_DIGEST_MEMO = 64
_FORMAT = 2
_PACKAGES = ("grafanalib", "yaml", "orjson", "promql_parser")
# The distribution name each package comes in, lowercased with '_' for '-', as its metadata directory begins.
_DISTRIBUTIONS = {"grafanalib": "grafanalib_", "yaml": "pyyaml_", "orjson": "orjson_", "promql_parser": "promql_parser_"}
_DASHCTL = Path(__file__).resolve().parents[1]


def cache_directory(output_dir: Path) -> Path:
    """Where the cache of an output directory lives: beside it, in `.dashctl-cache/<its name>/`."""
    output_dir = output_dir.absolute()
    return output_dir.parent / CACHE_DIR / output_dir.name


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

    def __init__(self, directory: Path, project: Project, environments: Iterable[str], *,
                 output: Path | None = None) -> None:
        """`output`: the output directory the build's `previous` comes from, when the build streams into a sink
        over it (`dashctl build`): its files are then trusted by their status as the last build installed them
        (`dashctl.compiler.installed`), and reused ones come back as StagedFiles instead of bytes."""
        self.directory = directory
        self.output = output
        self.installed = InstalledFiles(directory / INSTALLED_FILE, output) if output is not None else None
        self.project = project
        self.root = project.root.resolve()
        self.base = _base_key(project)
        self.environments = sorted(environments)
        self.index = self._load_index()
        self._contents: dict[str, str] = {}
        self._file_keys: dict[str, str | None] = {}  # emptied when the dependencies change (store)
        self._definition_keys: dict[tuple[int, str], tuple[Definition, str | None]] = {}  # the same
        self._relative_files: dict[str, str] = {}
        self._previous: Mapping[str, bytes] = {}  # the output directory as the build found it (see `whole`)
        self._recorder: DependencyRecorder | None = None
        # (definition, environment, entry) of every dashboard this build packaged or reused, and the same for
        # sections by name: their keys are computed when storing, from the dependencies this build recorded.
        self._dashboards: list[tuple[Definition, str, dict[str, Any]]] = []
        self._sections: dict[str, tuple[list[Definition], Mapping[str, bytes], dict[str, Any]]] = {}
        # The digests of the bytes objects of the output hashed last, by identity (holding the object keeps its id
        # from being reused): an object checked, kept and keyed in a row is hashed once. Bounded (_DIGEST_MEMO):
        # holding every one would hold the whole output, which a streamed build must not.
        self._digests: dict[int, tuple[bytes, str]] = {}
        self._discovery: Discovery | None = None
        # Definition files imported after discovery took them from the index, by path: what they registered, or why
        # the import failed.
        self._imported: dict[str, tuple[Definition, ...] | DefinitionError] = {}
        # Digests of the blobs this build stored: each is written when it is first met, not held until `store`
        # (the build's memory must not grow with its output).
        self._kept: set[str] = set()
        self._present: set[str] | None = None  # `_blobs_present`

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
        if not all(isinstance(index.get(name), dict) for name in (
            "deps", "dashboards", "sections", "whole", "discovered")):
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

    def _trusted(self, path: str, digest: str) -> StagedFile | None:
        """The output file at `path` as unchanged, when its status says it holds `digest` (not read)."""
        if self.installed is None or self.installed.digest(path) != digest:
            return None
        return StagedFile(size=self.installed.size(path), digest=digest, change=None)

    def _reused(self, digest: str, on_disk: str) -> bytes | StagedFile | None:
        """The output file `on_disk` with this digest, as a StagedFile when it is trusted unread, else its bytes."""
        return self._trusted(on_disk, digest) or self._blob(digest, on_disk=on_disk)

    def _previous_digest(self, previous: Mapping[str, bytes], path: str) -> str:
        trusted = self.installed.digest(path) if self.installed is not None else None
        return trusted or self._digest_of(previous[path])

    def _blob(self, digest: str, on_disk: str | None = None) -> bytes | None:
        """The content with this digest: the output file `on_disk` when it still holds it, else the blob."""
        if on_disk is not None:
            data = self._previous.get(on_disk)
            if data is not None and self._digest_of(data) == digest:
                self._keep(data, digest)  # rewritten if its blob went missing
                return data
        try:
            data = (self.directory / "blobs" / digest).read_bytes()
        except OSError:
            return None
        return data if _digest(data) == digest else None

    def whole(self, definition_files: list[str], previous: Mapping[str, bytes]) -> tuple[dict[str, bytes | StagedFile], dict[str, Any]] | None:
        """The files and summary of the last build when none of its inputs changed, else None. A file is its bytes,
        or a StagedFile when the output directory's file is trusted unread (see `output`)."""
        try:
            return self._whole(definition_files, previous)
        except (AttributeError, KeyError, TypeError, ValueError):  # an index of the right shape holding garbage
            return None

    def _whole(self, definition_files: list[str], previous: Mapping[str, bytes]) -> tuple[dict[str, bytes | StagedFile], dict[str, Any]] | None:
        self._previous = previous
        entry = self.index.get("whole", {})
        key = self._whole_key(definition_files, previous)
        if key is None or entry.get("key") != key or not isinstance(entry.get("files"), dict):
            return None
        files: dict[str, bytes | StagedFile] = {}
        for path, digest in entry["files"].items():
            if not _safe_path(path, depth=2):
                return None
            data = self._reused(str(digest), path)
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
        return _key(self.base, self.environments, keys,
                    _alerting_state(previous, None, lambda path: self._previous_digest(previous, path)))

    def discovered(self, file: str) -> tuple[Definition, ...] | None:
        """What importing the definition file registered the last time, when nothing it depends on changed since
        (for discovery, which then does not import it); None when it must be imported."""
        entry = self.index.get("discovered", {}).get(file)
        if not isinstance(entry, dict) or not isinstance(entry.get("definitions"), list):
            return None
        key = self.file_key(file)
        if key is None or entry.get("key") != key:
            return None
        try:
            return tuple(self._recorded_definition(file, position, item)
                         for position, item in enumerate(entry["definitions"]))
        except (AttributeError, KeyError, TypeError, ValueError):  # an index of the right shape holding garbage
            return None

    def _recorded_definition(self, file: str, position: int, item: dict[str, Any]) -> Definition:
        kind, name, options, line = item["kind"], item["name"], _restored(item["options"], item["tuples"]), item["line"]
        environments, module_file = item["environments"], item["module_file"]
        if not (isinstance(kind, str) and isinstance(name, str) and isinstance(options, dict)
                and (line is None or isinstance(line, int)) and isinstance(module_file, str)
                and (environments is None or all(isinstance(each, str) for each in environments))
                and isinstance(item["file"], str)):
            raise ValueError("not a recorded definition")
        return Definition(
            kind=kind, name=name, build=_Deferred(self, file, position, (kind, name, options)), options=options,
            location=SourceLocation(file=item["file"], line=line),
            environments=None if environments is None else tuple(environments),
            time_limit=self.project.definition_timeout, module_file=str(self.root / module_file),
        )

    def imported(self, file: str, position: int) -> Definition | None:
        """The definition at `position` among those a definition file registers, importing it (once) now."""
        found = self._imported.get(file)
        if found is None:
            try:
                found = import_definition_file(self.project, file)
            except DefinitionError as error:
                # Labelled by the import, not by the definition that asked first: every definition of the file
                # meets the same error, and it is reported once.
                found = error.with_context(definition=f"the import of {file}")
            self._imported[file] = found
        if isinstance(found, DefinitionError):
            raise found
        return found[position] if position < len(found) else None

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
        data = self._reused(str(entry.get("digest")), f"{environment}/{entry['file_name']}")
        if data is None:
            return None
        try:
            packaged = PackagedDashboard(
                uid=entry["uid"], title=entry["title"], folder=entry["folder"], definition=str(entry["definition"]),
                location=SourceLocation(file=str(entry["file"]), line=entry["line"]), file_name=entry["file_name"],
                data=data if isinstance(data, bytes) else b"", staged=None if isinstance(data, bytes) else data,
            )
        except (KeyError, TypeError):
            return None
        self._dashboards.append((definition, environment, entry))
        return packaged

    def section(self, name: str, environment: str, definitions: Iterable[Definition],
                previous: Mapping[str, bytes]) -> tuple[dict[str, bytes | StagedFile], dict[str, Any]] | None:
        """The manifests (file name -> bytes, or a StagedFile as in `whole`) and state of a build section, when none
        of its inputs changed."""
        try:
            return self._section(name, environment, definitions, previous)
        except (AttributeError, KeyError, TypeError, ValueError):  # an index of the right shape holding garbage
            return None

    def _section(self, name: str, environment: str, definitions: Iterable[Definition],
                 previous: Mapping[str, bytes]) -> tuple[dict[str, bytes | StagedFile], dict[str, Any]] | None:
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
            data = self._reused(str(digest), f"{environment}/{file_name}")
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
        return _key(self.base, environment, keys,
                    _alerting_state(previous, environment, lambda path: self._previous_digest(previous, path)))

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
        # Asked up to three times per dashboard and environment (workers, reuse, store): kept, with the definition
        # itself so that its id stays its own, until the file keys change (store).
        memo = (id(definition), environment)
        known = self._definition_keys.get(memo)
        if known is not None and known[0] is definition:
            return known[1]
        key = None
        if definition.module_file is not None:
            keys = []
            for file in self._definition_files(definition):
                file_key = self.file_key(file)
                if file_key is None:
                    break
                keys.append((file, file_key))
            else:
                key = _key(self.base, environment, definition.kind, definition.name, dict(definition.options), keys)
        self._definition_keys[memo] = (definition, key)
        return key

    # ---------------------------------------------------------------------------------------------- recording

    def remember_discovery(self, discovery: Discovery) -> None:
        """Keep what discovery found per definition file, for the next build's `discovered`."""
        self._discovery = discovery

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record what definitions import and open while the block imports and builds them."""
        with recording(self.root) as recorder:
            self._recorder = recorder
            yield

    def remember_dashboard(self, definition: Definition, environment: str, compiled: Any, file_name: str,
                           data: bytes | None, *, staged: StagedFile | None = None,
                           read: Callable[[], bytes] | None = None) -> None:
        """Keep a dashboard packaged by this build: its bytes, or (a worker streamed it) what the sink `staged` and
        how to `read` it back, which happens only when its blob is not in the cache yet."""
        if data is not None:
            digest = self._keep(data)
        elif staged is not None and read is not None:
            digest = staged.digest
            if digest in self._kept or digest in self._blobs_present():
                self._kept.add(digest)
            else:
                self._keep(read(), digest)
        else:
            raise TypeError("remember_dashboard needs data, or staged and read")  # a dashctl bug
        self._dashboards.append((definition, environment, {
            "uid": compiled.uid, "title": compiled.title, "folder": compiled.folder,
            "definition": compiled.definition, "file": compiled.location.file, "line": compiled.location.line,
            "file_name": file_name, "digest": digest,
        }))

    def _blobs_present(self) -> set[str]:
        """The blobs in the cache when first asked (one listing, not a stat per file)."""
        if self._present is None:
            try:
                self._present = set(os.listdir(self.directory / "blobs"))
            except OSError:
                self._present = set()
        return self._present

    def remember_section(self, name: str, environment: str, definitions: Iterable[Definition], linked_uids: set[str],
                         dashboards: Iterable[Definition], files: Mapping[str, bytes], state: Mapping[str, Any],
                         previous: Mapping[str, bytes]) -> None:
        linked = sorted({file for definition in dashboards if definition.options.get("uid") in linked_uids
                         for file in self._definition_files(definition)})
        self._sections[f"{name}/{environment}"] = (list(definitions), previous, {
            "linked": linked, "files": {file_name: self._keep(data) for file_name, data in files.items()},
            "state": dict(state),
        })

    def remember_installed(self, files: Iterable[tuple[str, str]]) -> None:
        """Record each (path, digest) of the output directory as the build left it, once installed (see `output`)."""
        if self.output is None or self.installed is None:
            return
        recorded = dict(files)
        for path in self.installed.paths():  # a build of some environments: the others' files as they were
            if path not in recorded:
                digest = self.installed.digest(path)
                if digest is not None:
                    recorded[path] = digest
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.directory / INSTALLED_FILE, installed_record(self.output, recorded.items()))
        except OSError:
            pass  # best effort: without the record the next build reads the files

    def _keep(self, data: bytes, digest: str | None = None) -> str:
        digest = digest or self._digest_of(data)
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

    def _keep_file(self, files: Mapping[str, bytes], path: str, present: set[str]) -> str:
        """`_keep` for a file of the build, not read back when a streaming sink knows its digest already and its
        blob is among those `present`."""
        staged = getattr(files, "staged", None)  # dashctl.compiler.output's files of a streamed build
        if staged is not None:
            digest = staged(path).digest
            if digest in self._kept or digest in present:
                self._kept.add(digest)
                return digest
        return self._keep(files[path])

    def _digest_of(self, data: bytes) -> str:
        known = self._digests.get(id(data))
        if known is not None and known[0] is data:
            return known[1]
        digest = _digest(data)
        if len(self._digests) >= _DIGEST_MEMO:
            del self._digests[next(iter(self._digests))]  # the oldest: a streamed build must not hold its output
        self._digests[id(data)] = (data, digest)
        return digest

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
        # A key depends on its files' recorded dependencies: those of the files whose dependencies changed are
        # computed again, the others (the definitions this build did not run, most of a rebuild) are kept.
        changed = {file for file, found in deps.items() if old_deps.get(file) != found}
        self._file_keys = {file: key for file, key in self._file_keys.items() if file not in changed}
        self._definition_keys = {
            memo: known for memo, known in self._definition_keys.items()
            if known[1] is not None and not changed.intersection(self._definition_files(known[0]))
        }
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
        discovered = self._discovered(definition_files)
        whole_key = self._whole_key(definition_files, previous)
        present = self._blobs_present()
        whole = {"key": whole_key, "files": {path: self._keep_file(files, path, present) for path in files},
                 "summary": dict(summary)}
        self.index.update(dashboards=dashboards, sections=sections, whole=whole, discovered=discovered)
        self._write()

    def _discovered(self, definition_files: list[str]) -> dict[str, Any]:
        """Per definition file, its key and what its import registered (empty when that cannot be reused)."""
        discovery = self._discovery
        if discovery is None or len(discovery.origins) != len(discovery.definitions):
            return {}
        registered: dict[str, list[dict[str, Any]]] = {file: [] for file in definition_files}
        for origin, definition in zip(discovery.origins, discovery.definitions):
            # Registered by a shared module's import (its first importer's, in file order): every file must be
            # imported again, or the module's definitions would follow whichever importer changed.
            if origin not in registered or definition.module_file is None \
                    or self._relative(definition.module_file) != origin:
                return {}
            options = dict(definition.options)
            # Tuple options (`allow_undefined_variables`) come back as tuples: JSON holds them as lists.
            tuples = sorted(name for name, value in options.items() if isinstance(value, tuple))
            try:
                if _restored(orjson.loads(orjson.dumps(options)), tuples) != options:
                    return {}
            except TypeError:  # orjson.JSONEncodeError: an option that JSON does not hold
                return {}
            registered[origin].append({
                "kind": definition.kind, "name": definition.name, "options": options, "tuples": tuples,
                "environments": None if definition.environments is None else list(definition.environments),
                "file": definition.location.file, "line": definition.location.line, "module_file": origin,
            })
        discovered = {}
        for file, definitions in registered.items():
            key = self.file_key(file)
            if key is not None:
                discovered[file] = {"key": key, "definitions": definitions}
        return discovered

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


class _Deferred:
    """The function of a definition that discovery took from the cache: its file is imported when it is called."""

    # No __dict__: Definition wraps this with functools.update_wrapper, which would copy one into its wrapper.
    __slots__ = ("cache", "file", "position", "expected")

    def __init__(self, cache: BuildCache, file: str, position: int, expected: tuple[str, str, dict[str, Any]]) -> None:
        self.cache, self.file, self.position, self.expected = cache, file, position, expected

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        definition = self.cache.imported(self.file, self.position)
        if definition is None or (definition.kind, definition.name, dict(definition.options)) != self.expected:
            raise DefinitionError(
                "registered other definitions when imported again than the build cache recorded",
                location=SourceLocation(file=self.file),
                hint="its import depends on something outside the project (an environment variable?): build with "
                "--no-cache",
            )
        return getattr(definition.build, "__wrapped__", definition.build)(*args, **kwargs)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _restored(options: Any, tuples: Any) -> Any:
    """Options read back from JSON, with the values that were tuples tuples again."""
    if not isinstance(options, dict) or not isinstance(tuples, list):
        raise ValueError("not recorded options")
    return {**options, **{name: tuple(options[name]) for name in tuples}}


def _safe_path(path: Any, *, depth: int) -> bool:
    """A relative path of `depth` plain names (no `..`, no absolute path): where a cached file may go."""
    if not isinstance(path, str):
        return False
    parts = path.split("/")
    return len(parts) == depth and all(part not in ("", ".", "..") and "\\" not in part for part in parts)


def _alerting_state(previous: Mapping[str, bytes], environment: str | None,
                    digest: Callable[[str], str]) -> str:
    """The previous alerting files (of one environment, or all): the build carries deletions over from them.

    Every file of an environment directory whose name starts with "alert": a superset of the alerting files
    (`dashctl.alerts.packaging.is_alert_file`) that does not import the alerting package on the no-op path.
    """
    parts = []
    for path in sorted(previous):
        directory, _, name = path.rpartition("/")
        if directory and "/" not in directory and name.startswith("alert") and environment in (None, directory):
            parts.append((path, digest(path)))
    return _key(parts)
