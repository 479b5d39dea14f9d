"""The worldmap -> geomap conversion and CloudWatch's schemaVersion 34 split, each as Grafana's own code does it
(public/app/plugins/panel/geomap/migrations.ts; DashboardMigrator's migrateCloudWatchQueries with
public/app/plugins/datasource/cloudwatch/migrations), and a legacy dashboard holding both round-tripped."""

from __future__ import annotations

import json
from pathlib import Path

from dashctl.importing import check_generated, import_sources, read_paths
from dashctl.importing.migration import migrate_dashboard
from dashctl.project.config import load_project

CLOUDWATCH = {"type": "cloudwatch", "uid": "cw-prod"}

# The markers layer Grafana starts from: defaultMarkersConfig with defaultStyleConfig (geomap/style/types.ts).
_STYLE = {
    "color": {"fixed": "dark-green"}, "opacity": 0.4,
    "symbol": {"mode": "fixed", "fixed": "img/icons/marker/circle.svg"},
    "symbolAlign": {"horizontal": "center", "vertical": "center"},
    "textConfig": {"fontSize": 12, "textAlign": "center", "textBaseline": "middle", "offsetX": 0, "offsetY": 0},
    "rotation": {"fixed": 0, "mode": "mod", "min": -360, "max": 360},
}


def _worldmap(**fields):
    panel = {"id": 7, "type": "grafana-worldmap-panel", "title": "Requests by country",
             "gridPos": {"h": 9, "w": 12, "x": 0, "y": 0}, "datasource": {"type": "prometheus", "uid": "prom"},
             "targets": [{"refId": "A", "expr": "sum by (country) (rate(http_requests_total[5m]))",
                          "legendFormat": "{{country}}"}]}
    panel.update(fields)
    return panel


def _migrate(dashboard):
    notes = []
    migrated = migrate_dashboard(dashboard, lambda where, what: notes.append((where, what)))
    return migrated, notes


def test_worldmap_becomes_geomap_as_grafanas_handler_converts_it():
    old = _worldmap(thresholds="5, 20", colors=["#56A64B", "#F2CC0C", "#E02F44"], decimals="2", circleMinSize=4,
                    circleMaxSize="25", initialZoom="3", mapCenter="North America", mapCenterLatitude="40",
                    mapCenterLongitude=-100, mouseWheelZoom=False, valueName="avg", locationData="states",
                    showLegend=True, unitSingle="req", maxDataPoints=1,
                    transformations=[{"id": "organize", "options": {}}])
    migrated, notes = _migrate({"schemaVersion": 27, "panels": [old]})
    assert migrated["panels"][0] == {
        "id": 7, "type": "geomap", "title": "Requests by country", "gridPos": {"h": 9, "w": 12, "x": 0, "y": 0},
        "datasource": {"type": "prometheus", "uid": "prom"}, "targets": old["targets"], "maxDataPoints": 1,
        # the reducer (avg is an alias of mean) is appended to the panel's own transformations
        "transformations": [{"id": "organize", "options": {}}, {"id": "reduce", "options": {"reducers": ["mean"]}}],
        "fieldConfig": {"defaults": {"decimals": 2, "thresholds": {"mode": "absolute", "steps": [
            {"value": None, "color": "#56A64B"}, {"value": 5, "color": "#F2CC0C"}, {"value": 20, "color": "#E02F44"},
        ]}}, "overrides": []},
        "options": {
            "view": {"id": "north-america", "zoom": 3, "lat": 40, "lon": -100},
            "controls": {"showZoom": True, "mouseWheelZoom": False},
            "basemap": {"type": "default", "name": "Basemap"},
            "layers": [{"type": "markers", "name": "", "tooltip": True,
                        "config": {"showLegend": True, "style": {**_STYLE, "size": {"fixed": 5, "min": 4, "max": 25}}},
                        "location": {"mode": "lookup", "gazetteer": "public/gazetteer/usa-states.json"}}],
            "tooltip": {"mode": "details"},
        },
    }
    messages = [what for _, what in notes]
    assert any("grafana-worldmap-panel (Angular) became geomap" in message for message in messages)
    assert any("reduce transformation (mean)" in message for message in messages)
    # Grafana drops what worldmapToGeomapOptions does not read; the report names it.
    assert "options without a counterpart, not carried over: showLegend, unitSingle" in messages


def test_worldmap_without_centre_or_known_reducer_keeps_grafanas_defaults():
    migrated, notes = _migrate({"schemaVersion": 27, "panels": [_worldmap(
        mapCenter="custom", valueName="median", locationData="geohash", decimals=0, initialZoom="x")]})
    panel = migrated["panels"][0]
    # An unknown centre replaces the id with nothing (mapCenters[...] is undefined); zoom "x" is NaN, decimals 0 falsy.
    assert panel["options"]["view"] == {}
    assert panel["fieldConfig"] == {"defaults": {}, "overrides": []}
    assert "transformations" not in panel
    assert panel["options"]["layers"][0]["location"] == {"mode": "auto"}
    assert any("not carried over: valueName 'median'" in what for _, what in notes)


def test_cloudwatch_statistics_split_into_one_query_each():
    panel = {"id": 1, "type": "timeseries", "title": "CPU", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "datasource": CLOUDWATCH, "targets": [
                 {"refId": "A", "namespace": "AWS/EC2", "metricName": "CPUUtilization", "region": "eu-west-1",
                  "dimensions": {"InstanceId": "i-0abc"}, "statistics": ["Average", "Maximum", "p99"]},
                 {"refId": "B", "namespace": "AWS/EC2", "metricName": "NetworkIn", "region": "eu-west-1",
                  "dimensions": {}, "statistics": ["Sum"], "expression": "SUM(METRICS())"},
             ]}
    row = {"id": 9, "type": "row", "title": "r", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8},
           "panels": [{**panel, "id": 2, "targets": [{**panel["targets"][0], "statistics": ["Minimum", "Maximum"]}]}]}
    migrated, notes = _migrate({"schemaVersion": 33, "panels": [panel, row]})
    base = {"namespace": "AWS/EC2", "metricName": "CPUUtilization", "region": "eu-west-1",
            "dimensions": {"InstanceId": "i-0abc"}, "metricQueryType": 0, "metricEditorMode": 0}
    assert migrated["panels"][0]["targets"] == [
        {"refId": "A", **base, "statistic": "Average"},
        {"refId": "B", "namespace": "AWS/EC2", "metricName": "NetworkIn", "region": "eu-west-1", "dimensions": {},
         "expression": "SUM(METRICS())", "metricQueryType": 0, "metricEditorMode": 1, "statistic": "Sum"},
        {"refId": "C", **base, "statistic": "Maximum"},
        {"refId": "D", **base, "statistic": "p99"},
    ]
    # Collapsed rows' panels are migrated too.
    assert migrated["panels"][1]["panels"][0]["targets"] == [
        {"refId": "A", **base, "statistic": "Minimum"}, {"refId": "B", **base, "statistic": "Maximum"}]
    assert any("became statistic 'Average' and the new queries C (Maximum), D (p99)" in what for _, what in notes)
    # Version 34 onwards: left alone.
    current, current_notes = _migrate({"schemaVersion": 34, "panels": [panel]})
    assert current["panels"][0]["targets"] == panel["targets"] and not current_notes


def test_cloudwatch_annotation_statistics_split_with_names():
    annotation = {"name": "Throttles", "enable": True, "datasource": CLOUDWATCH, "namespace": "AWS/DynamoDB",
                  "region": "us-east-1", "dimensions": {"TableName": "orders"}, "prefixMatching": False,
                  "metricName": "ThrottledRequests", "statistics": ["Sum", "Maximum"]}
    single = {**annotation, "name": "Errors", "statistics": ["Sum"]}
    other = {"name": "Deploys", "enable": True, "datasource": {"type": "prometheus", "uid": "p"}, "expr": "x"}
    migrated, _ = _migrate({"schemaVersion": 30, "panels": [],
                            "annotations": {"list": [annotation, other, single]}})
    rest = {key: value for key, value in annotation.items() if key not in ("name", "statistics")}
    assert migrated["annotations"]["list"] == [
        {**rest, "name": "Throttles - Sum", "statistic": "Sum"},
        other,
        {**rest, "name": "Errors", "statistic": "Sum"},  # one statistic: the name stays
        {**rest, "name": "Throttles - Maximum", "statistic": "Maximum"},
    ]


def legacy_aws_dashboard() -> dict:
    """A Grafana 8.2-era dashboard (schemaVersion 31): a worldmap panel, CloudWatch queries and an annotation with
    several statistics, as a team exporting it then would have it."""
    return {
        "uid": "aws-edge", "title": "AWS edge", "schemaVersion": 31, "version": 4, "tags": ["aws"],
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": [
            {"name": "Throttles", "enable": True, "iconColor": "red", "datasource": CLOUDWATCH,
             "namespace": "AWS/DynamoDB", "region": "us-east-1", "dimensions": {"TableName": "orders"},
             "prefixMatching": False, "metricName": "ThrottledRequests", "statistics": ["Sum", "Maximum"]},
        ]},
        "panels": [
            _worldmap(thresholds="100,1000", colors=["green", "yellow", "red"], circleMinSize=2, circleMaxSize=30,
                      initialZoom=1, mapCenter="(0°, 0°)", mapCenterLatitude=0, mapCenterLongitude=0,
                      valueName="total", locationData="countries", decimals=0, mouseWheelZoom=True),
            {"id": 8, "type": "timeseries", "title": "Edge latency", "gridPos": {"h": 9, "w": 12, "x": 12, "y": 0},
             "datasource": CLOUDWATCH, "fieldConfig": {"defaults": {"unit": "ms"}, "overrides": []},
             "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
             "targets": [{"refId": "A", "namespace": "AWS/CloudFront", "metricName": "OriginLatency",
                          "region": "us-east-1", "dimensions": {"DistributionId": "E1"}, "period": "",
                          "statistics": ["Average", "p90"], "datasource": CLOUDWATCH}]},
        ],
    }


def test_legacy_aws_dashboard_round_trips_against_the_migrated_form(tmp_path: Path, project_dir: Path):
    source = tmp_path / "aws.json"
    source.write_text(json.dumps(legacy_aws_dashboard(), indent=2, ensure_ascii=False))
    project = load_project(project_dir)
    result = import_sources(read_paths([source]), project)
    [item] = result.files
    expected = item.expected
    geomap, latency = expected["panels"]
    assert geomap["type"] == "geomap" and geomap["options"]["view"] == {"id": "zero", "zoom": 1, "lat": 0, "lon": 0}
    assert geomap["transformations"] == [{"id": "reduce", "options": {"reducers": ["sum"]}}]
    assert [(t["refId"], t["statistic"]) for t in latency["targets"]] == [("A", "Average"), ("B", "p90")]
    assert [a["name"] for a in expected["annotations"]["list"] if "statistic" in a] == [
        "Throttles - Sum", "Throttles - Maximum"]
    differences, problems = check_generated(item, project.select_environments()[0])
    assert not differences, "\n".join(map(str, differences))
    assert not problems, problems
    kinds = {(entry.kind, entry.message.split(" (")[0]) for entry in result.entries}
    assert ("migration", "grafana-worldmap-panel") in kinds
    assert not any(entry.kind == "kept" and "worldmap" in entry.message for entry in result.entries)


def test_imported_aws_dashboard_checks_clean_and_lints_at_error_level(tmp_path: Path, project_dir: Path):
    from click.testing import CliRunner

    from dashctl.cli.main import cli

    source = tmp_path / "aws.json"
    source.write_text(json.dumps(legacy_aws_dashboard(), ensure_ascii=False))
    imported = CliRunner().invoke(cli, ["import", "--project", str(project_dir), str(source), "--check"])
    assert imported.exit_code == 0, imported.output
    assert "grafana-worldmap-panel (Angular) became geomap" in imported.stderr
    lint = CliRunner().invoke(cli, ["lint", "--project", str(project_dir), "--min-severity", "error"])
    assert lint.exit_code == 0, lint.output
