"""`dashctl init` makes a repository that works in CI from day one: its own workflow (installing the dashctl it
was made with), a .gitignore and a README; the workflow's dashctl commands pass on the new project."""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from dashctl import __version__
from tests.conftest import REPO
from tests.project.test_init import run

SCAFFOLD = REPO / "dashctl" / "project" / "scaffold"


def workflow(project: Path) -> dict:
    return yaml.safe_load((project / ".github/workflows/dashctl.yml").read_text(encoding="utf-8"))


def test_init_writes_a_workflow_pinned_to_this_version_a_gitignore_and_a_readme(tmp_path):
    result = run(tmp_path, "init", "team")
    assert result.exit_code == 0, result.stderr
    project = tmp_path / "team"
    for name in (".github/workflows/dashctl.yml", ".gitignore", "README.md"):
        assert f"created {Path('team') / name}" in result.stdout
    document = workflow(project)
    assert document["env"]["DASHCTL_REQUIREMENT"] == f"dashctl=={__version__}"
    install = next(step["run"] for step in document["jobs"]["review"]["steps"] if "pip install" in step.get("run", ""))
    assert 'pip install "$DASHCTL_REQUIREMENT"' in install and "-e ." not in install
    assert "apt-get install" in install and "prometheus" in install  # promtool for dashctl test
    ignored = (project / ".gitignore").read_text().splitlines()
    assert {".deploy.*", ".venv/", "__pycache__/"} <= set(ignored)
    assert "deploy/" not in ignored and "/deploy/" not in ignored  # the build output is committed
    readme = (project / "README.md").read_text()
    assert f'pip install "dashctl=={__version__}"' in readme and "@DASHCTL_VERSION@" not in readme


def test_init_keeps_an_existing_readme_and_gitignore(tmp_path):
    (tmp_path / "README.md").write_text("# ours\n")
    (tmp_path / ".gitignore").write_text("secret.txt\n")
    result = run(tmp_path, "init", ".")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "README.md").read_text() == "# ours\n"
    assert (tmp_path / ".gitignore").read_text() == "secret.txt\n"
    assert "kept README.md" in result.stderr and "kept .gitignore" in result.stderr
    assert (tmp_path / ".github/workflows/dashctl.yml").exists() and (tmp_path / "dashctl.toml").exists()


def test_every_template_file_is_packaged():
    """The wheel carries package-data by glob: a template deeper than the globs reach would be missing."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "dashctl.project"]
    base = REPO / "dashctl" / "project"
    files = [path.relative_to(base).as_posix() for path in SCAFFOLD.rglob("*")
             if path.is_file() and "__pycache__" not in path.parts]
    assert len(files) >= 7
    unpackaged = [name for name in files
                  if not any(fnmatch.fnmatch(name, p) and name.count("/") == p.count("/") for p in patterns)]
    assert unpackaged == []
    assert not [name for name in files if any(part.startswith(".") for part in name.split("/"))], \
        "hidden template files are dropped by packaging: name them dot-*"


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_init_workflows_dashctl_commands_pass_on_the_new_repository(tmp_path):
    assert run(tmp_path, "init", "team").exit_code == 0
    project = tmp_path / "team"
    _git(project, "init", "-q", "-b", "main")
    assert run(project, "build").exit_code == 0
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "first day")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True).stdout
    assert status == "", "the .gitignore leaves nothing of a build untracked"
    tracked = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True).stdout.splitlines()
    assert (project / ".dashctl-cache").is_dir(), "the build keeps its cache beside the output"
    assert not [path for path in tracked if path.startswith(".dashctl-cache/")], "the build cache is never committed"
    commands = []
    for step in workflow(project)["jobs"]["review"]["steps"]:
        for line in step.get("run", "").splitlines():
            line = line.strip()
            if line.startswith("dashctl "):
                line = line.replace('"origin/${{ github.base_ref }}"', "main")
                commands.append(shlex.split(line.replace("$RUNNER_TEMP", str(tmp_path))))
    assert [" ".join(command[:2]) for command in commands] == [
        "dashctl build", "dashctl lint", "dashctl test", "dashctl diff"]
    for command in commands:
        if command[1] == "test" and shutil.which("promtool") is None:
            continue
        result = run(project, *command[1:])
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
    if shutil.which("promtool"):
        assert "<testsuites" in (tmp_path / "dashctl-junit.xml").read_text()
