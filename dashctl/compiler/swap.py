"""Put freshly built directories in place of the old ones so that a kill at any moment loses neither.

The build stages every directory it owns (`dev/`, `prod/`, `argocd/`) in a staging directory beside the output
(`.deploy.stage-XXXX/`), each file as it is produced (`dashctl.compiler.staging`), then, once every tree is complete,
commits a journal there naming each staged directory by its inode, then swaps each one into the output:

- where the kernel and filesystem have it, with `renameat2(RENAME_EXCHANGE)`, which trades the two names in one
  step, so `deploy/dev` always names either the old or the new tree;
- elsewhere with two renames (old aside, new in), between which `deploy/dev` is briefly absent: the journal says
  where both trees are, and the next run puts the new one in place before it does anything else.

Once every directory is swapped the journal is deleted (the commit point) and the staging directory, now holding
the old trees, is removed. `recover` runs at the start of every build: a staging directory with a journal is a swap
that was interrupted, and is finished (every staged tree was complete before the journal was written); one without
a journal is a build killed before or after its swap, and is only deleted. An exclusive lock (`flock`) on the
output directory, held from before the build stages its first file until the swap is done, keeps two builds from
staging, recovering or swapping at once. Files are not fsynced: the guarantee covers
a killed process (SIGKILL, OOM killer, Ctrl-C), not a machine that loses power.
"""

from __future__ import annotations

import ctypes
import errno
import itertools
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dashctl.errors import OutputError

try:
    import fcntl
except ImportError:  # Windows: no flock; two builds at once are not kept apart there
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "discard_stage", "link_unchanged", "locked", "new_stage", "recover", "stage_file", "staging_prefix", "swap_in",
]

JOURNAL = "journal.json"
# A stage's own directories of temporary files, one per process; never the name of an output directory.
SCRATCH_PREFIX = ".scratch-"
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2

# Test hooks, read from the environment because the crash tests kill a separate process: the write phase kills
# itself with SIGKILL at the Nth hook point it reaches, and the two-rename fallback can be forced.
KILL_AT_VARIABLE = "DASHCTL_TEST_KILL_AT_HOOK"
PLAIN_RENAME_VARIABLE = "DASHCTL_TEST_PLAIN_RENAME"
_hooks_reached = 0
_staged_count = itertools.count()


def staging_prefix(directory: Path) -> str:
    """The name prefix of the staging directories of `directory` (`.deploy.`), which `recover` cleans."""
    return f".{directory.name}."


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output directory (created if missing) while the block runs."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY) if fcntl is not None else None
    except OSError as error:
        raise OutputError(f"cannot create {directory}: {error.strerror or error}") from None
    if handle is None:
        yield
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another dashctl build is writing {directory}; run again when it has finished"
            ) from None
        yield
    finally:
        os.close(handle)  # closing releases the lock


def recover(directory: Path) -> list[str]:
    """Finish a swap that a killed build left half done and delete staging leftovers; call it under `locked`.

    Returns the names of the directories whose swap was finished (for the caller to mention).
    """
    finished: list[str] = []
    parent = directory.parent
    prefix = staging_prefix(directory)
    if not parent.is_dir():
        return finished
    _restore_legacy(directory)
    for leftover in sorted(parent.glob(prefix + "*")):
        kind = leftover.name[len(prefix):].split("-", 1)[0]
        if kind not in ("stage", "new", "old") or not leftover.is_dir() or leftover.is_symlink():
            continue  # not a name dashctl gives its staging directories
        journal = leftover / JOURNAL
        if kind == "stage" and journal.is_file():
            finished.extend(_finish(leftover, directory, _read_journal(journal)))
            _commit(leftover)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    return finished


def _restore_legacy(directory: Path) -> None:
    """Earlier dashctl swapped the whole output with two renames: a kill between them left only `.deploy.old-*`."""
    legacy = sorted(directory.parent.glob(staging_prefix(directory) + "old-*"))
    if len(legacy) != 1 or os.path.lexists(directory) and (not directory.is_dir() or any(directory.iterdir())):
        return
    if directory.is_dir():
        directory.rmdir()
    os.rename(legacy[0], directory)


def new_stage(directory: Path) -> Path:
    """Create an empty staging directory beside `directory` (which must exist); call it under `locked`.

    Until `swap_in` commits it, a stage is garbage to `recover`: a build killed while staging loses nothing.
    """
    try:
        stage = Path(tempfile.mkdtemp(prefix=staging_prefix(directory) + "stage-", dir=directory.parent))
        os.chmod(stage, 0o755)
    except OSError as error:
        raise OutputError(f"cannot create a staging directory in {directory.parent}: {error.strerror}") from None
    return stage


def stage_file(stage: Path, path: str, data: bytes | None, *, same_as: Path | None = None) -> None:
    """Put one file (`<name>/<path>`) in the stage: hard-linked from `same_as`, whose bytes are `data` (None: read
    them from it), where the file system allows (a rebuild that changed one file of thousands then writes one
    file; a path not staged yet is linked under its own name at once), else written."""
    target = stage / path
    try:
        scratch = _prepare(stage, target.parent)
        if same_as is not None and _linked(same_as, target):  # a new name: nothing is written through
            _hook()
            return
        # Made under a name of its own in this process's scratch directory, then renamed over the target: a path
        # staged twice (or by two worker processes) must never be written through, since a staged file may be a
        # hard link to the one in the output directory. Creating it apart from its directory keeps that
        # directory's lock, which every file created in it takes, out of the other workers' way (creating a
        # thousand files in one directory from two processes took as long as from one).
        temporary = scratch / str(next(_staged_count))
        try:
            if same_as is None or not _linked(same_as, temporary):
                if data is None:
                    if same_as is None:
                        raise OutputError(f"no content to stage for {path}")  # a dashctl bug
                    data = same_as.read_bytes()
                _write_new(temporary, data)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(f"cannot stage the build in {stage}: {error.strerror or error}") from None
    _hook()


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) holding `data`, by descriptor: a buffered file object costs three more
    system calls a file (fstat, the isatty ioctl, lseek), and a build writes thousands."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def link_unchanged(stage: Path, directory: Path, paths: Iterable[str]) -> None:
    """`stage_file(stage, path, None, same_as=directory / path)` for each of `paths`, the unchanged files of a
    rebuild (thousands): hard links made relative to each directory's descriptor (no path walk, no scratch name or
    rename for a path not staged yet); any that cannot be made so go the way of `stage_file`."""
    by_directory: dict[str, list[str]] = {}
    for path in paths:
        parent, _, name = path.rpartition("/")
        by_directory.setdefault(parent, []).append(name)
    for parent, names in by_directory.items():
        source = directory / parent
        target = stage / parent
        try:
            _prepare(stage, target)
            source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            source_fd = None
        try:
            target_fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY) if source_fd is not None else None
        except OSError:
            target_fd = None
        try:
            for name in names:
                if target_fd is not None:
                    try:
                        os.link(name, name, src_dir_fd=source_fd, dst_dir_fd=target_fd, follow_symlinks=False)
                    except OSError:
                        pass  # staged already (replaced by a rename), or no hard links here (copied)
                    else:
                        _hook()
                        continue
                relative = f"{parent}/{name}" if parent else name
                stage_file(stage, relative, None, same_as=directory / relative)
        finally:
            for handle in (source_fd, target_fd):
                if handle is not None:
                    os.close(handle)


# The stage this process last staged into, its scratch directory and the directories made in it: a build stages
# thousands of files into a few directories, and a forked worker inherits the parent's (hence the pid).
_prepared: tuple[int, Path, Path, set[Path]] | None = None


def _prepare(stage: Path, directory: Path) -> Path:
    """Make `directory` (in `stage`) if this process has not yet; return this process's scratch directory."""
    global _prepared
    if _prepared is None or _prepared[:2] != (os.getpid(), stage):
        scratch = stage / f"{SCRATCH_PREFIX}{os.getpid()}"
        scratch.mkdir(mode=0o700, exist_ok=True)
        _prepared = (os.getpid(), stage, scratch, set())
    made = _prepared[3]
    if directory not in made:
        directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        made.add(directory)
    return _prepared[2]


def swap_in(stage: Path, directory: Path, names: Collection[str]) -> None:
    """Replace `directory/<name>` by the staged `<name>/` for each of `names`, crash-safely, and delete the stage;
    call it under `locked`. A name with nothing staged becomes an empty directory. Directories not named are left
    alone; the old trees are deleted after the swap (files hard-linked from them live on in the new ones)."""
    _forget(stage)
    try:
        inodes: dict[str, list[int]] = {}
        for name in sorted(names):
            root = stage / name
            root.mkdir(mode=0o755, exist_ok=True)
            status = root.stat()
            inodes[name] = [status.st_dev, status.st_ino]
        temporary = stage / f"{JOURNAL}.tmp"
        temporary.write_text(json.dumps({"version": 1, "directories": inodes}, sort_keys=True), encoding="utf-8")
        _hook()
        os.replace(temporary, stage / JOURNAL)  # from here on the swap is finished by whoever comes next
        _hook()
    except OSError as error:
        discard_stage(stage)
        raise OutputError(f"cannot stage the build in {stage}: {error.strerror or error}") from None
    except BaseException:
        discard_stage(stage)
        raise
    try:
        _finish(stage, directory, inodes)
    except OSError as error:
        # The journal stays: the next build finishes this swap before anything else.
        raise OutputError(
            f"cannot swap the build into {directory}: {error.strerror or error}",
        ) from None
    _commit(stage)


def discard_stage(stage: Path) -> None:
    """Delete a stage that will not be swapped in (the build failed, or changed nothing)."""
    _forget(stage)
    shutil.rmtree(stage, ignore_errors=True)


def _forget(stage: Path) -> None:
    """What `_prepare` knows of `stage` no longer holds once it is swapped or deleted (a long-lived process, such as
    `preview --watch`, builds again, perhaps into a stage of the same name)."""
    global _prepared
    if _prepared is not None and _prepared[1] == stage:
        _prepared = None


def _linked(source: Path, target: Path) -> bool:
    """Hard-link `source` as `target`; False where the file system cannot (then the caller writes it)."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        return False
    return True


def _finish(stage: Path, directory: Path, inodes: Mapping[str, list[int]]) -> list[str]:
    """Swap every staged tree that is not yet in place into `directory`; return the names swapped."""
    swapped = []
    for name, (device, inode) in sorted(inodes.items()):
        target = directory / name
        staged = stage / name
        if _is(target, device, inode):
            continue
        if not _is(staged, device, inode):
            raise OutputError(f"the interrupted build's staged {name}/ is missing from {stage}; delete {stage}")
        _swap(staged, target, stage / f"{name}.old")
        swapped.append(name)
    return swapped


def _commit(stage: Path) -> None:
    (stage / JOURNAL).unlink(missing_ok=True)  # the commit point: the old trees left in `stage` are garbage now
    _hook()
    for child in sorted(stage.iterdir()):
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        _hook()
    shutil.rmtree(stage, ignore_errors=True)


def _swap(staged: Path, target: Path, aside: Path) -> None:
    if not os.path.lexists(target):
        if not _rename2(staged, target, _RENAME_NOREPLACE):
            os.rename(staged, target)
        _hook()
        return
    if _rename2(staged, target, _RENAME_EXCHANGE):
        _hook()
        return
    os.rename(target, aside)
    _hook()  # the one moment `target` is absent; the journal in the stage says where both trees are
    os.rename(staged, target)
    _hook()


def _rename2(source: Path, destination: Path, flags: int) -> bool:
    """renameat2(2) with `flags`; False where the C library, the kernel or the filesystem lacks it."""
    if os.environ.get(PLAIN_RENAME_VARIABLE):
        return False
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(destination), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(destination))


_renameat2_function: object = None


def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    global _renameat2_function
    if _renameat2_function is None:
        try:
            function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc >= 2.28
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            function.restype = ctypes.c_int
            _renameat2_function = function
        except (AttributeError, OSError):
            _renameat2_function = False
    return _renameat2_function or None


def _is(path: Path, device: int, inode: int) -> bool:
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return False
    return (status.st_dev, status.st_ino) == (device, inode)


def _read_journal(path: Path) -> dict[str, list[int]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {str(name): [int(value) for value in pair] for name, pair in document["directories"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise OutputError(
            f"{path} is not a journal dashctl can read; look at {path.parent} and delete it by hand"
        ) from None


def _hook() -> None:
    global _hooks_reached
    kill_at = os.environ.get(KILL_AT_VARIABLE)
    if not kill_at:
        return
    _hooks_reached += 1
    if _hooks_reached == int(kill_at):
        os.kill(os.getpid(), signal.SIGKILL)
