"""`dashctl init` makes a project that builds as it is, and never overwrites anything."""

from __future__ import annotations

import os

from click.testing import CliRunner

from dashctl.cli.main import cli


def run(cwd, *args):
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(before)


def test_init_creates_a_project_that_builds(tmp_path):
    result = run(tmp_path, "init", "team")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "team/dashctl.toml").exists()
    built = run(tmp_path / "team", "build")
    assert built.exit_code == 0, built.stderr
    assert (tmp_path / "team/deploy/dev/dashboard-my-service.yaml").exists()
    assert (tmp_path / "team/deploy/prod/datasources.yaml").exists()
    assert run(tmp_path / "team", "build", "--check").exit_code == 0
    assert (tmp_path / "team/deploy/prod/alert-rules-services.yaml").exists()
    linted = run(tmp_path / "team", "lint", "--min-severity", "info")
    assert linted.exit_code == 0 and "no findings" in linted.stderr, linted.stdout


def test_init_refuses_an_existing_project(tmp_path):
    (tmp_path / "dashctl.toml").write_text("# mine\n")
    result = run(tmp_path, "init", ".")
    assert result.exit_code == 2
    assert "never overwrites" in result.stderr
    assert (tmp_path / "dashctl.toml").read_text() == "# mine\n"


def test_init_refuses_to_overwrite_a_file(tmp_path):
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards/service.py").write_text("# mine\n")
    result = run(tmp_path, "init", ".")
    assert result.exit_code == 2
    assert "dashboards/service.py" in result.stderr
    assert not (tmp_path / "dashctl.toml").exists(), "nothing is written when anything would be overwritten"


def test_the_scaffolds_alert_tests_pass(tmp_path):
    import shutil

    if shutil.which("promtool") is None:
        import pytest

        pytest.skip("promtool is not installed (./scripts/test installs it)")
    assert run(tmp_path, "init", "team").exit_code == 0
    result = run(tmp_path / "team", "test")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout + result.stderr
