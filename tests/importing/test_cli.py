"""`dashctl import` on the command line: files written, report, exit codes, nothing written on errors, the
Grafana source against the emulator, and imported definitions that build and lint clean at error level."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture
from tests.importing import fixtures


def _run(project_dir: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["import", "--project", str(project_dir), *args], env=env)


def _json_file(tmp_path: Path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_import_writes_definitions_that_build_and_lint(tmp_path, project_dir):
    ui = _json_file(tmp_path, "ui.json", fixtures.ui_export())
    legacy = _json_file(tmp_path, "legacy.json", fixtures.legacy_rows())
    result = _run(project_dir, ui, legacy, "--folder", "Imported", "--check")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project_dir / "dashboards").iterdir()) == ["legacy_node.py", "ui_export.py"]
    assert "migration: panel 'CPU busy': graph (Angular) became timeseries" in result.stderr
    assert "wrote 2 dashboard definition file(s)" in result.stderr
    build = CliRunner().invoke(cli, ["build", "--project", str(project_dir)])
    assert build.exit_code == 0, build.output
    lint = CliRunner().invoke(cli, ["lint", "--project", str(project_dir), "--min-severity", "error"])
    assert lint.exit_code == 0, lint.output


def test_dry_run_writes_nothing_and_json_report(tmp_path, project_dir):
    ui = _json_file(tmp_path, "ui.json", fixtures.ui_export())
    result = _run(project_dir, ui, "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dryRun"] is True and report["files"][0].endswith("ui_export.py")
    assert report["counts"]["kept"] >= 1
    assert not list((project_dir / "dashboards").iterdir())


def test_ambiguous_datasource_is_an_error_listing_choices_before_writing(tmp_path, project_dir):
    config = project_dir / "dashctl.toml"
    config.write_text(config.read_text() + 'thanos = { uid = "thanos", type = "prometheus" }\n')
    ui = _json_file(tmp_path, "ui.json", fixtures.ui_export())
    result = _run(project_dir, ui)
    assert result.exit_code == 3
    assert "could be any of the project's metrics, thanos" in result.stderr
    assert "--datasource" in result.stderr
    assert not list((project_dir / "dashboards").iterdir())
    chosen = _run(project_dir, ui, "--datasource", "P1809F7CD0C75ACF3=thanos", "--check")
    assert chosen.exit_code == 0, chosen.output
    assert 'datasource="thanos"' in (project_dir / "dashboards" / "ui_export.py").read_text()


def test_broken_file_is_reported_with_its_line_and_hides_no_other_problem(tmp_path, project_dir):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "title": "x",\n  "panels": [\n}\n')
    unknown = fixtures.shared_export()
    unknown["panels"][0]["datasource"] = "Production DB"
    other = _json_file(tmp_path, "other.json", unknown)
    result = _run(project_dir, str(broken), other)
    assert result.exit_code == 3
    assert f"{broken}:4" in result.stderr and "not valid JSON" in result.stderr
    assert "'Production DB'" in result.stderr and "--datasource Production DB=LOGICAL" in result.stderr
    assert not list((project_dir / "dashboards").iterdir())


def test_existing_file_is_not_overwritten_without_the_flag(tmp_path, project_dir):
    ui = _json_file(tmp_path, "ui.json", fixtures.ui_export())
    (project_dir / "dashboards" / "ui_export.py").write_text("# mine\n")
    result = _run(project_dir, ui)
    assert result.exit_code == 3 and "--overwrite" in result.stderr
    assert (project_dir / "dashboards" / "ui_export.py").read_text() == "# mine\n"
    assert _run(project_dir, ui, "--overwrite").exit_code == 0


def test_rule_files_become_alert_rule_definitions(tmp_path, project_dir):
    import yaml

    (project_dir / "alerts").mkdir()
    config = project_dir / "dashctl.toml"
    config.write_text(config.read_text().replace('roots = ["dashboards"]', 'roots = ["dashboards", "alerts"]'))
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(fixtures.rule_file()))
    resource = tmp_path / "resource.yaml"
    spec = fixtures.rule_file()
    spec["groups"][0]["rules"][0]["alert"] = "ApiStillDown"
    resource.write_text(yaml.safe_dump({"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                                        "metadata": {"name": "api"}, "spec": spec}))
    result = _run(project_dir, str(rules), str(resource), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(Path(path).name for path in report["files"]) == [
        "resource.py", "resource_tests.py", "rules.py", "rules_tests.py"]
    assert all(Path(path).parent == project_dir / "alerts" for path in report["files"])
    assert {entry["source"] for entry in report["entries"]} == {str(rules), str(resource)}
    assert "ApiDown" in (project_dir / "alerts" / "rules.py").read_text()
    build = CliRunner().invoke(cli, ["build", "--project", str(project_dir)])
    assert build.exit_code == 0, build.output


def test_check_names_the_first_difference_per_panel(tmp_path, project_dir):
    from dashctl.importing import compare_dashboards

    original = fixtures.ui_export()
    built = json.loads(json.dumps(original))
    built["panels"][1]["targets"][0]["expr"] = "up"
    built["panels"][1]["options"]["legend"]["placement"] = "right"
    built["panels"][2]["gridPos"]["x"] = 0
    built["panels"][5]["description"] = ""  # Grafana treats an empty description as none
    differences = compare_dashboards(original, built)
    assert [(d.where, d.path) for d in differences] == [
        ("panel 2 'timeseries panel' (timeseries)", "options.legend.placement"),
        ("panel 3 'stat panel' (stat)", "gridPos.x"),
    ]


def test_import_from_grafana_emulator(grafana_emulator, project_dir):  # noqa: F811 - the fixture
    grafana_emulator.add_folder("ops", "Operations")
    grafana_emulator.add_datasource(uid="pm", name="Production Metrics", type="prometheus", is_default=True)
    grafana_emulator.add_dashboard({**fixtures.ui_export(), "id": None}, folder_uid="ops")
    # A pre-8.3 dashboard names its datasource; the Grafana it comes from says what that name is.
    legacy = {**fixtures.shared_export(), "uid": "other", "id": None, "__inputs": [], "templating": {"list": []}}
    legacy["panels"] = [{**legacy["panels"][0], "datasource": "Production Metrics",
                         "targets": [{"expr": "up", "refId": "A"}]}]
    grafana_emulator.add_dashboard(legacy, folder_uid="ops")
    env = {"GRAFANA_TOKEN": grafana_emulator.token}
    result = _run(project_dir, "--grafana-url", grafana_emulator.url, "--folder-uid", "ops", "--check", env=env)
    assert result.exit_code == 0, result.output
    assert grafana_emulator.token not in result.output
    written = sorted(p.name for p in (project_dir / "dashboards").iterdir())
    assert written == ["other.py", "ui_export.py"]
    assert 'folder="Operations"' in (project_dir / "dashboards" / "ui_export.py").read_text()
    assert 'datasource="metrics"' in (project_dir / "dashboards" / "other.py").read_text()
    no_token = _run(project_dir, "--grafana-url", grafana_emulator.url, "--all", env={"GRAFANA_TOKEN": ""})
    assert no_token.exit_code == 2 and "GRAFANA_TOKEN" in no_token.stderr


def test_check_exits_1_naming_what_the_build_rejects(tmp_path, project_dir):
    # An undefined variable in a query is kept through an opt-out (tests/importing/test_opt_outs.py); a datasource
    # variable that does not exist is not.
    broken = fixtures.shared_export()
    broken["panels"][0]["datasource"] = {"type": "prometheus", "uid": "$missing"}
    for target in broken["panels"][0]["targets"]:
        target.pop("datasource", None)
    result = _run(project_dir, _json_file(tmp_path, "broken.json", broken), "--check")
    assert result.exit_code == 1
    assert ("warning: `dashctl build` would refuse it: panel 'Requests': datasource '$missing' refers to no "
            "datasource variable") in result.stderr
    # the definition is written all the same: the problem is the original's, for the team to decide
    assert (project_dir / "dashboards" / "shared_export.py").exists()
    # without --check the same warning is shown, and the import succeeds
    again = _run(project_dir, _json_file(tmp_path, "broken.json", broken), "--overwrite")
    assert again.exit_code == 0 and "would refuse it: panel 'Requests'" in again.stderr


def test_check_passes_an_undefined_variable_kept_through_the_opt_out(tmp_path, project_dir):
    kept = fixtures.shared_export()
    kept["panels"][0]["targets"][0]["expr"] = 'sum(rate(http_requests_total{pod="$pod"}[5m]))'
    result = _run(project_dir, _json_file(tmp_path, "kept.json", kept), "--check")
    assert result.exit_code == 0, result.output
    assert "warning: panel 'Requests' query A: uses $pod, which no template variable" in result.stderr
    assert "would refuse it" not in result.stderr
    assert 'allow_undefined_variables=("pod",)' in (project_dir / "dashboards" / "shared_export.py").read_text()


def test_a_groups_document_that_holds_no_rules_is_skipped(tmp_path, project_dir):
    other = tmp_path / "other.yaml"
    other.write_text("groups:\n  - name: admins\n    members: [ana, bo]\n")
    result = _run(project_dir, str(other))
    assert result.exit_code == 0, result.output
    assert "has `groups` but no alerting or recording rules; skipped" in result.stderr


def test_grafana_source_options_are_checked_before_any_request(project_dir, tmp_path):
    cert = tmp_path / "ca.pem"
    cert.write_text("not used")
    both = _run(project_dir, "--grafana-url", "https://grafana.invalid", "--all", "--ca-cert", str(cert), "--insecure",
                env={"GRAFANA_TOKEN": "t"})
    assert both.exit_code == 2 and "contradict" in both.stderr
    alone = _run(project_dir, "--uid", "x")
    assert alone.exit_code == 2 and "go with --grafana-url" in alone.stderr
    nothing = _run(project_dir, "--grafana-url", "https://grafana.invalid", env={"GRAFANA_TOKEN": "t"})
    assert nothing.exit_code == 2 and "--uid UID, --folder-uid UID or --all" in nothing.stderr
