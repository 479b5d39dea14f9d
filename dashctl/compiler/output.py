"""Write a build to the output directory atomically, or compare it with what is there (`--check`).

The new tree is written to a temporary directory beside the output and swapped in with renames at the end, so a
build that fails (or is interrupted) leaves the previous output exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dashctl.compiler.pipeline import BuildOutput
from dashctl.errors import OutputError

__all__ = ["OutputDifference", "compare_output", "read_output", "write_output"]


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


def write_output(output: BuildOutput, directory: Path) -> list[OutputDifference]:
    """Replace the owned parts of `directory` with the build, atomically; return what changed."""
    changes = compare_output(output, directory)
    directory = directory.absolute()
    parent = directory.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=parent))
    except OSError as error:
        raise OutputError(f"cannot create a temporary directory in {parent}: {error.strerror}") from None
    try:
        for path, data in read_output(directory).items():
            if not _owned(path, output):
                _write(staging / path, data)
        for path, data in output.files.items():
            _write(staging / path, data)
        _swap(staging, directory)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {directory}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changes


def _owned(path: str, output: BuildOutput) -> bool:
    top = path.split("/", 1)[0]
    if top in output.owned_dirs:
        return True
    # Files at the top of the output directory belong to nobody else: a full build owns them.
    return "/" not in path and "argocd" in output.owned_dirs


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _swap(staging: Path, directory: Path) -> None:
    os.chmod(staging, 0o755)
    if not directory.exists():
        os.replace(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    os.rmdir(retired)
    os.replace(directory, retired)
    try:
        os.replace(staging, directory)
    except OSError:
        os.replace(retired, directory)
        raise
    shutil.rmtree(retired, ignore_errors=True)


