"""`dashctl init`: a new project with the same shape as the platform's, without its content.

The template is `dashctl/project/scaffold/`. Names that start with `dot-` are written with a dot instead
(`dot-gitignore` is `.gitignore`), because hidden files do not survive packaging; `@DASHCTL_VERSION@` becomes the
installed version, so the new repository's CI installs the dashctl it was made with.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dashctl import __version__
from dashctl.errors import OutputError, UsageError

__all__ = ["ScaffoldResult", "scaffold_project"]

# A repository often has these already; init keeps the user's and writes the rest.
_OPTIONAL = {Path(".gitignore"), Path("README.md"), Path(".github/workflows/dashctl.yml")}
_VERSION = b"@DASHCTL_VERSION@"


@dataclass(frozen=True, kw_only=True)
class ScaffoldResult:
    """The files written and the optional files kept because they existed, relative to the project directory."""

    written: tuple[Path, ...]
    kept: tuple[Path, ...] = ()


def scaffold_project(directory: Path) -> ScaffoldResult:
    """Create a project in `directory` (new or empty of dashctl files)."""
    if (directory / "dashctl.toml").exists():
        raise UsageError(f"{directory / 'dashctl.toml'} already exists; dashctl init never overwrites a project")
    pyproject = directory / "pyproject.toml"
    if pyproject.exists() and "[tool.dashctl" in pyproject.read_text(encoding="utf-8", errors="replace"):
        raise UsageError(f"{pyproject} already has a [tool.dashctl] table; dashctl init never overwrites a project")
    template = resources.files("dashctl.project") / "scaffold"
    planned: list[tuple[Path, bytes]] = []
    _collect(template, Path(), planned)
    kept = tuple(relative for relative, _ in planned if relative in _OPTIONAL and (directory / relative).exists())
    planned = [(relative, data) for relative, data in planned if relative not in kept]
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
    return ScaffoldResult(written=tuple(written), kept=kept)


def _collect(node: resources.abc.Traversable, relative: Path, planned: list[tuple[Path, bytes]]) -> None:
    for child in sorted(node.iterdir(), key=lambda item: item.name):
        if child.name == "__pycache__":
            continue
        name = "." + child.name[len("dot-"):] if child.name.startswith("dot-") else child.name
        if child.is_dir():
            _collect(child, relative / name, planned)
        else:
            planned.append((relative / name, child.read_bytes().replace(_VERSION, __version__.encode())))
