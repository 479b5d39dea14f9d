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
