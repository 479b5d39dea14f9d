"""A Grafana folder title dashctl cannot file definitions under ("/" or "\\" in it: the sidecar would make a path of
it) becomes one it can, reported, rather than failing the import."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture
from tests.grafana_emulator.server import GrafanaEmulator
from tests.importing import fixtures


def test_dashboard_in_a_folder_titled_with_a_slash(grafana_emulator: GrafanaEmulator, project_dir: Path):  # noqa: F811
    grafana_emulator.add_folder("ops", "Operations")
    grafana_emulator.add_folder("team", "Team A/B", parent_uid="ops")
    grafana_emulator.add_dashboard({**fixtures.ui_export(), "id": None}, folder_uid="team")
    result = CliRunner().invoke(cli, ["import", "--project", str(project_dir), "--grafana-url", grafana_emulator.url,
                                      "--folder-uid", "team"], env={"GRAFANA_TOKEN": grafana_emulator.token})
    assert result.exit_code == 0, result.output
    assert "folder 'Team A/B' became 'Team A-B'" in result.stderr
    assert 'folder="Team A-B"' in (project_dir / "dashboards" / "ui_export.py").read_text()
    build = CliRunner().invoke(cli, ["build", "--project", str(project_dir)])
    assert build.exit_code == 0, build.output
