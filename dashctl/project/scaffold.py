"""`dashctl init`: a new project with the same shape as the platform's, without its content."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from dashctl.errors import OutputError, UsageError

__all__ = ["scaffold_project"]


def scaffold_project(directory: Path) -> list[Path]:
    """Create a project in `directory` (new or empty of dashctl files); return the files written, relative to it."""
    if (directory / "dashctl.toml").exists():
        raise UsageError(f"{directory / 'dashctl.toml'} already exists; dashctl init never overwrites a project")
    pyproject = directory / "pyproject.toml"
    if pyproject.exists() and "[tool.dashctl" in pyproject.read_text(encoding="utf-8", errors="replace"):
        raise UsageError(f"{pyproject} already has a [tool.dashctl] table; dashctl init never overwrites a project")
    template = resources.files("dashctl.project") / "scaffold"
    planned: list[tuple[Path, bytes]] = []
    _collect(template, Path(), planned)
    clashes = [relative for relative, _ in planned if (directory / relative).exists()]
    if clashes:
        listed = ", ".join(str(path) for path in clashes)
        raise UsageError(f"{directory} already has {listed}; move them away or choose another directory")
    written = []
    try:
        for relative, data in planned:
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(relative)
    except OSError as error:
        raise OutputError(f"cannot write {directory}: {error.strerror or error}") from None
    return written


def _collect(node: resources.abc.Traversable, relative: Path, planned: list[tuple[Path, bytes]]) -> None:
    for child in sorted(node.iterdir(), key=lambda item: item.name):
        if child.name == "__pycache__":
            continue
        if child.is_dir():
            _collect(child, relative / child.name, planned)
        else:
            planned.append((relative / child.name, child.read_bytes()))
