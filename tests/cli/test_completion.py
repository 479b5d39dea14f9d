"""Shell completion through click's protocol (the `_DASHCTL_COMPLETE` environment variable a shell's completion
script sets): environment names, lint rule ids and tombstone uids, read from the project without building it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.alerts.sources import NOTIFICATIONS, RULES
from tests.alerts.test_tombstones import without_latency_rule

DASHCTL = [sys.executable, "-c", "from dashctl.cli.main import main; main()"]


def complete(cwd, shell, words, *, cword=None):
    """What `dashctl` answers a shell's completion request for the command line `words`."""
    env = {**os.environ, "_DASHCTL_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split(" ")) - 1) if cword is None else cword}
    result = subprocess.run(DASHCTL, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_of_each_shell_calls_dashctl_back(shell, tmp_path):
    env = {**os.environ, "_DASHCTL_COMPLETE": f"{shell}_source"}
    script = subprocess.run(DASHCTL, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60).stdout
    assert "_DASHCTL_COMPLETE" in script and f"{shell}_complete" in script


def test_environment_names_complete_after_env(make_project):
    project = make_project()
    assert complete(project.root, "bash", "dashctl build --env ").splitlines() == ["plain,dev", "plain,prod"]
    assert complete(project.root, "bash", "dashctl lint --env pr").splitlines() == ["plain,prod"]
    assert complete(project.root, "zsh", "dashctl preview --env d").splitlines() == ["plain", "dev", "namespace dev"]
    assert complete(project.root, "fish", "dashctl test --env ", cword="").splitlines() == [
        "plain,dev\tnamespace dev", "plain,prod\tnamespace prod"]


def test_a_broken_project_completes_nothing_and_does_not_fail(make_project, tmp_path):
    project = make_project(config="[environments.dev\n")
    assert complete(project.root, "bash", "dashctl build --env ").strip() == ""
    assert complete(tmp_path, "bash", "dashctl build --env ").strip() == ""  # no project at all


def test_lint_rule_ids_complete_after_rule(tmp_path):
    assert complete(tmp_path, "bash", "dashctl lint --rule panel/uni").splitlines() == ["plain,panel/units"]
    assert "plain,promql/rate-interval" in complete(tmp_path, "bash", "dashctl lint --rule promql/").splitlines()


def test_lint_rule_runs_only_that_rule_and_an_unknown_id_names_the_closest(make_project):
    from tests.lint.harness import dashboard, time_series

    project = make_project({"dashboards/shop.py": dashboard(time_series(title="Memory", unit="byte"))}, basic=False)
    assert "panel/units" in project.run("lint", "--rule", "panel/units").stdout
    assert project.run("lint", "--rule", "panel/title-description").stdout == ""
    result = project.run("lint", "--rule", "panel/unit")
    assert result.exit_code == 2
    assert "unknown lint rule 'panel/unit'; did you mean 'panel/units'?" in result.stderr


def test_tombstone_uids_complete_after_retire(make_project):
    project = make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})
    assert project.run("build").exit_code == 0
    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build").exit_code == 0
    assert complete(project.root, "bash", "dashctl alerts retire --env prod ").splitlines() == [
        "plain,shop-latency-mean"]
    assert complete(project.root, "bash", "dashctl alerts retire --env prod x").strip() == ""
    assert complete(project.root, "bash", "dashctl alerts retire ").strip() == ""  # no --env yet: nothing to read
