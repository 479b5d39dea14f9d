"""The installed-files record (dashctl.compiler.installed) through whole builds: what a copy, a stale record or a
racily clean entry make the next build do, and the fast paths it rests on (the scandir listing, the links into the
stage) against the exact ways they replace."""

from __future__ import annotations

import os
import random
import shutil

from dashctl.compiler.cache import cache_directory
from dashctl.compiler.installed import INSTALLED_FILE, InstalledFiles
from dashctl.compiler.output import OutputTree
from dashctl.compiler.swap import discard_stage, link_unchanged, new_stage, stage_file
from tests.compiler.test_cache import DASHBOARD, build, built, full_build_output, project  # noqa: F401 (a fixture)

B = "dev/dashboard-b.yaml"


def trusted(project) -> list[str]:
    """The output files the next build would take unread, as `dashctl build` keys the record (the absolute output
    directory, from the working directory)."""
    deploy = (project.root / "deploy").resolve()
    installed = InstalledFiles(cache_directory(deploy) / INSTALLED_FILE, deploy)
    return sorted(path for path in project.snapshot() if installed.digest(path) is not None)


def warm(project) -> None:
    build(project)
    build(project)
    built(project)


def test_after_a_build_every_file_is_trusted_and_a_copy_of_them_none(project, tmp_path):
    """A copy (CI restoring deploy/, a fresh checkout) has new inodes: read, found unchanged, and trusted again."""
    warm(project)
    assert trusted(project) == sorted(project.snapshot())
    deploy = project.root / "deploy"
    shutil.copytree(deploy, tmp_path / "copy")
    shutil.rmtree(deploy)
    shutil.copytree(tmp_path / "copy", deploy)
    assert trusted(project) == []
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    assert built(project) == [] and "0 files changed" in result.stderr
    assert trusted(project) == sorted(project.snapshot())


def test_a_stale_record_trusts_nothing_the_build_after_it_replaced(project, tmp_path):
    warm(project)
    record = cache_directory(project.root / "deploy") / INSTALLED_FILE
    stale = record.read_bytes()
    project.write("dashboards/b.py", DASHBOARD.format(uid="b", imports="", title='"Bravo 2"'))
    build(project)
    record.write_bytes(stale)  # the record of the build before: b's files are new files since
    assert B not in trusted(project) and "prod/dashboard-b.yaml" not in trusted(project)
    project.write("dashboards/b.py", DASHBOARD.format(uid="b", imports="", title='"Bravo"'))
    build(project)
    assert project.snapshot() == full_build_output(project, tmp_path)


def test_racily_clean_entries_are_read_and_recorded_again(project):
    warm(project)
    record = cache_directory(project.root / "deploy") / INSTALLED_FILE
    oldest = min((project.root / "deploy" / path).stat().st_ctime_ns for path in project.snapshot())
    os.utime(record, ns=(oldest, oldest))  # as if taken in the same tick as the first file's change
    assert trusted(project) == []
    build(project)
    assert built(project) == []
    assert trusted(project) == sorted(project.snapshot())


def test_warm_rebuilds_write_what_a_build_without_cache_writes(project, tmp_path):
    warm(project)
    for title in ("Bravo 2", "Bravo"):
        project.write("dashboards/b.py", DASHBOARD.format(uid="b", imports="", title=f'"{title}"'))
        build(project)
        assert built(project) == ["b"]
        assert project.snapshot() == full_build_output(project, tmp_path)
        assert project.run("build", "--check").exit_code == 0
        built(project)  # --check built everything


def test_the_output_listing_is_what_rglob_and_is_file_list(tmp_path):
    """OutputTree lists with one scandir a directory; `rglob("*")` filtered by `is_file` is what it replaces."""
    names = ["a", "b", "a-b", "a.b", "B", ".hidden", "a b", "z", "é", "a0", "a_"]
    for seed in range(60):
        rnd = random.Random(seed)
        root = tmp_path / str(seed)
        root.mkdir()
        directories, files = [root], []
        for _ in range(rnd.randrange(1, 40)):
            path = rnd.choice(directories) / rnd.choice(names)
            if os.path.lexists(path):
                continue
            kind = rnd.random()
            if kind < 0.3:
                path.mkdir()
                directories.append(path)
            elif kind < 0.75:
                path.write_text("x")
                files.append(path)
            elif kind < 0.85:
                path.symlink_to(rnd.choice(directories))  # not descended into
            elif kind < 0.95 and files:
                path.symlink_to(rnd.choice(files))  # a file, as is_file says
            else:
                path.symlink_to(root / "missing")
        expected = [path.relative_to(root).as_posix() for path in sorted(root.rglob("*")) if path.is_file()]
        assert list(OutputTree(root)) == expected, f"seed {seed}"
    assert list(OutputTree(tmp_path / "missing")) == []


def test_linking_the_unchanged_files_replaces_a_path_staged_already_and_never_writes_through(tmp_path):
    output = tmp_path / "deploy"
    (output / "dev").mkdir(parents=True)
    (output / "argocd").mkdir()
    for name in ("dev/x.yaml", "dev/y.yaml", "argocd/z.yaml"):
        (output / name).write_text(f"old {name}\n")
    stage = new_stage(output)
    try:
        stage_file(stage, "dev/y.yaml", b"staged first\n")
        link_unchanged(stage, output, ["dev/x.yaml", "dev/y.yaml", "argocd/z.yaml"])
        for name in ("dev/x.yaml", "dev/y.yaml", "argocd/z.yaml"):
            assert (stage / name).read_text() == f"old {name}\n"
            assert (output / name).read_text() == f"old {name}\n"  # the staged bytes went to no output file
        assert (stage / "dev" / "x.yaml").stat().st_ino == (output / "dev" / "x.yaml").stat().st_ino
    finally:
        discard_stage(stage)
