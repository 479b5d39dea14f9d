"""Write a build to the output directory crash-safely, or compare it with what is there (`--check`).

What the build owns: `<output>/<env>/` for every environment it builds and, when it builds them all,
`<output>/argocd/`. Each owned directory is replaced as a whole (see `dashctl.compiler.swap`), so a build that fails
or is killed leaves the previous output in place. Anything else in the output directory (a README beside the
environments, an environment no longer configured) is never touched.

What the build wrote: the files of the current build, plus, in an environment directory, the files that directory's
`kustomization.yaml` lists (and that file itself): every manifest the build writes is listed there, so the previous
build's list says which files it wrote. Anything else in an owned directory was put there by someone else, and the
build refuses to replace that directory rather than delete it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from dashctl.compiler.pipeline import ARGOCD_DIR, BuildOutput
from dashctl.compiler.swap import install_directories, locked, recover, staging_prefix
from dashctl.encoding import load_yaml
from dashctl.errors import OutputError, UsageError

__all__ = [
    "OutputDifference",
    "check_output_directory",
    "compare_output",
    "foreign_files",
    "read_output",
    "recover_output",
    "write_output",
]


@dataclass(frozen=True, kw_only=True, order=True)
class OutputDifference:
    """One file that differs between a fresh build and the output directory."""

    path: str
    state: str  # "stale" (content differs), "missing" (not on disk), "extra" (on disk, not built)


def read_output(directory: Path) -> dict[str, bytes]:
    """Every file under the output directory, by POSIX path relative to it."""
    if not directory.is_dir():
        return {}
    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            files[path.relative_to(directory).as_posix()] = path.read_bytes()
    return files


def compare_output(output: BuildOutput, directory: Path) -> list[OutputDifference]:
    """What differs between the build and the directory, within the directories the build owns."""
    on_disk = {path: data for path, data in read_output(directory).items() if _owned(path, output)}
    differences = []
    for path, data in output.files.items():
        if path not in on_disk:
            differences.append(OutputDifference(path=path, state="missing"))
        elif on_disk[path] != data:
            differences.append(OutputDifference(path=path, state="stale"))
    differences.extend(OutputDifference(path=path, state="extra") for path in on_disk if path not in output.files)
    return sorted(differences)


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


def foreign_files(output: BuildOutput, directory: Path) -> list[str]:
    """Entries of the directories the build owns that no build wrote, by POSIX path relative to `directory`."""
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
        if name != ARGOCD_DIR:
            ours |= _listed_in_kustomization(root)
        for entry in sorted(root.iterdir()):
            if entry.is_symlink() or not entry.is_file() or not (entry.name in ours or _temporary_of(entry.name, ours)):
                foreign.append(f"{name}/{entry.name}")
    return foreign


def write_output(output: BuildOutput, directory: Path) -> list[OutputDifference]:
    """Replace the owned directories of `directory` with the build, crash-safely; return what changed.

    Raises UsageError, writing nothing, when an owned directory holds something no build wrote.
    """
    shown = directory
    directory = directory.absolute()
    with locked(directory):
        recover(directory)
        foreign = foreign_files(output, directory)
        if foreign:
            listed = "\n  ".join(str(shown / path) for path in foreign)
            owned = ", ".join(f"{shown / name}/" for name in sorted(output.owned_dirs))
            raise UsageError(
                f"the build stopped before writing anything: not written by dashctl build:\n  {listed}\n"
                f"  hint: the build replaces {owned} as a whole and would delete them; move your own files out of "
                f"these directories (files beside them in {shown}/ are left alone), or delete them if they are "
                "leftovers"
            )
        changes = compare_output(output, directory)
        differing = {change.path for change in changes}
        install_directories(directory, _trees(output),
                            unchanged={path for path in output.files if path not in differing})
    return changes


def _trees(output: BuildOutput) -> dict[str, dict[str, bytes]]:
    trees: dict[str, dict[str, bytes]] = {name: {} for name in output.owned_dirs}
    for path, data in output.files.items():
        top, _, rest = path.partition("/")
        if top not in trees or not rest:
            raise OutputError(f"the build produced {path}, outside the directories it owns")  # a dashctl bug
        trees[top][rest] = data
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


def _owned(path: str, output: BuildOutput) -> bool:
    return path.split("/", 1)[0] in output.owned_dirs and "/" in path
