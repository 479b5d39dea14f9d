"""Where the build puts each file it produces: kept in memory, or streamed into a staging directory.

`build_project` hands every packaged file to a sink as soon as it exists, so a sink that writes it out
(`dashctl.compiler.staging.StagingSink`, what `dashctl build` uses) keeps only paths, sizes and digests in memory:
the build's memory then grows with what one definition produces, not with the whole output. Without a sink the
build keeps its files in memory (`MemorySink`), for preview, diff, lint and tests, which read them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

__all__ = ["MemorySink", "OutputSink", "StagedFile"]


@dataclass(frozen=True, kw_only=True)
class StagedFile:
    """What a streaming sink remembers of a file it put in its stage."""

    size: int
    digest: str  # SHA-256, hex: what the build cache names blobs by
    # How it compares with the file of the output directory: "missing", "stale", or None (the same bytes).
    change: str | None


class OutputSink(Protocol):
    """Receives the files of a build, by POSIX path relative to the output directory (`dev/alerting.yaml`)."""

    # True when `add` puts the bytes somewhere a forked worker process can write too (a directory), so that
    # workers add their files themselves and hand the parent only the StagedFile to `record`.
    streams: bool

    def add(self, path: str, data: bytes) -> StagedFile | None:
        """Take one file; a streaming sink returns what it remembers of it."""

    def record(self, path: str, staged: StagedFile) -> None:
        """Take note of a file a forked worker process added to this (streaming) sink."""

    def files(self) -> Mapping[str, bytes]:
        """The files added so far, by path (a streaming sink reads their bytes back on demand)."""


class MemorySink:
    """Keeps every file in memory."""

    streams = False

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes) -> None:
        self._files[path] = data

    def record(self, path: str, staged: StagedFile) -> None:
        raise TypeError("a MemorySink takes no files from worker processes")  # a dashctl bug

    def files(self) -> Mapping[str, bytes]:
        return MappingProxyType(self._files)
