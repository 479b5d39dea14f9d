"""The compiled alerting files follow Grafana's file-provisioning format exactly, for a fixture project and for
the platform's own alerts (this repository)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.alerts.sources import NOTIFICATIONS, RULES

REPO = Path(__file__).resolve().parents[2]
UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
RULE_KEYS = {"uid", "title", "condition", "data", "for", "keepFiringFor", "noDataState", "execErrState", "labels",
             "annotations", "isPaused", "dashboardUid", "panelId", "notification_settings", "record"}
TOP_KEYS = {"apiVersion", "groups", "deleteRules", "contactPoints", "deleteContactPoints", "policies",
            "resetPolicies", "muteTimes", "deleteMuteTimes", "templates", "deleteTemplates"}
DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")


def alerting_files(deploy: Path, env: str) -> dict[str, dict]:
    """Every alerting file of an environment: data key -> parsed document; checks the ConfigMap around it."""
    files = {}
    for path in sorted((deploy / env).glob("*.yaml")):
        manifest = yaml.safe_load(path.read_text())
        labels = manifest.get("metadata", {}).get("labels", {})
        if "grafana_alert" not in labels:
            continue
        assert manifest["kind"] == "ConfigMap"
        assert labels["grafana_alert"] == "1"
        assert "annotations" not in manifest["metadata"] or not any(
            "folder" in key or "target-directory" in key for key in manifest["metadata"]["annotations"]
        ), "alert ConfigMaps must not carry a folder annotation"
        assert manifest["metadata"]["namespace"] == env
        for key, text in manifest["data"].items():
            assert key.endswith(f".{env}.yaml") or f".{env}." in key, key
            files[key] = yaml.safe_load(text)
    return files


def provisioned_datasource_uids(deploy: Path, env: str) -> set[str]:
    """The uids of the datasources the build provisions for the environment (ConfigMap or Secret)."""
    import base64

    manifest = yaml.safe_load((deploy / env / "datasources.yaml").read_text())
    text = next(iter(manifest["data"].values()))
    if manifest["kind"] == "Secret":
        text = base64.b64decode(text).decode()
    return {datasource["uid"] for datasource in yaml.safe_load(text)["datasources"]}


def check_documents(documents: dict[str, dict], datasource_uids: set[str]) -> int:
    """Assert Grafana's format on every document; return the number of rules."""
    rules = 0
    policies = 0
    uids = set()
    for name, document in documents.items():
        assert document["apiVersion"] == 1, name
        assert set(document) <= TOP_KEYS, set(document) - TOP_KEYS
        policies += len(document.get("policies", []))
        for group in document.get("groups", []):
            assert set(group) == {"orgId", "name", "folder", "interval", "rules"}
            assert DURATION.match(group["interval"]) and group["folder"] and group["name"]
            for rule in group["rules"]:
                rules += 1
                assert set(rule) <= RULE_KEYS, set(rule) - RULE_KEYS
                assert UID.match(rule["uid"]), rule["uid"]
                assert rule["uid"] not in uids
                uids.add(rule["uid"])
                assert 0 < len(rule["title"]) <= 190
                refs = [query["refId"] for query in rule["data"]]
                assert len(refs) == len(set(refs))
                assert rule["condition"] in refs, f"{rule['uid']}: condition {rule['condition']} not in {refs}"
                assert rule["noDataState"] in ("NoData", "Alerting", "OK", "KeepLast")
                assert rule["execErrState"] in ("Error", "Alerting", "OK", "KeepLast")
                assert DURATION.match(rule["for"])
                assert rule["labels"]["severity"] in ("critical", "warning", "info")
                assert rule["annotations"]["summary"]
                if rule["labels"]["severity"] == "critical":
                    assert rule["annotations"]["runbook_url"].startswith("https://")
                for query in rule["data"]:
                    assert query["model"]["refId"] == query["refId"]
                    if query["datasourceUid"] == "__expr__":
                        assert query["model"]["type"] in ("reduce", "threshold", "math")
                        if query["model"]["type"] != "math":
                            assert query["model"]["expression"] in refs
                        else:
                            for ref in re.findall(r"\$\{?([A-Za-z0-9_]+)", query["model"]["expression"]):
                                assert ref in refs
                        continue
                    assert query["datasourceUid"] in datasource_uids, query["datasourceUid"]
                    window = query["relativeTimeRange"]
                    assert set(window) == {"from", "to"}
                    assert isinstance(window["from"], int) and isinstance(window["to"], int)
                    assert window["from"] > window["to"] >= 0
                    assert query["model"]["expr"]
                    assert query["model"]["intervalMs"] >= 1000 and query["model"]["maxDataPoints"] == 43200
        for point in document.get("contactPoints", []):
            assert point["orgId"] == 1 and point["name"]
            for receiver in point["receivers"]:
                assert UID.match(receiver["uid"]) and receiver["type"] and receiver["settings"]
        for entry in document.get("deleteRules", []):
            assert set(entry) == {"orgId", "uid"} and entry["uid"] not in uids
    assert policies <= 1, "one policy tree per environment"
    return rules


@pytest.fixture
def fixture_build(make_project):
    project = make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return project


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_fixture_project_follows_grafanas_format(fixture_build, env):
    deploy = fixture_build.root / "deploy"
    documents = alerting_files(deploy, env)
    assert set(documents) == {f"alert-rules.{env}.shop.yaml", f"alerting.{env}.yaml"}
    assert check_documents(documents, provisioned_datasource_uids(deploy, env)) == 4
    rules = {rule["uid"]: rule for group in documents[f"alert-rules.{env}.shop.yaml"]["groups"]
             for rule in group["rules"]}
    assert rules["shop-5xx-ratio"]["dashboardUid"] == "shop-api" and rules["shop-5xx-ratio"]["panelId"] == 1
    assert rules["shop-5xx-ratio"]["data"][0]["datasourceUid"] == f"prom-{env}"
    assert rules["shop-error-lines"]["data"][0]["datasourceUid"] == f"loki-{env}"
    assert rules["shop-error-lines"]["data"][0]["queryType"] == "instant"
    mean = rules["shop-latency-mean"]["data"]
    assert mean[0]["relativeTimeRange"] == {"from": 600, "to": 0} and mean[0]["model"]["range"] is True
    assert mean[0]["model"]["intervalMs"] == 60000
    assert mean[1]["model"] == {"refId": "B", "type": "reduce", "expression": "A", "reducer": "mean"}
    assert mean[2]["model"]["conditions"] == [{"evaluator": {"type": "within_range", "params": [0.5, 10.0]}}]
    math = rules["shop-errors-vs-requests"]
    assert math["condition"] == "C" and math["data"][2]["model"]["expression"] == "$A > 2 * $B && $A > 10"
    thresholds = {"dev": 0.05, "prod": 0.02}
    assert rules["shop-5xx-ratio"]["data"][2]["model"]["conditions"][0]["evaluator"]["params"] == [thresholds[env]]


def test_settings_escape_dollars_but_not_secret_references(fixture_build):
    documents = alerting_files(fixture_build.root / "deploy", "dev")
    points = {point["name"]: point for point in documents["alerting.dev.yaml"]["contactPoints"]}
    slack = points["chat"]["receivers"][0]
    assert slack["uid"] == "chat-slack"
    assert slack["settings"]["url"] == "$__env{SLACK_URL}"
    # Grafana expands $NAME in settings when it reads the file: $$ keeps the template's $labels intact.
    assert slack["settings"]["title"] == '{{ template "shop.title" . }} {{ $$labels.pod }}'
    webhook = points["chat"]["receivers"][1]
    assert webhook["settings"]["authorization_credentials"] == "$__env{HOOK_TOKEN}"
    rule = documents["alert-rules.dev.shop.yaml"]["groups"][0]["rules"][0]
    # Annotations are not expanded by Grafana: written as they are.
    assert "$values.B.Value" in rule["annotations"]["summary"]


def test_policy_tree_and_timings(fixture_build):
    document = alerting_files(fixture_build.root / "deploy", "prod")["alerting.prod.yaml"]
    assert document["policies"] == [{
        "orgId": 1, "receiver": "chat", "group_by": ["grafana_folder", "alertname"], "group_wait": "30s",
        "group_interval": "5m", "repeat_interval": "4h",
        "routes": [
            {"receiver": "oncall", "object_matchers": [["severity", "=", "critical"]], "continue": True},
            {"object_matchers": [["severity", "=~", "warning|info"]], "mute_time_intervals": ["nights"]},
        ],
    }]
    assert document["muteTimes"] == [{"orgId": 1, "name": "nights", "time_intervals": [
        {"times": [{"start_time": "22:00", "end_time": "24:00"}], "weekdays": ["monday:friday"]}]}]
    assert document["templates"] == [{"orgId": 1, "name": "shop",
                                       "template": '{{ define "shop.title" }}[{{ .Status }}]{{ end }}'}]


def test_build_prints_rule_counts(fixture_build):
    result = fixture_build.run("build")
    assert result.exit_code == 0
    assert "dev: 1 dashboard, 2 datasources, 4 alert rules" in result.stderr


def test_platform_alerts_follow_grafanas_format(tmp_path):
    """The repository's own alerts, built into a scratch directory."""
    from dashctl.compiler.pipeline import build_project
    from dashctl.project.config import load_project

    project = load_project(REPO)
    output = build_project(project)
    deploy = tmp_path / "deploy"
    for path, data in output.files.items():
        (deploy / path).parent.mkdir(parents=True, exist_ok=True)
        (deploy / path).write_bytes(data)
    for env in ("dev", "prod"):
        documents = alerting_files(deploy, env)
        assert check_documents(documents, provisioned_datasource_uids(deploy, env)) == 15
        alerting = documents[f"alerting.{env}.yaml"]
        assert len(alerting["policies"]) == 1
        settings = [receiver["settings"] for point in alerting["contactPoints"] for receiver in point["receivers"]]
        for value in (v for s in settings for k, v in s.items() if k in ("url", "integrationKey", "token")):
            assert re.fullmatch(r"\$__env\{[A-Z_]+\}", value)
    prod = alerting_files(deploy, "prod")["alerting.prod.yaml"]["policies"][0]
    assert prod["receiver"] == "sre-slack"
    assert [route["receiver"] for route in prod["routes"]] == ["sre-oncall", "sre-slack"]
    dev = alerting_files(deploy, "dev")["alerting.dev.yaml"]["policies"][0]
    assert dev["receiver"] == "developers" and "routes" not in dev
