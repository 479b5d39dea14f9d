"""Each fixture form imported, built and compared with the dashboard Grafana would show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dashctl.importing import check_generated, import_sources, read_paths
from dashctl.project.config import load_project
from tests.importing import fixtures


def _import(project_dir: Path, path: Path):
    project = load_project(project_dir)
    result = import_sources(read_paths([path]), project)
    return project, result


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2) if name.endswith(".json") else yaml.safe_dump(data))
    return path


def _round_trip(project, result):
    environment = project.select_environments()[0]
    for item in result.files:
        differences, problems = check_generated(item, environment)
        assert not differences, "\n".join(map(str, differences))
        assert not problems, problems


def test_ui_export_round_trips_every_core_panel_type(tmp_path, project_dir):
    project, result = _import(project_dir, _write(tmp_path, "ui.json", fixtures.ui_export()))
    [item] = result.files
    assert item.uid == "ui-export" and item.name == "ui_export.py"
    _round_trip(project, result)
    assert not any(panel.get("repeatPanelId") for panel in item.expected["panels"])
    assert any("a copy made by a repeat" in entry.message for entry in result.entries)
    kinds = {entry.kind for entry in result.entries}
    assert "kept" in kinds  # the library panel is reported as kept
    assert any("tempo" in entry.message for entry in result.entries if entry.kind == "datasource")


def test_build_keeps_positions_and_keys_grafana_keeps(tmp_path, project_dir):
    project, result = _import(project_dir, _write(tmp_path, "ui.json", fixtures.ui_export()))
    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.definitions import collecting

    [item] = result.files
    with collecting() as found:
        exec(compile(item.source, "ui_export.py", "exec"), {"__name__": "ui_export"})
    environment = project.select_environments()[0]
    model = compile_dashboard(found[0], found[0].build(environment), environment).model
    assert model["timepicker"] == {"refresh_intervals": ["30s", "1m", "5m"], "hidden": False}
    second = next(panel for panel in model["panels"] if panel.get("title") == "stat panel")
    assert second["gridPos"] == {"h": 6, "w": 8, "x": 9, "y": 1}
    first = next(panel for panel in model["panels"] if panel.get("title") == "timeseries panel")
    assert first["maxDataPoints"] == 500
    assert first["targets"][0]["step"] == 30 and first["targets"][0]["intervalFactor"] == 1
    assert first["targets"][0]["datasource"] == {"type": "prometheus", "uid": "prom-dev"}
    deploys = model["annotations"]["list"][1]
    assert deploys["datasource"] == {"type": "prometheus", "uid": "prom-dev"}
    assert model["annotations"]["list"][0]["datasource"] == {"type": "grafana", "uid": "-- Grafana --"}
    mixed = next(panel for panel in model["panels"] if panel.get("title") == "Mixed")
    assert mixed["datasource"] == {"type": "datasource", "uid": "-- Mixed --"}
    assert [t["datasource"]["uid"] for t in mixed["targets"]] == ["prom-dev", "loki-dev"]
    reused = next(panel for panel in model["panels"] if panel.get("title") == "Reused")
    assert reused["targets"][0]["datasource"] == {"type": "datasource", "uid": "-- Dashboard --"}
    traces = next(panel for panel in model["panels"] if panel.get("type") == "traces")
    assert traces["targets"][0]["query"] == "$traceId"
    assert traces["datasource"] == {"type": "tempo", "uid": "tempo-1"}


def test_generated_source_is_readable_python(tmp_path, project_dir):
    _, result = _import(project_dir, _write(tmp_path, "ui.json", fixtures.ui_export()))
    source = result.files[0].source
    assert '@dashboard(uid="ui-export", layout="manual")' in source
    assert "Panel(\n" in source and "Target(\n" in source and 'ref_id="A",' in source
    assert 'datasource="metrics"' in source  # logical names, not the exporting Grafana's uids
    assert "P1809F7CD0C75ACF3" not in source
    compile(source, "x.py", "exec")
    # The panel without a query is kept, with the lint suppression that says why (dashctl lint passes).
    placeholder = source.index('title="Placeholder"')
    suppression = source.rindex("# dashctl-lint: ignore[panel/no-targets] reason: imported as it was", 0, placeholder)
    assert source.count("Panel(", suppression, placeholder) == 1


def test_shared_export_inputs_become_logical_names_or_variables(tmp_path, project_dir):
    project, result = _import(project_dir, _write(tmp_path, "shared.json", fixtures.shared_export()))
    _round_trip(project, result)
    source = result.files[0].source
    assert "${DS_PROMETHEUS}" not in source and 'datasource="metrics"' in source
    assert 'Variable(name="DS_TEMPO", type="datasource", label="Tempo", query="tempo")' in source  # kept as a variable
    assert 'query="api"' in source  # the constant input's value
    assert "__inputs" not in source and "__requires" not in source


def test_api_envelope_takes_folder_from_meta(tmp_path, project_dir):
    envelope = {"dashboard": fixtures.shared_export(), "meta": {"folderTitle": "Team API", "version": 3}}
    project, result = _import(project_dir, _write(tmp_path, "envelope.json", envelope))
    assert 'folder="Team API"' in result.files[0].source
    _round_trip(project, result)


def test_configmaps_yield_every_dashboard(tmp_path, project_dir):
    def config_map(name, dashboard):
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "labels": {"grafana_dashboard": "1"},
                             "annotations": {"grafana_folder": "Platform"}},
                "data": {f"{name}.json": json.dumps(dashboard)}}

    second = {**fixtures.shared_export(), "uid": "second"}
    manifest = {"apiVersion": "v1", "kind": "ConfigMapList",
                "items": [config_map("ui", fixtures.ui_export()), config_map("second", second)]}
    project, result = _import(project_dir, _write(tmp_path, "dashboards.yaml", manifest))
    assert sorted(item.uid for item in result.files) == ["second", "ui-export"]
    assert all('folder="Platform"' in item.source for item in result.files)
    _round_trip(project, result)


def test_legacy_rows_are_migrated_as_grafana_migrates_them(tmp_path, project_dir):
    project, result = _import(project_dir, _write(tmp_path, "legacy.json", fixtures.legacy_rows()))
    _round_trip(project, result)
    model = result.files[0].expected
    rows = [panel for panel in model["panels"] if panel["type"] == "row"]
    # Grafana's upgradeToGridLayout: 250px is 7 grid units, a title row takes 1, span 6 of 12 is 12 of 24.
    assert [(row["title"], row["gridPos"]) for row in rows] == [
        ("CPU", {"x": 0, "y": 0, "w": 24, "h": 7}),
        ("Disks", {"x": 0, "y": 8, "w": 24, "h": 8}),
    ]
    cpu = next(panel for panel in model["panels"] if panel.get("title") == "CPU busy")
    assert cpu["type"] == "timeseries" and cpu["gridPos"] == {"x": 0, "y": 1, "w": 12, "h": 7}
    assert cpu["fieldConfig"]["defaults"]["custom"]["stacking"] == {"mode": "normal", "group": "A"}
    assert cpu["options"]["legend"]["calcs"] == ["mean", "lastNotNull"]
    assert cpu["targets"][0]["expr"].startswith("avg(rate(node_cpu_seconds_total")
    uptime = next(panel for panel in model["panels"] if panel.get("title") == "Uptime")
    assert uptime["type"] == "stat" and uptime["options"]["colorMode"] == "value"
    assert [step["value"] for step in uptime["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [None, 3600, 86400]
    load = next(panel for panel in model["panels"] if panel.get("title") == "Load")
    assert load["type"] == "stat" and load["fieldConfig"]["defaults"]["max"] == 10  # as Grafana 12 migrates it
    disks = rows[1]
    assert disks["collapsed"] and [child["type"] for child in disks["panels"]] == ["table", "piechart"]
    assert model["graphTooltip"] == 1 and "rows" not in model and "style" not in model
    modes = disks["panels"][1]
    assert modes["options"]["pieType"] == "donut" and modes["options"]["legend"]["placement"] == "right"
    messages = [entry.message for entry in result.entries]
    assert any("graph (Angular) became timeseries" in message for message in messages)
    assert any("table-old (Angular) became table" in message for message in messages)
    assert any("grafana-piechart-panel (Angular) became piechart" in message for message in messages)
    assert any("variable tags were removed" not in message for message in messages)


def test_files_are_named_by_a_chosen_uid_else_by_title(tmp_path, project_dir):
    first = {**fixtures.shared_export(), "uid": "aB3dE6gH9"}  # as Grafana generates them
    second = {**fixtures.shared_export(), "uid": "0f3a9c2b7d1e4f5a"}
    chosen = {**fixtures.shared_export(), "uid": "api-overview"}
    (tmp_path / "in").mkdir()
    for index, model in enumerate((first, second, chosen)):
        _write(tmp_path / "in", f"{index}.json", model)
    _, result = _import(project_dir, tmp_path / "in")
    names = {item.uid: item.name for item in result.files}
    assert names == {"aB3dE6gH9": "shared_api.py", "0f3a9c2b7d1e4f5a": "shared_api_dashboard_0f3a9c2b7d1e4f5a.py",
                     "api-overview": "api_overview.py"}
    assert "def shared_api(env):" in result.files[0].source


def test_other_manifest_forms_and_rule_documents_are_recognised(tmp_path):
    from dashctl.importing.sources import RuleDocument, classify_document

    operator = {"apiVersion": "grafana.integreatly.org/v1beta1", "kind": "GrafanaDashboard",
                "metadata": {"name": "api"}, "spec": {"folder": "Ops", "json": json.dumps(fixtures.shared_export())}}
    [dashboard] = classify_document(operator, "operator.yaml")
    assert dashboard.folder == "Ops" and dashboard.model["uid"] == "shared-export"
    alerts_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rules"},
                  "data": {"rules.yaml": yaml.safe_dump({"apiVersion": 1, "groups": [
                      {"name": "g", "folder": "F", "interval": "1m",
                       "rules": [{"uid": "r", "title": "T", "condition": "B", "data": []}]}]})}}
    [rules] = classify_document(alerts_map, "alerts.yaml")
    assert isinstance(rules, RuleDocument) and rules.kind == "grafana"
    [prometheus] = classify_document(fixtures.rule_file(), "rules.yaml")
    assert prometheus.kind == "prometheus"
    assert classify_document({"kind": "Deployment", "spec": {}}, "deploy.yaml") == []
