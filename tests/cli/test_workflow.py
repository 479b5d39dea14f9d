"""The pull-request workflow: its dashctl commands exist and pass on this repository, and its comment step only
ever updates its own comment."""

from __future__ import annotations

import shlex
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.conftest import REPO, _chdir

WORKFLOW = REPO / ".github" / "workflows" / "dashctl.yml"


def steps():
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["review"]["steps"]


PROMETHEUS = "${{ vars.DASHCTL_PROMETHEUS_URL }}"


def dashctl_commands():
    """Each `dashctl` command line of the workflow (continuation lines joined), against HEAD; the diff as it runs
    without a Prometheus (the `${backtest[@]}` options empty)."""
    commands = []
    for step in steps():
        for line in step.get("run", "").replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("dashctl "):
                line = line.replace('"origin/${{ github.base_ref }}"', "HEAD").replace('"${backtest[@]}"', "")
                commands.append(shlex.split(line))
    return commands


def test_the_workflow_runs_the_review_commands():
    commands = [" ".join(command[:2]) for command in dashctl_commands()]
    assert commands == ["dashctl build", "dashctl lint", "dashctl test", "dashctl backtest", "dashctl diff"]
    checkout = steps()[0]
    assert checkout["uses"].startswith("actions/checkout") and checkout["with"]["fetch-depth"] == 0


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the repository's git history")
@pytest.mark.parametrize("command", dashctl_commands(), ids=lambda command: " ".join(command[:2]))
def test_each_workflow_command_passes_on_this_repository(command, request, tmp_path):
    if command[1] == "test":
        subprocess.run(["promtool", "--version"], check=True, capture_output=True)
    if command[1] == "backtest":
        # what CI runs when a Prometheus is configured: here the tests' own (tests/live_prometheus.py)
        url = request.getfixturevalue("live_prometheus").url
        command = [url if part == PROMETHEUS else part.replace("$RUNNER_TEMP", str(tmp_path)) for part in command]
    with _chdir(REPO):
        result = CliRunner().invoke(cli, command[1:])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_the_comment_step_updates_only_its_own_comment():
    (step,) = [step for step in steps() if step.get("uses", "").startswith("actions/github-script")]
    script = step["with"]["script"]
    assert "deleteComment" not in script
    assert "updateComment" in script and "createComment" in script
    assert "github-actions[bot]" in script and "<!-- dashctl-diff -->" in script
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
