"""Golden files for a compiled dashboard and its ConfigMap. Regenerate with `pytest --update-golden` and review
the diff: it is exactly what changes in every user's deploy/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "dashboards"


def compare(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture
def built(make_project):
    project = make_project()
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return project


def test_compiled_dashboard_matches_golden(built, update_golden):
    config_map = yaml.safe_load((built.root / "deploy/dev/dashboard-shop-api.yaml").read_text())
    model = json.loads(config_map["data"]["shop-api.dev.json"])
    compare("shop-api.dev.json", json.dumps(model, indent=2, sort_keys=True) + "\n", update_golden)


def test_dashboard_config_map_matches_golden(built, update_golden):
    compare("shop-api.dev.configmap.yaml", (built.root / "deploy/dev/dashboard-shop-api.yaml").read_text(), update_golden)
