"""The build streams its files into the staging directory as it produces them: the stage holds them before the
swap, memory holds only their sizes, digests and changes, and the bytes are those of a build held in memory."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dashctl.compiler.output import OutputTree, StagingSink, install_output, staged_output
from dashctl.compiler.pipeline import BuildOutput, build_project
from dashctl.compiler.sink import StagedFile
from dashctl.compiler.swap import KILL_AT_VARIABLE, PLAIN_RENAME_VARIABLE
from dashctl.errors import OutputError
from dashctl.project.config import load_project
from tests.compiler.test_cache_parallel import MANY

DASHCTL = Path(sys.executable).parent / "dashctl"


@pytest.fixture
def many(make_project):
    return make_project({"dashboards/many.py": MANY.format(broken=-1), "data/title.txt": "Many",
                         "data/suffix.txt": "one"})


def _staged(stage):
    return {path.relative_to(stage).as_posix(): path.read_bytes() for path in stage.rglob("*") if path.is_file()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_file_is_in_the_stage_before_the_swap_and_only_its_record_in_memory(many, jobs):
    project = load_project(many.root)
    in_memory = build_project(project)
    with staged_output(many.root / "deploy") as sink:
        streamed = build_project(project, previous=sink.previous, sink=sink, jobs=jobs, keep_compiled=False)
        # Forked workers (jobs=2: 62 dashboards, beyond MIN_TASKS) wrote their files into the stage themselves.
        assert _staged(sink.stage) == dict(in_memory.files)
        for path, data in in_memory.files.items():
            assert streamed.files.staged(path) == StagedFile(  # type: ignore[attr-defined]
                size=len(data), digest=hashlib.sha256(data).hexdigest(), change="missing")
        assert all(isinstance(value, StagedFile) for value in sink._entries.values())
        changes = install_output(streamed, sink, shown=many.root / "deploy")
    assert {change.path for change in changes} == set(in_memory.files)
    assert OutputTree(many.root / "deploy") == dict(in_memory.files)
    assert not list(many.root.glob(".deploy.*"))  # the stage went with the swap


def test_a_second_build_stages_nothing_and_swaps_nothing(many):
    project = load_project(many.root)
    assert many.run("build", "--no-cache").exit_code == 0
    deploy = many.root / "deploy"
    inode = (deploy / "dev/kustomization.yaml").stat().st_ino
    with staged_output(deploy) as sink:
        result = build_project(project, previous=sink.previous, sink=sink)
        assert {sink.staged(path).change for path in result.files} == {None}
        assert not [path for path in sink.stage.rglob("*") if path.is_file()]  # no link made until one is needed
        assert result.files["dev/kustomization.yaml"] == (deploy / "dev/kustomization.yaml").read_bytes()
        assert install_output(result, sink, shown=deploy) == []
    assert (deploy / "dev/kustomization.yaml").stat().st_ino == inode  # left as it was, not swapped
    assert not list(many.root.glob(".deploy.*"))


def deployed_and_one_changed(tmp_path):
    """An output directory of three files, and a build of them in which one changed."""
    deploy = tmp_path / "deploy"
    (deploy / "dev").mkdir(parents=True)
    files = {"dev/kustomization.yaml": b"resources:\n- a.yaml\n- b.yaml\n", "dev/a.yaml": b"a: 1\n",
             "dev/b.yaml": b"b: 1\n"}
    for path, data in files.items():
        (deploy / path).write_bytes(data)
    return deploy, BuildOutput(files={**files, "dev/b.yaml": b"b: 2\n"}, owned_dirs=("dev",))


def test_once_a_file_changed_the_unchanged_ones_are_hard_linked_into_the_stage(tmp_path):
    deploy, output = deployed_and_one_changed(tmp_path)
    inode = (deploy / "dev/a.yaml").stat().st_ino
    with staged_output(deploy) as sink:
        for path, data in output.files.items():
            sink.add(path, data)
        assert not (sink.stage / "dev/a.yaml").exists()
        assert (sink.stage / "dev/b.yaml").read_bytes() == b"b: 2\n"
        assert [difference.path for difference in install_output(output, sink, shown=deploy)] == ["dev/b.yaml"]
    assert (deploy / "dev/a.yaml").stat().st_ino == inode  # linked into the new tree, not copied
    assert {path.name: path.read_bytes() for path in (deploy / "dev").iterdir()} == {
        path.removeprefix("dev/"): data for path, data in output.files.items()}


def test_a_path_staged_twice_never_writes_through_a_hard_link_into_the_output(tmp_path):
    deploy = tmp_path / "deploy"
    (deploy / "dev").mkdir(parents=True)
    (deploy / "dev/a.yaml").write_bytes(b"a: deployed\n")
    with staged_output(deploy) as sink:
        assert sink.add("dev/a.yaml", b"a: deployed\n").change is None  # linked to the deployed file
        assert sink.add("dev/a.yaml", b"a: other\n").change == "stale"
        assert (deploy / "dev/a.yaml").read_bytes() == b"a: deployed\n"
        assert (sink.stage / "dev/a.yaml").read_bytes() == b"a: other\n"
    # Not installed: the stage is deleted, the output untouched.
    assert (deploy / "dev/a.yaml").read_bytes() == b"a: deployed\n"
    assert sorted(os.listdir(tmp_path)) == ["deploy"]


def test_a_failed_build_deletes_its_stage_and_the_output_directory_it_created(make_project):
    project = make_project({"dashboards/broken.py": """
        from dashctl.definitions import dashboard

        @dashboard(uid="broken")
        def broken(env):
            raise ValueError("broken on purpose")
    """})
    result = project.run("build")
    assert result.exit_code == 3, result.stderr
    assert "broken on purpose" in result.stderr
    assert sorted(path.name for path in project.root.iterdir() if path.name.startswith((".deploy", "deploy"))) == []


def test_the_previous_output_is_listed_once_and_each_file_read_when_asked_for(tmp_path):
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev/a.yaml").write_bytes(b"a: 1\n")
    (tmp_path / "dev/b.yaml").write_bytes(b"b: 1\n")
    tree = OutputTree(tmp_path)
    assert list(tree) == ["dev/a.yaml", "dev/b.yaml"]
    (tmp_path / "dev/a.yaml").write_bytes(b"a: 2\n")  # read when asked for, not when listed
    assert tree["dev/a.yaml"] == b"a: 2\n"
    (tmp_path / "dev/b.yaml").unlink()
    assert "dev/b.yaml" in tree and tree.get("dev/b.yaml") is None
    (tmp_path / "dev/c.yaml").write_bytes(b"c: 1\n")  # not listed: a file the build did not find
    assert "dev/c.yaml" not in tree and len(tree) == 2


def test_check_compares_without_a_stage_and_keeps_no_bytes_of_a_stale_file(many):
    assert many.run("build", "--no-cache").exit_code == 0
    deploy = many.root / "deploy"
    (deploy / "dev/kustomization.yaml").write_text("stale\n", encoding="utf-8")
    (deploy / "prod/extra.yaml").write_text("extra\n", encoding="utf-8")
    sink = StagingSink(deploy, OutputTree(deploy))
    result = build_project(load_project(many.root), previous=sink.previous, sink=sink)
    assert [(change.path, change.state) for change in sink.differences(result.owned_dirs)] == [
        ("dev/kustomization.yaml", "stale"), ("prod/extra.yaml", "extra")]
    assert result.files["dev/dashboard-many-0.yaml"] == (deploy / "dev/dashboard-many-0.yaml").read_bytes()
    with pytest.raises(OutputError, match="only compared"):
        result.files["dev/kustomization.yaml"]
    assert not list(many.root.glob(".deploy.*"))


def test_the_default_build_with_workers_and_cache_streams_and_rebuilds_nothing(many):
    # 62 dashboards over two environments: `dashctl build` packages them in worker processes, with the cache.
    first = many.run("build")
    assert first.exit_code == 0, first.stderr
    written = OutputTree(many.root / "deploy")
    assert dict(written) == dict(build_project(load_project(many.root)).files)
    second = many.run("build")
    assert second.exit_code == 0, second.stderr
    assert "0 files changed" in second.stderr
    many.write("data/suffix.txt", "two")
    third = many.run("build")
    assert third.exit_code == 0, third.stderr
    assert "updated deploy/dev/dashboard-many-0.yaml" in third.stdout
    assert many.run("build", "--check").exit_code == 0


def test_an_in_memory_output_with_a_file_outside_the_owned_directories_is_refused(tmp_path):
    output = BuildOutput(files={"elsewhere/a.yaml": b"a\n"}, owned_dirs=("dev",))
    with staged_output(tmp_path / "deploy") as sink, pytest.raises(OutputError, match="outside the directories"):
        install_output(output, sink, shown=tmp_path / "deploy")
    assert not list(tmp_path.glob(".deploy.*"))


KILL_SEEDS = [11, 12, 13]


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_a_build_killed_while_it_streams_leaves_the_old_or_the_new_tree(make_project, seed):
    """`dashctl build` (a real process, serial: a small project) killed with SIGKILL at hook points drawn with
    `seed` among those of its staging, journal, swap and clean-up; each owned directory is then the old or the new
    one, and the next build gives the new tree and leaves nothing behind."""
    project = make_project()
    assert project.run("build", "--no-cache").exit_code == 0
    deploy = project.root / "deploy"
    old = project.snapshot()
    saved = project.root.parent / f"old-{seed}"
    shutil.copytree(deploy, saved)
    shop = project.root / "dashboards/shop.py"
    shop.write_text(shop.read_text(encoding="utf-8").replace("Shop API", "Shop API v2"), encoding="utf-8")
    assert project.run("build", "--no-cache").exit_code == 0
    new = project.snapshot()
    assert new != old
    # The basic project has 18 hook points (files staged, journal, swaps, clean-up); a few past them run through.
    points = sorted(random.Random(seed).sample(range(1, 22), 5))
    for hook in points:
        where = f"seed {seed}, killed at hook {hook}"
        shutil.rmtree(deploy)
        shutil.copytree(saved, deploy)
        environment = {key: value for key, value in os.environ.items() if key != PLAIN_RENAME_VARIABLE}
        environment[KILL_AT_VARIABLE] = str(hook)
        completed = subprocess.run([str(DASHCTL), "build", "--no-cache"], cwd=project.root, env=environment,
                                   capture_output=True, timeout=120)
        assert completed.returncode in (0, -signal.SIGKILL), f"{where}: {completed.stderr.decode()}"
        on_disk = project.snapshot()
        for name in ("dev", "prod", "argocd"):
            part = {path: data for path, data in on_disk.items() if path.startswith(name + "/")}
            assert part in ({p: d for p, d in old.items() if p.startswith(name + "/")},
                            {p: d for p, d in new.items() if p.startswith(name + "/")}), f"{where}: {name}/ mixed"
        result = project.run("build", "--no-cache")
        assert result.exit_code == 0, f"{where}: {result.stderr}"
        assert project.snapshot() == new, where
        assert not list(project.root.glob(".deploy.*")), where


def test_where_the_file_system_has_no_hard_links_the_unchanged_files_are_copied(tmp_path, monkeypatch):
    """Some file systems (a CI cache on FUSE, a Windows share) refuse link(): the stage copies from the output."""
    import errno

    def refuse(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    deploy, output = deployed_and_one_changed(tmp_path)
    inode = (deploy / "dev/a.yaml").stat().st_ino
    monkeypatch.setattr("dashctl.compiler.swap.os.link", refuse)
    with staged_output(deploy) as sink:
        for path, data in output.files.items():
            sink.add(path, data)
        assert [difference.path for difference in install_output(output, sink, shown=deploy)] == ["dev/b.yaml"]
    assert (deploy / "dev/a.yaml").stat().st_ino != inode  # a copy, not a link
    assert {path.name: path.read_bytes() for path in (deploy / "dev").iterdir()} == {
        path.removeprefix("dev/"): data for path, data in output.files.items()}
