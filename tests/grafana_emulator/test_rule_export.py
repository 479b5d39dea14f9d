"""The alert rule export (spec §6.6) answers like Grafana's `RouteGetAlertRulesExport`, over raw HTTP."""

from __future__ import annotations

import yaml

from .fixtures import grafana_emulator  # noqa: F401 - the fixture
from .server import GrafanaEmulator
from .state import Identity
from .test_emulator import Api, anonymous, api, emulator, rule  # noqa: F401 - fixtures

EXPORT = "/api/v1/provisioning/alert-rules/export"


def _seed(emulator: GrafanaEmulator) -> None:  # noqa: F811 - the fixture's name
    emulator.add_folder("team", "Team $A/B", parent_uid="ops")
    emulator.add_rule_group("ops", "latency", interval=120, rules=[
        rule("r1", title="p99 > $$1s", labels={"severity": "critical", "cost": "$5"},
             annotations={"summary": "p99 is {{ $values.B }}"}, **{"for": "0s", "keep_firing_for": "2m"}),
        rule("r2", notification_settings={"receiver": "pager$", "group_by": ["alertname"]}),
    ])
    emulator.add_rule_group("team", "errors", rules=[
        rule("r3", data=[
            {"refId": "A", "queryType": "range", "relativeTimeRange": {"from": 300, "to": 0}, "datasourceUid": "loki",
             "model": {"expr": "sum(rate({app=\"x\"}[5m]))"}},
            {"refId": "B", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"type": "threshold", "expression": "A", "conditions": []}},
        ], condition="B"),
    ])


def test_every_rule_as_yaml_escaped_for_file_provisioning(api: Api, emulator: GrafanaEmulator) -> None:  # noqa: F811
    _seed(emulator)
    answer = api("GET", EXPORT)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/yaml"
    assert "Content-Disposition" not in answer.headers
    export = yaml.safe_load(answer.text)
    assert export["apiVersion"] == 1
    ops, team = export["groups"]  # by folder uid, then group
    assert (ops["orgId"], ops["name"], ops["folder"], ops["interval"]) == (1, "latency", "Ops", "2m")
    first, second = ops["rules"]
    # `$` doubled in titles, label values and the receiver; annotations and models as stored.
    assert first["title"] == "p99 > $$$$1s" and first["labels"] == {"severity": "critical", "cost": "$$5"}
    assert first["annotations"] == {"summary": "p99 is {{ $values.B }}"}
    assert "for" not in first and first["keepFiringFor"] == "2m"  # zero durations omitted
    assert (first["noDataState"], first["execErrState"], first["isPaused"]) == ("NoData", "Error", False)
    assert first["data"] == [{"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": "prom",
                              "model": {"intervalMs": 1000, "maxDataPoints": 43200}}]
    assert second["notification_settings"] == {"receiver": "pager$$", "group_by": ["alertname"]}
    assert "labels" not in second and "annotations" not in second and second["for"] == "5m"
    assert team["folder"] == "Ops/Team $$A\\/B" and team["interval"] == "1m"
    query, expression = team["rules"][0]["data"]
    assert query["queryType"] == "range" and "relativeTimeRange" not in expression  # yaml omits the zero range


def test_format_filters_and_single_forms(api: Api, emulator: GrafanaEmulator) -> None:  # noqa: F811
    _seed(emulator)
    as_json = api("GET", EXPORT, headers={"Accept": "application/json"})
    assert as_json.headers["Content-Type"] == "application/json"
    assert as_json.json()["groups"][1]["rules"][0]["data"][1]["relativeTimeRange"] == {"from": 0, "to": 0}
    # format= decides over Accept; download names the file.
    forced = api("GET", EXPORT, params={"format": "yaml", "download": "true"}, headers={"Accept": "application/json"})
    assert forced.headers["Content-Disposition"] == "attachment;filename=export.yaml"
    assert [g["name"] for g in yaml.safe_load(forced.text)["groups"]] == ["latency", "errors"]
    folder = api("GET", EXPORT, params={"folderUid": "team", "format": "json"}).json()
    assert [g["name"] for g in folder["groups"]] == ["errors"]
    group = api("GET", EXPORT, params={"folderUid": "ops", "group": "latency", "format": "json"}).json()
    assert [r["uid"] for r in group["groups"][0]["rules"]] == ["r1", "r2"]
    single = api("GET", EXPORT, params={"ruleUid": "r2", "format": "json"}).json()
    assert [(g["name"], [r["uid"] for r in g["rules"]]) for g in single["groups"]] == [("latency", ["r2"])]
    assert api("GET", "/api/v1/provisioning/alert-rules/r3/export", params={"format": "json"}).json() == {
        "apiVersion": 1, "groups": api("GET", EXPORT, params={"folderUid": "team", "format": "json"}).json()["groups"]}
    routed = api("GET", "/api/v1/provisioning/folder/ops/rule-groups/latency/export", params={"format": "json"})
    assert routed.json() == group


def test_errors_and_nothing_found(api: Api, emulator: GrafanaEmulator) -> None:  # noqa: F811
    nothing = api("GET", EXPORT)
    assert (nothing.status_code, nothing.content) == (404, b"")
    _seed(emulator)
    both = api("GET", EXPORT, params={"ruleUid": "r1", "group": "latency"})
    assert both.status_code == 400 and "should not be specified" in both.json()["message"]
    no_folder = api("GET", EXPORT, params={"group": "latency"})
    assert no_folder.status_code == 400 and no_folder.json()["message"].endswith("Got 0")
    assert api("GET", EXPORT, params={"ruleUid": "missing"}).status_code == 404
    assert api("GET", EXPORT, params={"folderUid": "nowhere"}).status_code == 404
    # A Viewer may export (alert.rules:read); no credentials may not.
    emulator.add_token("viewer", Identity(login="sa-viewer", role="Viewer"))
    assert anonymous(emulator, Authorization="Bearer viewer")("GET", EXPORT).status_code == 200
    assert anonymous(emulator)("GET", EXPORT).status_code == 401
