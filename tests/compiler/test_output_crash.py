"""A build killed at any point of its write phase loses neither tree, and the next build finishes or cleans up.

The write phase kills itself with SIGKILL at the Nth hook point it reaches (`DASHCTL_TEST_KILL_AT_HOOK`); each test
walks N from 1 until a run is no longer killed, so every hook point is visited, through renameat2(RENAME_EXCHANGE)
and through the two-rename fallback with its journal (`DASHCTL_TEST_PLAIN_RENAME`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dashctl.compiler.output import recover_output, write_output
from dashctl.compiler.pipeline import BuildOutput
from dashctl.compiler.swap import KILL_AT_VARIABLE, PLAIN_RENAME_VARIABLE

REPO = Path(__file__).resolve().parents[2]

OLD = {
    "dev/kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n",
    "dev/a.yaml": "a: old\n",
    "dev/b.yaml": "b: old\n",
    "argocd/x.yaml": "x: old\n",
}
NEW = {
    "dev/kustomization.yaml": "resources:\n- a.yaml\n- c.yaml\n",
    "dev/a.yaml": "a: new\n",
    "dev/c.yaml": "c: new\n",
    "prod/kustomization.yaml": "resources:\n- a.yaml\n",  # an environment the old tree did not have
    "prod/a.yaml": "a: new\n",
    "argocd/x.yaml": "x: new\n",
}
BESIDE = {"README.md": "left alone\n"}  # not owned by the build: in both trees

DRIVER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from dashctl.compiler.output import write_output
    from dashctl.compiler.pipeline import BuildOutput
    files = json.loads(Path(sys.argv[1]).read_text())
    owned = tuple(sorted({path.split("/")[0] for path in files}))
    write_output(BuildOutput(files={k: v.encode() for k, v in files.items()}, owned_dirs=owned), Path(sys.argv[2]))
    """
)


def _output(files: dict[str, str]) -> BuildOutput:
    owned = tuple(sorted({path.split("/")[0] for path in files}))
    return BuildOutput(files={path: text.encode() for path, text in files.items()}, owned_dirs=owned)


def _tree(directory: Path) -> dict[str, str]:
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _part(files: dict[str, str], name: str) -> dict[str, str]:
    return {path: text for path, text in files.items() if path.split("/")[0] == name}


def _kill_at(hook: int, spec: Path, deploy: Path, plain: bool) -> int:
    environment = {key: value for key, value in os.environ.items() if key not in (KILL_AT_VARIABLE, PLAIN_RENAME_VARIABLE)}
    environment[KILL_AT_VARIABLE] = str(hook)
    if plain:
        environment[PLAIN_RENAME_VARIABLE] = "1"
    environment["PYTHONPATH"] = str(REPO)
    completed = subprocess.run(
        [sys.executable, "-c", DRIVER, str(spec), str(deploy)], env=environment, capture_output=True, timeout=60
    )
    assert completed.returncode in (0, -signal.SIGKILL), completed.stderr.decode()
    return completed.returncode


def _exchange_works(directory: Path) -> bool:
    from dashctl.compiler import swap

    (directory / "probe-a").mkdir()
    (directory / "probe-b").mkdir()
    try:
        return swap._rename2(directory / "probe-a", directory / "probe-b", swap._RENAME_EXCHANGE)
    finally:
        (directory / "probe-a").rmdir()
        (directory / "probe-b").rmdir()


@pytest.mark.parametrize("plain", [False, True], ids=["renameat2", "journal-fallback"])
def test_a_kill_at_every_hook_point_leaves_the_old_or_the_new_tree(tmp_path, monkeypatch, plain):
    if plain:
        monkeypatch.setenv(PLAIN_RENAME_VARIABLE, "1")
    elif not _exchange_works(tmp_path):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here (kernel, C library or filesystem)")
    spec = tmp_path / "new.json"
    spec.write_text(json.dumps(NEW), encoding="utf-8")
    old_tree, new_tree = {**OLD, **BESIDE}, {**NEW, **BESIDE}
    hook = 0
    absent_seen = 0
    while True:
        hook += 1
        assert hook < 100, "the write phase never finished"
        work = tmp_path / f"kill-{hook}"
        deploy = work / "deploy"
        deploy.mkdir(parents=True)
        for path, text in BESIDE.items():
            (deploy / path).write_text(text, encoding="utf-8")
        write_output(_output(OLD), deploy)
        assert _tree(deploy) == old_tree

        if _kill_at(hook, spec, deploy, plain) == 0:
            break  # every hook point has been visited
        where = f"killed at hook {hook} ({'journal fallback' if plain else 'renameat2'})"
        # Right after the kill, each owned directory is the old or the new one, never a mixture.
        on_disk = _tree(deploy)
        for name in ("dev", "prod", "argocd"):
            part = _part(on_disk, name)
            if not part and _part(old_tree, name):
                # Only the two-rename fallback has a moment without the directory, and its journal covers it.
                assert plain, f"{where}: deploy/{name} vanished"
                assert list(work.glob(".deploy.stage-*/journal.json")), f"{where}: deploy/{name} gone, no journal"
                absent_seen += 1
                continue
            assert part in (_part(old_tree, name), _part(new_tree, name), {}), f"{where}: deploy/{name} is mixed"
        # Recovery alone gives exactly one of the two trees, and leaves nothing behind.
        recover_output(deploy)
        assert _tree(deploy) in (old_tree, new_tree), where
        assert not list(work.glob(".deploy.*")), where
        # One more build gives the new tree.
        write_output(_output(NEW), deploy)
        assert _tree(deploy) == new_tree, where
        assert sorted(p.name for p in work.iterdir()) == ["deploy"], where
    assert hook > 10  # the hooks cover staging, journal, every swap and the clean-up
    # The fallback's one gap per directory that existed before (argocd/ and dev/); renameat2 has none.
    assert absent_seen == (2 if plain else 0)


def test_a_kill_of_the_real_build_is_finished_by_the_next_build(make_project, tmp_path):
    """End to end through `dashctl build`: the CLI recovers before it reads the previous output."""
    project = make_project()
    assert project.run("build").exit_code == 0
    fresh = project.snapshot()
    project.write("dashboards/shop.py", (project.root / "dashboards/shop.py").read_text().replace("Shop API", "Shop"))
    environment = {**os.environ, "PYTHONPATH": str(REPO), KILL_AT_VARIABLE: "12"}  # in the middle of the swaps
    environment.pop(PLAIN_RENAME_VARIABLE, None)
    killed = subprocess.run(
        [sys.executable, "-c", "from dashctl.cli.main import main; main()", "build"], cwd=project.root, env=environment, capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert list(project.root.glob(".deploy.stage-*"))
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    assert "finished the swap" in result.stderr
    assert not list(project.root.glob(".deploy.*"))
    assert project.snapshot() != fresh
    assert project.run("build", "--check").exit_code == 0


def test_leftovers_of_earlier_killed_builds_are_cleaned_and_other_dot_directories_kept(tmp_path):
    deploy = tmp_path / "deploy"
    write_output(_output(OLD), deploy)
    for name in (".deploy.new-abc123", ".deploy.stage-def456", ".deploy.old-0a1b2c"):
        (tmp_path / name / "dev").mkdir(parents=True)
        (tmp_path / name / "dev" / "a.yaml").write_text("a: leftover\n", encoding="utf-8")
    (tmp_path / ".deploy.notes").mkdir()  # not a name dashctl gives its staging directories
    write_output(_output(NEW), deploy)
    assert _tree(deploy) == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == [".deploy.notes", "deploy"]


def test_the_old_whole_tree_swap_killed_between_its_renames_is_restored(tmp_path):
    """dashctl before this change renamed deploy/ aside, then the new tree in: a kill between left no deploy/."""
    deploy = tmp_path / "deploy"
    write_output(_output(OLD), deploy)
    deploy.rename(tmp_path / ".deploy.old-k1ll3d")
    assert recover_output(deploy) == []
    assert _tree(deploy) == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deploy"]


def test_two_builds_at_once_are_kept_apart(tmp_path):
    from dashctl.compiler.swap import locked
    from dashctl.errors import OutputError

    deploy = tmp_path / "deploy"
    write_output(_output(OLD), deploy)
    with locked(deploy):
        with pytest.raises(OutputError, match="another dashctl build is writing"):
            write_output(_output(NEW), deploy)
    assert _tree(deploy) == OLD
    write_output(_output(NEW), deploy)
    assert _tree(deploy) == NEW
