"""The console script leaves without the interpreter's teardown: its output still arrives whole, its exit code is
the command's."""

from __future__ import annotations

import subprocess
import sys

from dashctl import __version__

DASHCTL = [sys.executable, "-c", "from dashctl.cli.main import main; main()"]


def test_output_is_flushed_and_the_exit_code_kept(tmp_path, make_project):
    version = subprocess.run([*DASHCTL, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and __version__ in version.stdout
    unknown = subprocess.run([*DASHCTL, "nosuch"], capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "No such command 'nosuch'" in unknown.stderr
    nothing = subprocess.run([*DASHCTL, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 2 and "error:" in nothing.stderr
    project = make_project()
    built = subprocess.run([*DASHCTL, "build"], cwd=project.root, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    listed = [line.split(" ", 1)[1] for line in built.stdout.splitlines()]
    written = sorted(str(path.relative_to(project.root)) for path in (project.root / "deploy").rglob("*.yaml"))
    assert sorted(listed) == written  # every line of the list, none lost at exit
