"""Golden files under tests/golden/<area>/: compared byte for byte, rewritten by `pytest --update-golden`."""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def compare_golden(area: str, name: str, actual: str, update: bool) -> None:
    """Assert `actual` is the golden file `area/name`; with `update`, write it first (then review the git diff)."""
    path = GOLDEN / area / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8"), f"{area}/{name} differs from its golden file"
