"""Golden files for a compiled dashboard and its ConfigMap. Regenerate with `pytest --update-golden` and review
the diff: it is exactly what changes in every user's deploy/."""

from __future__ import annotations

import json
from functools import partial

import pytest
import yaml

from tests.golden_files import compare_golden

compare = partial(compare_golden, "dashboards")


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
