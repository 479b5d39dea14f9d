"""Reading build output by content: any ConfigMap or Secret, any data key; what cannot be read is a warning."""

from __future__ import annotations

import base64

from dashctl.diff import compare_snapshots, extract_snapshot, render_text
from dashctl.diff.objects import AlertRule, ObjectKey
from dashctl.encoding import dump_json, dump_yaml

RULE = {
    "uid": "r1",
    "title": "Rule one",
    "condition": "C",
    "for": "300s",
    "labels": {"severity": "warning"},
    "data": [
        {"refId": "A", "datasourceUid": "prom", "relativeTimeRange": {"from": 600, "to": 0},
         "model": {"refId": "A", "expr": "up == 0", "intervalMs": 1000, "maxDataPoints": 43200}},
        {"refId": "C", "datasourceUid": "__expr__",
         "model": {"refId": "C", "type": "threshold", "expression": "A",
                   "conditions": [{"evaluator": {"type": "within_range", "params": [1, 5.5]}}]}},
    ],
}


def _files(rules: list[dict], *, kind: str = "ConfigMap", key: str = "rules.yaml", extra: str = "") -> dict[str, bytes]:
    document = dump_yaml({"apiVersion": 1, "groups": [{"orgId": 1, "name": "g", "folder": "F", "interval": "1m",
                                                      "rules": rules}]})
    data = {key: base64.b64encode(document.encode()).decode() if kind == "Secret" else document}
    body = dump_yaml({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "data": data})
    kustomization = dump_yaml({"kind": "Kustomization", "resources": ["x.yaml"]})
    return {"dev/x.yaml": (body + extra).encode(), "dev/kustomization.yaml": kustomization.encode()}


def test_a_rule_is_read_from_any_config_map_or_secret():
    for files in (_files([RULE]), _files([RULE], kind="Secret", key="anything.yml")):
        snapshot = extract_snapshot(files, ["dev"], origin="test")
        rule = snapshot.get(ObjectKey("dev", "alert rule", "r1"))
        assert isinstance(rule, AlertRule)
        assert (rule.rule_title, rule.folder, rule.group, rule.for_) == ("Rule one", "F", "g", "5m")


def test_defaults_grafana_fills_in_and_equivalent_durations_are_no_change():
    plain = {**RULE, "for": "5m", "data": [
        {**RULE["data"][0], "model": {"expr": "up == 0"}}, RULE["data"][1]]}
    before = extract_snapshot(_files([RULE]), ["dev"], origin="a")
    after = extract_snapshot(_files([plain]), ["dev"], origin="b")
    assert not compare_snapshots(before, after).has_differences


def test_range_thresholds_read_as_ranges():
    changed = {**RULE, "data": [RULE["data"][0], {**RULE["data"][1], "model": {
        **RULE["data"][1]["model"], "conditions": [{"evaluator": {"type": "outside_range", "params": [0, 2]}}]}}]}
    text = render_text(compare_snapshots(extract_snapshot(_files([RULE]), ["dev"], origin="a"),
                                         extract_snapshot(_files([changed]), ["dev"], origin="b")))
    assert "    threshold: > 1 and < 5.5 → < 0 or > 2\n" in text


def test_unreadable_entries_are_warnings_and_the_rest_is_still_compared():
    broken_doc = "---\n" + dump_yaml({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"},
                                     "data": {"broken.yaml": "groups: [unclosed", "board.json": "{nope"}})
    before = extract_snapshot(_files([RULE]), ["dev"], origin="main")
    after = extract_snapshot(_files([{**RULE, "for": "10m"}], extra=broken_doc), ["dev"], origin="working tree")

    diff = compare_snapshots(before, after)

    assert "    for: 5m → 10m\n" in render_text(diff)
    assert len(diff.warnings) == 2
    assert all(warning.startswith("dev/x.yaml: ") and "(working tree): cannot parse" in warning
               for warning in diff.warnings)


def test_a_broken_file_is_a_warning_on_the_command_line(alerting_repository):
    (alerting_repository.root / "deploy/dev/legacy.yaml").write_text("kind: ConfigMap\ndata: [\n")
    alerting_repository.commit("a broken file at the base")

    result = alerting_repository.run("diff", "--env", "dev")

    assert result.exit_code == 0
    assert "warning: dev/legacy.yaml (main): not readable YAML" in result.stderr
    assert result.stdout.endswith("no differences\n")


def test_dashboards_are_json_keys_and_other_environments_are_left_out():
    model = dump_json({"uid": "d1", "title": "D", "panels": []}, minify=True)
    body = dump_yaml({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "d", "annotations": {"k8s-sidecar-target-directory": "Ops"}}, "data": {"d1.prod.json": model}})
    files = {"prod/d.yaml": body.encode(), "dev/d.yaml": body.encode(), "argocd/values.yaml": body.encode()}

    snapshot = extract_snapshot(files, ["prod"], origin="test")

    assert list(snapshot.objects) == [ObjectKey("prod", "dashboard", "d1")]
    assert snapshot.get(ObjectKey("prod", "dashboard", "d1")).folder == "Ops"
