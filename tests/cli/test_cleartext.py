"""Every command that sends Grafana credentials refuses plain http:// to a host that is not loopback unless
`--allow-http` is given (issue 9, item 6): preview, import from Grafana, and alerts retire --check-grafana."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.conftest import _chdir
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture

REMOTE = "http://grafana.example.invalid:3000"

COMMANDS = {
    "preview": ["preview", "--env", "dev", "--grafana-url", REMOTE, "--name", "x", "--retry-budget", "0"],
    "import": ["import", "--grafana-url", REMOTE, "--all", "--dry-run"],
    "alerts retire": ["alerts", "retire", "--env", "dev", "--check-grafana", "--grafana-url", REMOTE, "--synced"],
}


def run(tmp_path, args):
    assert CliRunner().invoke(cli, ["init", str(tmp_path / "team")]).exit_code == 0
    with _chdir(tmp_path / "team"):
        return CliRunner().invoke(cli, args, env={"GRAFANA_TOKEN": "glsa_cleartext_secret_token"})


@pytest.mark.parametrize("name", COMMANDS)
def test_credentials_over_plain_http_to_a_remote_host_are_refused(tmp_path, name):
    result = run(tmp_path, COMMANDS[name])
    assert result.exit_code == 2, result.output
    assert "--allow-http" in result.output and "glsa_cleartext" not in result.output


def test_over_plain_http_to_loopback_each_command_warns_and_goes_on(tmp_path, grafana_emulator):  # noqa: F811
    # Loopback needs no --allow-http (a Grafana on this machine); the warning is printed all the same.
    assert grafana_emulator.url.startswith("http://127.")
    env = {"GRAFANA_TOKEN": grafana_emulator.token}
    assert CliRunner().invoke(cli, ["init", str(tmp_path / "team")]).exit_code == 0
    for args in (["import", "--grafana-url", grafana_emulator.url, "--all", "--dry-run"],
                 ["alerts", "retire", "--env", "dev", "--check-grafana", "--grafana-url", grafana_emulator.url,
                  "--synced", "--allow-http"]):
        with _chdir(tmp_path / "team"):
            result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
        assert "credentials are sent unencrypted" in result.output and grafana_emulator.token not in result.output
