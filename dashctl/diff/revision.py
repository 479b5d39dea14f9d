"""The committed build output of a git revision, read without touching the working tree or the index.

Only plumbing that reads the object store is used (`rev-parse`, `ls-tree`, `cat-file --batch`), with
`GIT_OPTIONAL_LOCKS=0` so that not even an index refresh is written: `dashctl diff` may run while the user has
uncommitted work, and in CI on a checkout that must stay exactly as it is.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dashctl.errors import UsageError

__all__ = ["DEFAULT_BASES", "RevisionOutput", "default_base", "find_repository", "read_revision_output"]

# The base of a pull request is usually the remote main; a clone without that remote (or CI's shallow checkout of
# the branch) falls back to the local main, and a repository without main compares with the last commit.
DEFAULT_BASES = ("origin/main", "main", "HEAD")
_TIMEOUT = 120


@dataclass(frozen=True, kw_only=True)
class RevisionOutput:
    """The files of the output directory at a revision, by POSIX path relative to that directory."""

    ref: str
    commit: str
    files: dict[str, bytes]


def _git(repository: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=repository, input=stdin, capture_output=True, timeout=_TIMEOUT, env=environment
        )
    except FileNotFoundError:
        raise UsageError("dashctl diff needs git, which is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took longer than {_TIMEOUT}s in {repository}") from None


def find_repository(directory: Path) -> Path:
    """The top directory of the git work tree that holds `directory`; a usage error outside a repository."""
    answer = _git(directory, "rev-parse", "--show-toplevel")
    if answer.returncode != 0:
        raise UsageError(
            f"{directory} is not inside a git repository: dashctl diff compares with a committed revision"
        )
    return Path(answer.stdout.decode().strip())


def _resolve(repository: Path, ref: str) -> str | None:
    if not ref or ref.startswith("-"):
        return None
    answer = _git(repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    return answer.stdout.decode().strip() if answer.returncode == 0 else None


def default_base(repository: Path) -> str:
    """`origin/main` if it exists, else `main`, else `HEAD`."""
    for ref in DEFAULT_BASES:
        if _resolve(repository, ref) is not None:
            return ref
    raise UsageError(
        "no revision to compare with: the repository has no origin/main, no main and no commit; pass --base REF"
    )


def read_revision_output(output_dir: Path, ref: str | None = None) -> RevisionOutput:
    """Every file under `output_dir` as committed at `ref` (default: see `default_base`).

    An unknown ref is a UsageError naming it. An output directory the revision does not have gives no files: at
    that revision nothing was deployed, so everything is new.
    """
    start = output_dir if output_dir.is_dir() else _existing_parent(output_dir)
    repository = find_repository(start)
    name = ref if ref is not None else default_base(repository)
    commit = _resolve(repository, name)
    if commit is None:
        raise UsageError(
            f"unknown git revision {name!r}: no branch, tag or commit of that name in {repository} "
            "(a remote branch may need `git fetch` first)"
        )
    try:
        prefix = output_dir.resolve().relative_to(repository.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"the output directory {output_dir} is outside the git repository {repository}") from None
    return RevisionOutput(ref=name, commit=commit, files=_read_tree(repository, commit, prefix))


def _existing_parent(path: Path) -> Path:
    path = path.absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def _read_tree(repository: Path, commit: str, prefix: str) -> dict[str, bytes]:
    pathspec = [] if prefix in ("", ".") else ["--", f"{prefix}/"]
    listing = _git(repository, "ls-tree", "-r", "-z", "--full-tree", commit, *pathspec)
    if listing.returncode != 0:
        raise UsageError(f"cannot list {prefix or '.'} at {commit[:12]}: {listing.stderr.decode().strip()}")
    blobs: list[tuple[str, str]] = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, object_id = meta.decode().split(" ")
        # Symlinks (120000) hold a path, submodules (commit) no content: neither is a manifest.
        if kind != "blob" or mode == "120000":
            continue
        relative = path.decode("utf-8", "surrogateescape")
        if prefix not in ("", "."):
            relative = relative[len(prefix) + 1:]
        blobs.append((relative, object_id))
    if not blobs:
        return {}
    batch = _git(repository, "cat-file", "--batch", stdin="".join(f"{oid}\n" for _, oid in blobs).encode())
    if batch.returncode != 0:
        raise UsageError(f"cannot read the files of {commit[:12]}: {batch.stderr.decode().strip()}")
    return dict(zip((path for path, _ in blobs), _split_batch(batch.stdout), strict=True))


def _split_batch(data: bytes) -> list[bytes]:
    """The contents in `git cat-file --batch` output: `<oid> <type> <size>\\n<content>\\n` per object."""
    contents = []
    position = 0
    while position < len(data):
        end = data.index(b"\n", position)
        header = data[position:end].split(b" ")
        size = int(header[2])
        contents.append(data[end + 1:end + 1 + size])
        position = end + 1 + size + 1
    return contents
