"""The output files as the last build installed them: trusted by their status (as git trusts its index), never when
that could hide a change."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import orjson

from dashctl.compiler.cache import cache_directory
from dashctl.compiler.installed import INSTALLED_FILE, InstalledFiles, installed_record
from tests.compiler.test_cache import DASHBOARD, build, built, full_build_output, project  # noqa: F401 (a fixture)

_OPENED: list[str] = []
_WATCHING: list[Path] = []


def _audit(event: str, args: tuple) -> None:
    # Audit hooks cannot be removed: this one records only while a test watches a directory.
    if event == "open" and _WATCHING and isinstance(args[0], (str, os.PathLike)):
        path = os.fspath(args[0])
        if path.startswith(str(_WATCHING[-1])):
            _OPENED.append(path)


sys.addaudithook(_audit)


def test_a_rebuild_does_not_read_the_output_files_it_did_not_change(project):
    build(project)
    build(project)
    built(project)
    deploy = project.root / "deploy"
    assert (cache_directory(deploy) / INSTALLED_FILE).is_file()
    project.write("dashboards/b.py", DASHBOARD.format(uid="b", imports="", title='"Bravo 2"'))
    time.sleep(0.01)
    _WATCHING.append(deploy.resolve())
    _OPENED.clear()
    try:
        build(project)
    finally:
        _WATCHING.clear()
    assert built(project) == ["b"]
    opened = {Path(path).name for path in _OPENED}
    assert "dashboard-a.yaml" not in opened and "dashboard-c.yaml" not in opened, sorted(opened)
    assert b"Bravo 2" in (deploy / "dev" / "dashboard-b.yaml").read_bytes()


def test_a_file_edited_by_hand_is_rewritten_though_its_size_and_modification_time_are_as_before(project, tmp_path):
    build(project)
    build(project)
    built(project)
    edited = project.root / "deploy" / "dev" / "dashboard-b.yaml"
    status = edited.stat()
    edited.write_bytes(edited.read_bytes().replace(b"Bravo", b"Brava"))
    os.utime(edited, ns=(status.st_atime_ns, status.st_mtime_ns))  # only the change time tells
    assert edited.stat().st_size == status.st_size and edited.stat().st_mtime_ns == status.st_mtime_ns
    build(project)
    assert project.snapshot() == full_build_output(project, tmp_path)
    assert b"Brava" not in edited.read_bytes()


def test_a_build_of_one_environment_keeps_what_the_record_says_of_the_others(project):
    build(project)
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    body = (cache_directory(project.root / "deploy") / INSTALLED_FILE).read_bytes().partition(b"\n")[2]
    recorded = orjson.loads(body)["files"]
    assert "prod/dashboard-b.yaml" in recorded and "dev/dashboard-b.yaml" in recorded


def _recorded(tmp_path: Path) -> tuple[Path, Path, Path]:
    output = tmp_path / "deploy"
    (output / "dev").mkdir(parents=True)
    file = output / "dev" / "a.yaml"
    file.write_text("a: 1\n")
    record = tmp_path / INSTALLED_FILE
    record.write_bytes(installed_record(output, [("dev/a.yaml", "d1"), ("dev/gone.yaml", "d2")]))
    later = time.time_ns() + 10**9  # the record taken a second after the file's last change
    os.utime(record, ns=(later, later))
    return output, file, record


def test_a_file_whose_status_is_as_recorded_is_trusted_and_any_other_is_not(tmp_path):
    output, file, record = _recorded(tmp_path)
    installed = InstalledFiles(record, output)
    assert installed.digest("dev/a.yaml") == "d1"
    assert installed.digest("dev/gone.yaml") is None  # never there
    assert installed.digest("dev/other.yaml") is None
    file.write_text("a: 2\n")  # same size, another change time
    assert installed.digest("dev/a.yaml") is None


def test_a_record_no_older_than_a_file_trusts_nothing_of_it(tmp_path):
    # "Racy git": a change within the same tick of the file clock as the record would keep the status recorded.
    output, file, record = _recorded(tmp_path)
    status = file.stat()
    os.utime(record, ns=(status.st_ctime_ns, status.st_ctime_ns))
    assert InstalledFiles(record, output).digest("dev/a.yaml") is None


def test_a_damaged_record_or_one_of_another_directory_trusts_nothing(tmp_path):
    output, file, record = _recorded(tmp_path)
    assert InstalledFiles(record, tmp_path / "elsewhere").paths() == []
    good = record.read_bytes()
    record.write_bytes(good.replace(b'"d1"', b'"d9"'))  # the checksum no longer matches
    assert InstalledFiles(record, output).paths() == []
    record.write_bytes(b"garbage")
    assert InstalledFiles(record, output).paths() == []
    record.unlink()
    assert InstalledFiles(record, output).paths() == []
