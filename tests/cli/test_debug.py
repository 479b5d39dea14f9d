"""`--debug` adds a traceback and changes nothing else: not the exit code, not where the option may be written."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture

from dashctl.cli.main import COMMANDS, cli

TOKEN = "glsa_wrongwrongwrongwrongwrongwrong_12345678"


def _invoke(root, args, env=None):
    before = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner(env=env).invoke(cli, args)
    finally:
        os.chdir(before)


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_keeps_exit_4_of_a_grafana_error(make_project, grafana_emulator, where):  # noqa: F811
    project = make_project()
    preview = ["preview", "--env", "dev", "--grafana-url", grafana_emulator.url, "--name", "x"]
    args = ["--debug", *preview] if where == "before" else [*preview, "--debug"]
    env = {"GRAFANA_TOKEN": TOKEN, "GRAFANA_USER": None, "GRAFANA_PASSWORD": None}
    result = _invoke(project.root, args, env)
    assert result.exit_code == 4, result.output
    assert "Traceback (most recent call last)" in result.stderr
    assert "GrafanaAuthError" in result.stderr
    assert "error: " in result.stderr  # the usual message follows the traceback
    assert TOKEN[:12] not in result.stderr + result.stdout


@pytest.mark.parametrize("args", [["--debug", "build"], ["build", "--debug"]])
def test_debug_keeps_exit_3_of_a_definition_error(make_project, args):
    project = make_project({"dashboards/broken.py": "raise RuntimeError('boom')\n"})
    result = _invoke(project.root, args)
    assert result.exit_code == 3, result.output
    assert "Traceback (most recent call last)" in result.stderr
    assert "dashboards/broken.py:1" in result.stderr


def test_without_debug_there_is_no_traceback(make_project):
    project = make_project({"dashboards/broken.py": "raise RuntimeError('boom')\n"})
    result = _invoke(project.root, ["build"])
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_accepts_debug_after_it(command):
    result = CliRunner().invoke(cli, [command, "--debug", "--help"])
    assert result.exit_code == 0, result.output
    assert "--debug" in result.stdout


@pytest.mark.parametrize("args", [["alerts", "tombstones"], ["query", "check"]])
def test_subcommands_of_groups_accept_debug(args):
    result = CliRunner().invoke(cli, [*args, "--debug", "--help"])
    assert result.exit_code == 0, result.output
