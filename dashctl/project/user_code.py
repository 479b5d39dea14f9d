"""Running the user's code (a definition, a definition file's import) under a time limit, naming it on Ctrl-C.

The limit is a SIGALRM timer (`signal.setitimer`) whose handler raises `DefinitionTimeoutError` in whatever Python
line the user's code is running, so the error points at that line. Only the main thread can receive signals:
elsewhere (and on platforms without SIGALRM) code runs without a limit. Code blocked inside C (a socket read without
a timeout, a lock) sees the signal only when it returns to Python; the timer then repeats every second, so code that
swallows the exception with a bare `except` is interrupted again.
"""

from __future__ import annotations

import signal
import sysconfig
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from dashctl.errors import DefinitionInterrupted, DefinitionTimeoutError, SourceLocation

__all__ = ["DEFAULT_TIME_LIMIT", "innermost_user_frame", "run_user_code"]

DEFAULT_TIME_LIMIT = 300.0  # seconds; generous, since a definition usually returns in milliseconds
_REPEAT = 1.0
_PACKAGE = Path(__file__).resolve().parents[1]
_STANDARD_LIBRARY = {Path(sysconfig.get_paths()[name]).resolve() for name in ("stdlib", "platstdlib")}

T = TypeVar("T")


_depth = 0  # runs could nest (a library calling a definition inside another): only the outermost is timed


def run_user_code(
    what: str, location: SourceLocation, seconds: float | None, function: Callable[..., T], *args: Any
) -> T:
    """Call `function(*args)`, stopped after `seconds` (None or 0: no limit); Ctrl-C names `what`."""
    global _depth
    main = _can_time()  # signals reach only the main thread; the depth is counted there alone
    timed = bool(seconds) and main and _depth == 0
    if timed:
        previous = signal.signal(signal.SIGALRM, _timeout_handler(what, seconds or 0.0))
        outer_timer = signal.setitimer(signal.ITIMER_REAL, seconds or 0.0, _REPEAT)
    if main:
        _depth += 1
    try:
        return function(*args)
    except DefinitionInterrupted:
        raise
    except KeyboardInterrupt as interrupt:
        raise DefinitionInterrupted(what, innermost_user_frame(interrupt) or location) from None
    finally:
        if main:
            _depth -= 1
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if outer_timer[0]:
                signal.setitimer(signal.ITIMER_REAL, *outer_timer)  # a caller's own alarm (roughly) as it was


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _timeout_handler(what: str, seconds: float) -> Callable[[int, Any], None]:
    def handle(_signum: int, _frame: Any) -> None:
        raise DefinitionTimeoutError(
            f"did not return within {_seconds(seconds)}; it was stopped at this line",
            definition=what,
            hint="a definition should return in well under a second: look for a loop that never ends or a call "
            "that waits (network, lock); if it really needs longer, raise `definition_timeout` in the project "
            "configuration",
        )

    return handle


def _seconds(seconds: float) -> str:
    return f"{seconds:g}s"


def innermost_user_frame(error: BaseException, root: Path | None = None) -> SourceLocation | None:
    """The innermost traceback frame in the user's code (under `root` when given; never dashctl, an installed
    library or the standard library): the line that failed, or that was running when the run was stopped."""
    best = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith("<"):
            continue
        path = Path(frame.filename).resolve()
        if root is not None and not path.is_relative_to(root):
            continue
        if path.is_relative_to(_PACKAGE) or "site-packages" in path.parts or "dist-packages" in path.parts:
            continue
        if root is None and any(path.is_relative_to(library) for library in _STANDARD_LIBRARY):
            continue
        best = SourceLocation(file=str(path), line=frame.lineno)
    return best
