"""Showing a preview's progress as it happens: a bar on a terminal, plain lines elsewhere (issue 9.11).

Every change ("created dashboard x") and every wait before a retry is a line of its own, printed the moment it
happens, on a terminal or not; a terminal also gets a one-line bar for the reads and writes, redrawn in place.
Waits are reported from the threads that wait, so everything here holds a lock.
"""

from __future__ import annotations

import shutil
import sys
import threading
from typing import TextIO

from dashctl.grafana import RetryWait
from dashctl.preview.progress import PreviewProgress

__all__ = ["ProgressDisplay"]

_BAR_WIDTH = 24


class ProgressDisplay:
    """Renders `PreviewProgress` and `RetryWait` events on `stream` (stderr by default)."""

    def __init__(self, stream: TextIO | None = None, *, terminal: bool | None = None):
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty() if terminal is None else terminal
        self._lock = threading.Lock()
        self._bar = ""

    def progress(self, event: PreviewProgress) -> None:
        with self._lock:
            if event.message:
                self._line(event.message)
            if self._terminal:
                self._draw(_bar(event))

    def wait(self, wait: RetryWait) -> None:
        with self._lock:
            self._line(f"waiting: {wait}")

    def close(self) -> None:
        """Clear the bar, so that what follows starts on a clean line."""
        with self._lock:
            if self._bar:
                self._stream.write("\r\x1b[K")
                self._stream.flush()
                self._bar = ""

    def _line(self, text: str) -> None:
        prefix = "\r\x1b[K" if self._bar else ""
        self._stream.write(f"{prefix}{text}\n")
        if self._bar:
            self._stream.write(self._bar)
        self._stream.flush()

    def _draw(self, bar: str) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self._bar = bar[:width]
        self._stream.write(f"\r\x1b[K{self._bar}")
        self._stream.flush()


def _bar(event: PreviewProgress) -> str:
    filled = _BAR_WIDTH * event.done // max(event.total, 1)
    return f"{event.stage} [{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] {event.done}/{event.total}"
