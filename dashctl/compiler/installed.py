"""What the output files were when the last build left them: trusted, as git trusts its index, without reading them.

A rebuild that changed one dashboard of a thousand must still know that the other files on disk hold what the
build cache says they hold; reading and hashing each of them cost more than the rest of such a rebuild. So once a
build has installed its output (after the swap, and after the old trees were deleted: both change the ctime of a
hard-linked file), the build cache records, per file, its size, modification and change times in nanoseconds,
inode and device, with the digest of what the build wrote there (`installed.json` in the cache directory). The
next build takes a file whose status is still exactly that as holding that digest, without opening it.

What defeats it is what defeats git: changing a file within the same tick of the kernel's file clock (a few
milliseconds) as the record was taken, to the same size. As git does ("racy git"), a file whose recorded times are
not older than the record itself is never trusted, so a change in that tick is read, not assumed. A change made
later moves the change time, which no program can set back; a file replaced by another gets another inode or
change time; a checkout elsewhere (CI restoring the cache into a fresh clone) matches nothing, and every file is
read as before. Nothing here is trusted for anything but skipping a read: a record that cannot be read is ignored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from hashlib import sha256
from pathlib import Path

import orjson

__all__ = ["INSTALLED_FILE", "InstalledFiles", "installed_record"]

INSTALLED_FILE = "installed.json"
_FORMAT = 1


def _status(path: str) -> list[int] | None:
    try:
        status = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


class InstalledFiles:
    """The files of `output` as the last build installed them (see the module's docstring), by path relative to it,
    read from the record at `record` (none when it is missing, damaged, or of another output directory)."""

    def __init__(self, record: Path, output: Path) -> None:
        self.output = output
        self._prefix = f"{output}{os.sep}"  # string paths: a Path per file cost more than its stat
        self._entries: dict[str, tuple[list[int], str]] = {}
        try:
            checksum, _, body = record.read_bytes().partition(b"\n")
            taken = os.stat(record).st_mtime_ns
            document = orjson.loads(body) if checksum.decode("ascii", "replace") == sha256(body).hexdigest() else None
        except (OSError, orjson.JSONDecodeError):
            return
        if not isinstance(document, dict) or document.get("format") != _FORMAT \
                or document.get("output") != str(output) or not isinstance(document.get("files"), dict):
            return
        for path, entry in document["files"].items():
            try:
                status, digest = entry[:5], entry[5]
                # Racily clean ones (times not older than the record) never; anything malformed, never either.
                if len(entry) == 6 and type(digest) is str and entry[1] < taken and entry[2] < taken \
                        and all(type(value) is int for value in status):
                    self._entries[path] = (status, digest)
            except (TypeError, IndexError, KeyError):
                continue

    def digest(self, path: str) -> str | None:
        """The digest of the file at `path` (relative to the output directory) when its status is still the one
        recorded, else None (then read it)."""
        entry = self._entries.get(path)
        if entry is None or _status(self._prefix + path) != entry[0]:
            return None
        return entry[1]

    def paths(self) -> list[str]:
        """The paths recorded (each to be checked with `digest`)."""
        return list(self._entries)

    def size(self, path: str) -> int:
        """The recorded size of a file `digest` vouched for."""
        return self._entries[path][0][0]


def installed_record(output: Path, files: Iterable[tuple[str, str]]) -> bytes:
    """The record of each (path, digest) of `files` with the status its file has now in `output`, to be written
    (atomically) where `InstalledFiles` reads it."""
    entries = {}
    prefix = f"{output}{os.sep}"
    for path, digest in files:
        status = _status(prefix + path)
        if status is not None:
            entries[path] = [*status, digest]
    body = orjson.dumps({"format": _FORMAT, "output": str(output), "files": entries}, option=orjson.OPT_SORT_KEYS)
    return sha256(body).hexdigest().encode() + b"\n" + body
