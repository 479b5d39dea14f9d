"""Malformed dashboards are reported, never crash the import: seeded mutations of the fixtures (members replaced
by values of the wrong type), each imported and built; the seed is printed on failure."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest

from dashctl.errors import DashctlError
from dashctl.importing import import_sources, verify_import
from dashctl.importing.sources import SourceDashboard, Sources
from dashctl.project.config import load_project
from tests.importing import fixtures

_VALUES = (None, "", "x", 0, 1.5, True, [], {}, [None], {"a": None}, "${DS_X}", "$v", -1)
SEEDS = range(300)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _mutated(seed: int) -> dict:
    rng = random.Random(seed)
    model = copy.deepcopy(rng.choice([fixtures.ui_export, fixtures.legacy_rows, fixtures.shared_export])())
    paths = list(_paths(model))[1:]
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(paths)
        node = model
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = copy.deepcopy(rng.choice(_VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced an ancestor
    return model


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from tests.importing.conftest import CONFIG

    root: Path = tmp_path_factory.mktemp("project")
    (root / "dashboards").mkdir()
    (root / "dashctl.toml").write_text(CONFIG)
    return load_project(root)


def test_malformed_dashboards_never_crash_the_import(project):
    environment = project.select_environments()[0]
    reported = 0
    for seed in SEEDS:
        sources = Sources(dashboards=(SourceDashboard(model=_mutated(seed), origin=f"seed {seed}"),))
        try:
            verify_import(import_sources(sources, project), environment)
        except DashctlError as error:
            reported += 1
            assert str(error), f"seed {seed}: an error without a message"
        except Exception as error:  # noqa: BLE001 - the point of the test
            pytest.fail(f"seed {seed}: {type(error).__name__}: {error}")
    assert reported, "the mutations never produced a reportable problem: the test would not notice a crash"


def test_a_malformed_dashboard_is_reported_with_its_path(project):
    model = fixtures.ui_export()
    model["panels"][3]["targets"] = "up"
    model["templating"]["list"][1]["name"] = 7
    with pytest.raises(DashctlError) as caught:
        import_sources(Sources(dashboards=(SourceDashboard(model=model, origin="ui.json"),)), project)
    text = str(caught.value)
    assert "ui.json: panels[3].targets: must be a list, not a string" in text
    assert "ui.json: templating.list[1].name: must be a string, not a number" in text
