"""Write a build to the output directory crash-safely, or compare it with what is there (`--check`).

What the build owns: `<output>/<env>/` for every environment it builds and, when it builds them all,
`<output>/argocd/`. Each owned directory is replaced as a whole (see `dashctl.compiler.swap`), so a build that fails
or is killed leaves the previous output in place. Anything else in the output directory (a README beside the
environments, an environment no longer configured) is never touched.

The files are streamed: `staged_output` takes the lock and opens a StagingSink, to which `build_project` hands each
file as it is produced; the sink compares it with the file on disk (writing it into the stage when they differ; the
unchanged ones are hard-linked there only once something changed, so a rebuild that changed nothing stages nothing) and keeps only its size, digest and change, so neither the build nor the previous
output is held in memory. `install_output` then swaps the staged trees in. `--check` uses a sink without a stage:
it only compares, file by file.

What the build wrote: the files of the current build, plus, in an environment directory, the files that directory's
`kustomization.yaml` lists (and that file itself): every manifest the build writes is listed there, so the previous
build's list says which files it wrote. Anything else in an owned directory was put there by someone else, and the
build refuses to replace that directory rather than delete it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterator, KeysView, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import yaml

from dashctl.compiler.pipeline import ARGOCD_DIR, BuildOutput
from dashctl.compiler.sink import StagedFile
from dashctl.compiler.swap import (
    discard_stage, link_unchanged, locked, new_stage, recover, stage_file, staging_prefix, swap_in,
)
from dashctl.encoding import load_yaml
from dashctl.errors import OutputError, UsageError

__all__ = [
    "OutputDifference",
    "OutputTree",
    "StagingSink",
    "check_output_directory",
    "compare_output",
    "foreign_files",
    "install_output",
    "read_output",
    "recover_output",
    "staged_output",
    "write_output",
]


@dataclass(frozen=True, kw_only=True, order=True)
class OutputDifference:
    """One file that differs between a fresh build and the output directory."""

    path: str
    state: str  # "stale" (content differs), "missing" (not on disk), "extra" (on disk, not built)


class OutputTree(Mapping[str, bytes]):
    """Every file under an output directory, by POSIX path relative to it: listed once, each read when asked for
    (a build needs the bytes of a few: the previous alerting files, and those it compares one at a time)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # In the order of their Paths (by component), as the listing was before.
        self._paths = sorted(_files_under(directory), key=lambda path: path.split("/")) if directory.is_dir() else []
        self._known = frozenset(self._paths)

    def __getitem__(self, path: str) -> bytes:
        if path not in self._known:
            raise KeyError(path)
        try:
            return (self.directory / path).read_bytes()
        except FileNotFoundError:
            raise KeyError(path) from None

    def __contains__(self, path: object) -> bool:
        return path in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _files_under(directory: Path, prefix: str = "") -> Iterator[str]:
    """The regular files under `directory` (symbolic links to them too, as `Path.is_file` counts them), by POSIX
    path relative to it: from the directory entries' types, without a `stat` per file (thousands of them)."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):  # as `rglob`: no descent through a symbolic link
                yield from _files_under(Path(entry.path), f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield prefix + entry.name
        except OSError:
            continue


def read_output(directory: Path) -> OutputTree:
    """Every file under the output directory, by POSIX path relative to it, read lazily."""
    return OutputTree(directory)


class StagingSink:
    """The sink a build streams its files into (see the module's docstring): each is compared with the output
    directory's file at once and, with a `stage`, put there; only a StagedFile per path stays in memory.

    Forked worker processes add files themselves (the stage is a directory) and the parent `record`s them.
    """

    streams = True

    def __init__(self, directory: Path, previous: Mapping[str, bytes], *, stage: Path | None = None,
                 digests: bool = True) -> None:
        self.directory = directory
        self.previous = previous
        self.stage = stage
        self.digests = digests  # False: no build cache to name blobs by them (StagedFile.digest is then "")
        self.handed_over = False  # the stage belongs to the swap (and, were it interrupted, to `recover`)
        self._entries: dict[str, StagedFile] = {}

    def add(self, path: str, data: bytes) -> StagedFile:
        on_disk = self.directory / path
        change: str | None = "missing"
        if path in self.previous:
            change = "stale"
            try:
                if on_disk.stat().st_size == len(data) and on_disk.read_bytes() == data:
                    change = None
            except OSError:
                pass
        if self.stage is not None and change is not None:
            stage_file(self.stage, path, data)
        # An unchanged file is linked into the stage only once the build is known to change something
        # (`complete_stage`): a rebuild that changed nothing then stages nothing at all.
        staged = StagedFile(size=len(data), digest=hashlib.sha256(data).hexdigest() if self.digests else "",
                            change=change)
        self._entries[path] = staged
        return staged

    def record(self, path: str, staged: StagedFile) -> None:
        """A file a worker process added to its copy of this sink (so staged there, unless unchanged)."""
        self._entries[path] = staged

    def complete_stage(self) -> None:
        """Link the unchanged files into the stage beside those staged already, before it is swapped in."""
        if self.stage is None:
            raise OutputError("complete_stage needs a sink with a stage")  # a dashctl bug
        link_unchanged(self.stage, self.directory,
                       (path for path, staged in self._entries.items() if staged.change is None))

    def unchanged_kustomizations(self) -> set[str]:
        """The `<env>/kustomization.yaml` files added as they already are in the output directory."""
        return {path for path, staged in self._entries.items()
                if staged.change is None and path.endswith("/kustomization.yaml")}

    def files(self) -> Mapping[str, bytes]:
        return _StagedFiles(self)

    def staged(self, path: str) -> StagedFile:
        return self._entries[path]

    def paths(self) -> KeysView[str]:
        return self._entries.keys()

    def read(self, path: str) -> bytes:
        """The bytes of a file added: from the stage, or once swapped in (or when it is unchanged) from the output
        directory. A sink without a stage (`--check`) keeps no bytes of a file that differs."""
        staged = self._entries[path]
        if self.stage is not None and not self.handed_over and staged.change is not None:
            return (self.stage / path).read_bytes()
        if self.stage is None and staged.change is not None:
            raise OutputError(f"{path} was only compared with the output directory, not kept")  # a dashctl bug
        return (self.directory / path).read_bytes()

    def differences(self, owned_dirs: Collection[str]) -> list[OutputDifference]:
        """What differs between the files added and the output directory, within the directories owned."""
        found = [OutputDifference(path=path, state=staged.change)
                 for path, staged in self._entries.items() if staged.change is not None]
        found.extend(OutputDifference(path=path, state="extra") for path in self.previous
                     if _owned(path, owned_dirs) and path not in self._entries)
        return sorted(found)


class _StagedFiles(Mapping[str, bytes]):
    """The files of a streamed build by path, their bytes read back from where the sink put them."""

    def __init__(self, sink: StagingSink) -> None:
        self._sink = sink

    def __getitem__(self, path: str) -> bytes:
        return self._sink.read(path)

    def __contains__(self, path: object) -> bool:
        return path in self._sink.paths()

    def __iter__(self) -> Iterator[str]:
        return iter(self._sink.paths())

    def __len__(self) -> int:
        return len(self._sink.paths())

    def staged(self, path: str) -> StagedFile:
        """Size, digest and change of a file, without reading it."""
        return self._sink.staged(path)


@contextmanager
def staged_output(directory: Path, *, digests: bool = True) -> Iterator[StagingSink]:
    """Lock the output directory, finish what a killed build left, and open a StagingSink over a fresh stage beside
    it, for a build to stream into and `install_output` to swap in; a stage not swapped in is deleted on the way
    out (the build failed or was interrupted, or changed nothing). `digests=False`: the files' SHA-256 is not
    taken (only the build cache needs it)."""
    directory = directory.absolute()
    created = not os.path.lexists(directory)
    with locked(directory):
        recover(directory)
        sink = StagingSink(directory, read_output(directory), stage=new_stage(directory), digests=digests)
        try:
            yield sink
        finally:
            if not sink.handed_over and sink.stage is not None:
                discard_stage(sink.stage)
                if created:  # a failed first build leaves no empty output directory behind
                    with suppress(OSError):
                        directory.rmdir()


def compare_output(output: BuildOutput, directory: Path) -> list[OutputDifference]:
    """What differs between the build and the directory, within the directories the build owns, comparing one file
    at a time."""
    sink = StagingSink(directory.absolute(), read_output(directory))
    for path, data in output.files.items():
        sink.add(path, data)
    return sink.differences(output.owned_dirs)


def check_output_directory(directory: Path, *, project_root: Path, roots: Collection[str] = ()) -> None:
    """Refuse an output directory that is, or contains, the project root or a definitions root (UsageError).

    The build replaces the directories it owns as a whole; an output of "." would put the project in its path.
    """
    output = directory.resolve()
    protected = [("the project root", project_root.resolve())]
    protected += [(f"the definitions root {root}/", (project_root / root).resolve()) for root in roots]
    for what, path in protected:
        if path == output or path.is_relative_to(output):
            relation = "is" if path == output else "contains"
            raise UsageError(
                f"output directory {directory} {relation} {what}; the build replaces what it writes there, so it "
                f"must be a directory of its own: set output = \"deploy\" (or another subdirectory) in the "
                f"project configuration, or pass --output DIR"
            )


def recover_output(directory: Path) -> list[str]:
    """Finish or clean up what a killed build left behind (see `dashctl.compiler.swap`); return what was finished.

    Call it before reading the previous output: a build killed mid-swap leaves part of it aside.
    """
    directory = directory.absolute()
    leftovers = directory.parent.is_dir() and any(directory.parent.glob(staging_prefix(directory) + "*"))
    if not leftovers:
        return []
    with locked(directory):
        return recover(directory)


def foreign_files(output: BuildOutput, directory: Path, *, unchanged: Collection[str] = ()) -> list[str]:
    """Entries of the directories the build owns that no build wrote, by POSIX path relative to `directory`.

    `unchanged`: paths the build wrote as they already are in `directory`: a `kustomization.yaml` among them lists
    what this build wrote, so it is not read again."""
    foreign = []
    trees = _trees(output)
    for name in sorted(trees):
        root = directory / name
        if not root.exists() and not root.is_symlink():
            continue
        if root.is_symlink() or not root.is_dir():
            foreign.append(name)
            continue
        ours = set(trees[name])
        if name != ARGOCD_DIR and f"{name}/kustomization.yaml" not in unchanged:
            ours |= _listed_in_kustomization(root)
        with os.scandir(root) as entries:  # the entries' types, without a stat per file
            for entry in sorted(entries, key=lambda entry: entry.name):
                if entry.is_symlink() or not entry.is_file() \
                        or not (entry.name in ours or _temporary_of(entry.name, ours)):
                    foreign.append(f"{name}/{entry.name}")
    return foreign


def write_output(output: BuildOutput, directory: Path) -> list[OutputDifference]:
    """Replace the owned directories of `directory` with a build held in memory, crash-safely; return what changed.

    Raises UsageError, writing nothing, when an owned directory holds something no build wrote.
    """
    with staged_output(directory) as sink:
        _refuse_foreign(output, sink.directory, shown=directory)
        for path, data in output.files.items():
            sink.add(path, data)
        return install_output(output, sink, shown=directory)


def install_output(output: BuildOutput, sink: StagingSink, *, shown: Path) -> list[OutputDifference]:
    """Swap the trees a build streamed into `sink` (from `staged_output`) in place of the owned directories; return
    what changed. Nothing is swapped when nothing changed. Raises UsageError, writing nothing, when an owned
    directory holds something no build wrote (`shown` is the output directory as the user names it)."""
    if sink.stage is None:
        raise OutputError("install_output needs a sink with a stage")  # a dashctl bug
    _trees(output)
    changes = sink.differences(output.owned_dirs)
    if not changes:
        return []
    _refuse_foreign(output, sink.directory, shown=shown, unchanged=sink.unchanged_kustomizations())
    sink.complete_stage()
    sink.handed_over = True
    swap_in(sink.stage, sink.directory, output.owned_dirs)
    return changes


def _refuse_foreign(output: BuildOutput, directory: Path, *, shown: Path, unchanged: Collection[str] = ()) -> None:
    foreign = foreign_files(output, directory, unchanged=unchanged)
    if foreign:
        listed = "\n  ".join(str(shown / path) for path in foreign)
        owned = ", ".join(f"{shown / name}/" for name in sorted(output.owned_dirs))
        raise UsageError(
            f"the build stopped before writing anything: not written by dashctl build:\n  {listed}\n"
            f"  hint: the build replaces {owned} as a whole and would delete them; move your own files out of "
            f"these directories (files beside them in {shown}/ are left alone), or delete them if they are "
            "leftovers"
        )


def _trees(output: BuildOutput) -> dict[str, set[str]]:
    """The files of each owned directory, by path relative to it (their names: no bytes are read)."""
    trees: dict[str, set[str]] = {name: set() for name in output.owned_dirs}
    for path in output.files:
        top, _, rest = path.partition("/")
        if top not in trees or not rest:
            raise OutputError(f"the build produced {path}, outside the directories it owns")  # a dashctl bug
        trees[top].add(rest)
    return trees


def _temporary_of(name: str, ours: set[str]) -> bool:
    """A temporary file dashctl writes beside one of its files and renames over it (`.alerting.yaml.k2j4`), left
    behind by a kill: the build's own, so it goes with the directory."""
    return name.startswith(".") and any(name.startswith(f".{own}.") for own in ours)


def _listed_in_kustomization(root: Path) -> set[str]:
    """The files the previous build wrote in an environment directory: kustomization.yaml and what it lists."""
    try:
        document = load_yaml((root / "kustomization.yaml").read_text(encoding="utf-8"))  # the C loader: 1,000s of lines
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list):
        return set()
    return {"kustomization.yaml"} | {item for item in resources if isinstance(item, str) and "/" not in item}


def _owned(path: str, owned_dirs: Collection[str]) -> bool:
    return path.split("/", 1)[0] in owned_dirs and "/" in path
