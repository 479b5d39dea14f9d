"""What a preview reports while it runs: reads done, each write as it lands, and the end.

The library calls the `progress` callback the caller supplies, from the thread that drives the preview; the CLI
draws a bar on a terminal and plain lines elsewhere. Waits before retries come through the client's `on_wait`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PreviewProgress", "ProgressCallback"]


@dataclass(frozen=True, kw_only=True)
class PreviewProgress:
    """One step: `stage` is "reading" (comparing with what Grafana holds) or "writing"; `done` of `total` steps of
    that stage are finished; `message` says what changed ("created dashboard 'x'"), empty for a plain read."""

    stage: str
    done: int
    total: int
    message: str = ""


ProgressCallback = Callable[[PreviewProgress], None]
