"""`dashctl build | head`: a reader that closes the pipe early is no dashctl bug."""

from __future__ import annotations

import subprocess
import sys


def test_a_closed_standard_output_ends_the_command_quietly(make_project):
    project = make_project()
    process = subprocess.Popen(
        [sys.executable, "-c", "from dashctl.cli.main import main; main()", "build"],
        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the build lists what it wrote
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 141, stderr.decode()  # 128 + SIGPIPE, as a shell reports it
    assert b"internal error" not in stderr and b"Traceback" not in stderr, stderr.decode()
    assert (project.root / "deploy").is_dir()  # the build itself was done
