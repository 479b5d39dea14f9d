"""Names of a preview: its folder and the uids of its copies, deterministic from the preview name."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

from dashctl.definitions import UID_MAX_LENGTH
from dashctl.errors import UsageError

__all__ = ["current_branch", "preview_folder_uid", "preview_title", "preview_uid", "validate_preview_name"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


def validate_preview_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            f"preview name {name!r} must be 1-100 letters, digits, '.', '_', '/' or '-', starting with a letter or digit"
        )
    return name


def current_branch(directory: Path) -> str:
    """The checked-out git branch of `directory`: the default preview name."""
    try:
        answer = subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=directory, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        answer = None
    branch = answer.stdout.strip() if answer is not None and answer.returncode == 0 else ""
    if not branch or branch == "HEAD":
        raise UsageError("cannot tell the current git branch (not a repository, or a detached HEAD); pass --name NAME")
    return validate_preview_name(branch)


def _digest(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-") or "x"


def preview_folder_uid(name: str) -> str:
    """`preview-<slug>-<hash>`: readable, and distinct for names that slug alike (`feat/a` and `feat-a`)."""
    return f"preview-{_slug(name)[:24]}-{_digest(name)}"


def preview_uid(name: str, uid: str) -> str:
    """The uid of the preview copy of `uid`: at most 40 characters, the same for the same name and uid."""
    candidate = f"pv-{_digest(name)}-{uid}"
    if len(candidate) <= UID_MAX_LENGTH:
        return candidate
    keep = UID_MAX_LENGTH - len(f"pv-{_digest(name)}--{_digest(uid)}")
    return f"pv-{_digest(name)}-{uid[:keep]}-{_digest(uid)}"


def preview_title(name: str, title: str) -> str:
    return f"[{name}] {title}"
