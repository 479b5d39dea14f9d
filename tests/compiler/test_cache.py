"""The build cache: a rebuild builds only what changed, and what it writes is exactly what a full build writes.

Each dashboard definition logs its calls to a file outside the project, so the tests see which ones ran.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from dashctl.compiler.cache import cache_directory

DASHBOARD = '''
import os

from grafanalib.core import Dashboard, Target, TimeSeries

from dashctl.definitions import dashboard
{imports}


@dashboard(uid="{uid}", folder="Shop")
def build(env):
    with open(os.environ["DASHCTL_TEST_CALLS"], "a") as log:
        log.write("{uid}\\n")
    return Dashboard(title={title}, panels=[TimeSeries(
        title="Requests", description="Requests per second.", dataSource="metrics", unit="reqps",
        targets=[Target(expr="sum(rate(http_requests_total[$__rate_interval]))", refId="A")])])
'''

ALERTS = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="shop", folder="Shop", interval="1m")
def shop(env):
    return [AlertRule(uid="shop-errors", title="Shop errors", severity="warning",
                      query=PromQL(expr="sum(rate(http_requests_total[5m]))"), condition=Threshold(above=1),
                      for_="5m", summary="Errors", description="Too many errors.")]
'''


@pytest.fixture
def project(make_project, tmp_path, monkeypatch):
    calls = tmp_path / "calls.log"
    monkeypatch.setenv("DASHCTL_TEST_CALLS", str(calls))
    project = make_project({
        "lib/words.py": 'WORD = "Alpha"\n',
        "lib/naming.py": "from lib.words import WORD\n\n\ndef title():\n    return WORD + ' service'\n",
        "dashboards/a.py": DASHBOARD.format(uid="a", imports="from lib.naming import title", title="title()"),
        "dashboards/b.py": DASHBOARD.format(uid="b", imports="", title='"Bravo"'),
        "dashboards/c.py": DASHBOARD.format(
            uid="c", imports="from pathlib import Path",
            title='(Path(__file__).parent.parent / "data" / "title.txt").read_text().strip()'),
        "data/title.txt": "Charlie\n",
        "alerts/shop.py": ALERTS,
    })
    project.calls = calls
    return project


def built(project) -> list[str]:
    """The dashboards whose definitions ran since the last call (each runs once per environment)."""
    if not project.calls.exists():
        return []
    names = sorted(set(project.calls.read_text().split()))
    project.calls.unlink()
    return names


def full_build_output(project, tmp_path: Path) -> dict[str, bytes]:
    """What `build --no-cache` writes for the project as it is now (into another directory)."""
    result = project.run("build", "--no-cache", "--output", str(tmp_path / "reference"))
    assert result.exit_code == 0, result.stderr
    reference = tmp_path / "reference"
    return {str(p.relative_to(reference)): p.read_bytes() for p in sorted(reference.rglob("*")) if p.is_file()}


def build(project) -> None:
    result = project.run("build")
    assert result.exit_code == 0, result.stderr


def test_a_rebuild_with_nothing_changed_builds_nothing_and_writes_the_same(project):
    build(project)
    assert built(project) == ["a", "b", "c"]
    first = project.snapshot()
    build(project)  # the previous alerting files are new inputs: the alerts section runs again, dashboards do not
    assert built(project) == []
    build(project)
    assert built(project) == []
    assert project.snapshot() == first
    assert (cache_directory(project.root / "deploy") / "index.json").is_file()


def test_a_change_to_a_transitively_imported_module_rebuilds_its_importers_only(project, tmp_path):
    build(project)
    build(project)
    built(project)
    project.write("lib/words.py", 'WORD = "Apex"\n')
    build(project)
    assert built(project) == ["a"]
    assert b"Apex service" in project.snapshot()["dev/dashboard-a.yaml"]
    assert project.snapshot() == full_build_output(project, tmp_path)


def test_a_change_to_a_data_file_a_definition_reads_rebuilds_it(project, tmp_path):
    build(project)
    built(project)
    project.write("data/title.txt", "Charlene\n")
    build(project)
    assert built(project) == ["c"]
    assert b"Charlene" in project.snapshot()["prod/dashboard-c.yaml"]
    assert project.snapshot() == full_build_output(project, tmp_path)


def test_a_changed_configuration_rebuilds_everything(project, tmp_path):
    build(project)
    built(project)
    config = project.root / "dashctl.toml"
    config.write_text(config.read_text().replace('uid = "prom-prod"', 'uid = "prom-prod-2"'))
    build(project)
    assert built(project) == ["a", "b", "c"]
    assert project.snapshot() == full_build_output(project, tmp_path)


@pytest.mark.parametrize("damage", ["blobs", "index", "garbage index", "garbage entries"])
def test_a_corrupt_cache_is_ignored_not_trusted(project, tmp_path, damage):
    build(project)
    build(project)
    built(project)
    cache = cache_directory(project.root / "deploy")
    if damage == "blobs":
        # Same names, other content: every blob fails its digest check.
        for blob in (cache / "blobs").iterdir():
            blob.write_bytes(blob.read_bytes().replace(b"Bravo", b"Wrong"))
    elif damage == "index":
        (cache / "index.json").write_bytes((cache / "index.json").read_bytes()[:100])
    elif damage == "garbage index":
        (cache / "index.json").write_text('{"format": 1, "deps": [], "whole": 3}')
    else:
        # Well-formed, with its checksum recomputed, but every entry pointing somewhere it must not.
        checksum, _, body = (cache / "index.json").read_bytes().partition(b"\n")
        index = json.loads(body)
        for entry in index["dashboards"].values():
            entry["file_name"] = "../../escaped.yaml"
        index["whole"]["files"] = {"../escaped.yaml": digest for digest in index["whole"]["files"].values()}
        for entry in index["sections"].values():
            entry["files"] = {"/etc/escaped": 5}
        body = json.dumps(index).encode()
        (cache / "index.json").write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    project.write("dashboards/b.py", DASHBOARD.format(uid="b", imports="", title='"Bravo 2"'))
    shutil_rmtree(project.root / "deploy")  # nothing on disk to fall back on: only the cache or a real build
    build(project)
    assert "b" in built(project)
    output = project.snapshot()
    assert b"Wrong" not in b"".join(output.values())
    assert output == full_build_output(project, tmp_path)
    assert not list(project.root.parent.rglob("escaped*"))


def test_no_cache_neither_reads_nor_writes_it(project):
    result = project.run("build", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert not cache_directory(project.root / "deploy").exists()
    build(project)
    assert built(project) == ["a", "b", "c"]  # the --no-cache build and this one both ran everything
    project.run("build", "--no-cache")
    assert built(project) == ["a", "b", "c"]


def test_check_never_takes_the_cache_word_for_it(project):
    build(project)
    build(project)
    built(project)
    # A cache that lies (a blob rewritten with its digest recomputed would be trusted by a build): --check must
    # still compare a real build with the directory.
    (project.root / "deploy" / "dev" / "dashboard-b.yaml").write_text("tampered\n")
    result = project.run("build", "--check")
    assert result.exit_code == 1
    assert "stale: deploy/dev/dashboard-b.yaml" in result.stdout
    assert built(project) == ["a", "b", "c"]


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)
    assert not os.path.exists(path)


def test_a_rebuild_writes_only_the_files_that_changed(project):
    """Unchanged files are hard-linked into the staged tree: the same inode before and after the swap."""
    build(project)
    deploy = project.root / "deploy" / "dev"
    before = {path.name: path.stat().st_ino for path in deploy.iterdir()}
    project.write("dashboards/b.py", DASHBOARD.format(uid="b", imports="", title='"Bravo 2"'))
    build(project)
    after = {path.name: path.stat().st_ino for path in deploy.iterdir()}
    assert after["dashboard-a.yaml"] == before["dashboard-a.yaml"]
    assert after["dashboard-b.yaml"] != before["dashboard-b.yaml"]
    assert b"Bravo 2" in (deploy / "dashboard-b.yaml").read_bytes()


def test_a_module_imported_by_name_and_a_listed_directory_are_dependencies(project, tmp_path):
    """importlib.import_module of a module another file imported first, and a glob over a directory: adding a
    file there, or changing that module, rebuilds the definition."""
    project.write("lib/panels_word.py", 'WORD = "Delta"\n')
    project.write("data/panels/one.txt", "one\n")
    project.write("dashboards/a_first.py", "import lib.panels_word  # imported here first\n")
    project.write("dashboards/d.py", DASHBOARD.format(
        uid="d", imports='import importlib\nfrom pathlib import Path\nWORDS = importlib.import_module("lib.panels_word")',
        title='WORDS.WORD + " " + " ".join(sorted(p.stem for p in '
              '(Path(__file__).parent.parent / "data" / "panels").glob("*.txt")))'))
    build(project)
    build(project)
    built(project)
    project.write("data/panels/two.txt", "two\n")
    build(project)
    assert built(project) == ["d"]
    assert b"Delta one two" in project.snapshot()["dev/dashboard-d.yaml"]
    project.write("lib/panels_word.py", 'WORD = "Echo"\n')
    build(project)
    assert built(project) == ["d"]
    assert b"Echo one two" in project.snapshot()["dev/dashboard-d.yaml"]
    assert project.snapshot() == full_build_output(project, tmp_path)


def test_a_build_of_one_environment_keeps_the_cache_of_the_others(project):
    build(project)
    build(project)
    built(project)
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    assert built(project) == []
    build(project)  # every environment again: prod's dashboards are still in the cache
    assert built(project) == []


def test_the_cache_holds_in_a_fresh_checkout_elsewhere(project, tmp_path):
    """What CI does: a new clone (other path, new file times) with the cache directory restored beside it."""
    import shutil
    import time

    build(project)
    build(project)
    built(project)
    time.sleep(0.01)
    clone = tmp_path / "clone"
    shutil.copytree(project.root, clone, copy_function=shutil.copy)  # new file times, as a checkout has
    project.root = clone
    build(project)
    assert built(project) == []
