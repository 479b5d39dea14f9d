"""Importing alert rules: detection, Prometheus rules (threshold or math, templates, uids, titles), Grafana's export
(and dashctl's own build output, round-tripped), PrometheusRule resources, LogQL rule files, and the report."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from dashctl.alerts.model import LogQL, Math, PromQL, Reduce, Threshold
from dashctl.compiler.pipeline import build_project
from dashctl.errors import DefinitionError, UsageError
from dashctl.importing.alerts import detect_alert_document, import_alert_document
from dashctl.project.config import load_project
from dashctl.project.environment import DatasourceRef
from tests.conftest import REPO, SHARED
from tests.golden_files import compare_golden

FIXTURES = Path(__file__).parent / "fixtures"
DATASOURCES = {"metrics": DatasourceRef(uid="prom-main", type="prometheus"),
               "logs": DatasourceRef(uid="loki-main", type="loki")}


def _load(name: str) -> dict:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def _rules(result) -> dict:
    return {item.rule.title: item.rule for item in result.rules}


def _notes(result, kind: str) -> list[tuple[str, str]]:
    return [(note.subject, note.message) for note in result.notes if note.kind == kind]


# ------------------------------------------------------------------------------------------------- detection


def test_detect_tells_the_three_kinds_apart_and_refuses_other_documents() -> None:
    deploy = yaml.safe_load((REPO / "deploy" / "dev" / "alert-rules-backend.yaml").read_text())
    export = _load("grafana-export.yaml")
    resource = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "x"},
                "spec": {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up == 0"}]}]}}
    assert detect_alert_document(_load("prometheus-rules.yaml")) == "prometheus-rules"
    assert detect_alert_document(export) == "grafana-export"
    assert detect_alert_document(json.loads(json.dumps(export))) == "grafana-export"
    assert detect_alert_document(deploy) == "grafana-export"
    assert detect_alert_document(resource) == "prometheus-rule-resource"
    dashboard = yaml.safe_load((REPO / "deploy" / "dev" / "dashboard-backend-api.yaml").read_text())
    for other in (dashboard, {"panels": []}, {"groups": []}, [], "text", None, {"groups": [{"name": "g"}]}):
        assert detect_alert_document(other) is None


def test_another_document_is_a_usage_error_naming_the_source() -> None:
    with pytest.raises(UsageError, match="dash.json: not an alert document"):
        import_alert_document({"panels": []}, source="dash.json")


def test_a_broken_rule_file_is_a_definition_error_naming_the_file() -> None:
    with pytest.raises(DefinitionError, match="a group has no name") as raised:
        import_alert_document({"groups": [{"rules": [{"alert": "A", "expr": "up"}]}]}, source="rules.yaml")
    assert raised.value.location.file == "rules.yaml"


# --------------------------------------------------------------------------------------------- Prometheus rules


def test_a_comparison_with_a_number_becomes_query_and_threshold() -> None:
    rules = _rules(import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml"))
    errors = rules["ApiErrorRatioHigh"]
    assert errors.condition == Threshold(above=0.05)
    assert errors.query == PromQL(expr='sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))\n  /\n'
                                       'sum by (job) (rate(http_requests_total[5m]))')
    assert (errors.for_, errors.keep_firing_for) == ("5m", "10m")
    # The number on the left: `0.1 > x` is `x < 0.1`, and Prometheus keeps x's value either way.
    assert rules["ApiLatencyLow"].condition == Threshold(below=0.1)
    assert rules["ApiLatencyLow"].query.expr.startswith("histogram_quantile(0.99")


@pytest.mark.parametrize(
    ("alert", "expression"),
    [("ApiQueueFull", "$B >= 100"), ("ApiDown", "$B == 0"), ("ApiSaturated", "$B == $B || $B != $B"),
     ("ApiBoolCompare", "$B == $B || $B != $B"), ("ApiErrorsAndTraffic", "$B == $B || $B != $B")],
)
def test_other_comparisons_and_whole_expressions_become_math_on_the_reduced_value(alert: str, expression: str) -> None:
    rule = _rules(import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml"))[alert]
    assert rule.condition == Math(expression=expression)
    assert isinstance(rule.queries[1], Reduce) and rule.queries[1].ref_id == "B"
    if "||" in expression:  # the whole expr is the query: `bool` and vector comparisons keep their meaning there
        assert ">" in rule.queries[0].expr


def test_absent_is_a_threshold_above_zero() -> None:
    rule = _rules(import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml"))["ApiMissing"]
    assert rule.query == PromQL(expr='absent(up{job="api"})') and rule.condition == Threshold(above=0)


def test_labels_annotations_and_templates_carry_over_in_grafanas_forms() -> None:
    rule = _rules(import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml"))["ApiErrorRatioHigh"]
    assert rule.severity == "critical" and rule.team == "api"
    assert rule.summary == "{{ $labels.job }} answers {{ $values.B.Value | humanizePercentage }} with 5xx"
    assert rule.description == "Value {{ $values.B.Value }} for {{ $labels.job }}"
    assert rule.runbook_url == "https://runbooks.example.com/api-errors"
    # B is the value the Threshold compares: the reduce node of the built rule.
    assert [node.ref_id for node in rule.data] == ["A", "B", "C"]


def test_uids_are_stable_and_titles_unique_within_a_folder() -> None:
    first = import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml", folder="API")
    again = import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml", folder="API")
    assert [item.rule.uid for item in first.rules] == [item.rule.uid for item in again.rules]
    assert first.source_code == again.source_code
    disks = [item.rule for item in first.rules if item.source_name == "DiskFilling"]
    assert [(rule.uid, rule.title) for rule in disks] == [
        ("disk-filling", "DiskFilling"), ("duplicates-disk-filling", "DiskFilling (critical)")]
    assert first.rules[0].rule.uid == "api-error-ratio-high"
    assert ("duplicates/DiskFilling", "title 'DiskFilling' became 'DiskFilling (critical)': titles are unique "
            "within a folder") in _notes(first, "changed")


def test_uids_and_titles_taken_elsewhere_are_avoided() -> None:
    document = {"groups": [{"name": "node", "interval": "1m", "rules": [
        {"alert": "InstanceDown", "expr": "up == 0", "annotations": {"summary": "down"}}]}]}
    result = import_alert_document(document, source="b.yaml", folder="Nodes", reserved_uids=["instance-down"],
                                   reserved_titles=[("Nodes", "InstanceDown")])
    rule = result.rules[0].rule
    assert (rule.uid, rule.title) == ("node-instance-down", "InstanceDown (warning)")


def test_the_report_says_what_changed_and_what_could_not_be_imported() -> None:
    result = import_alert_document(_load("prometheus-rules.yaml"), source="rules.yaml")
    not_imported = _notes(result, "not-imported")
    assert len(not_imported) == 1
    subject, reason = not_imported[0]
    assert subject == "api/job:http_requests:rate5m" and "recording rule" in reason
    changed = _notes(result, "changed")
    assert ("api/ApiErrorRatioHigh", "severity 'page' became 'critical' (dashctl knows critical, warning and info)") \
        in changed
    assert ("duplicates", "the group has no interval; it is 1m, Prometheus' default evaluation interval") in changed
    attention = _notes(result, "attention")
    assert ("duplicates/DiskFilling", "annotation message uses $externalLabels (Grafana has none); rewrite it by "
            "hand") in attention
    assert any("placeholder" in message for subject, message in attention if subject == "api/ApiDown")
    assert all(note.source == "rules.yaml" for note in result.notes)


def test_the_generated_module_matches_its_golden_file_and_builds(make_project, update_golden: bool) -> None:
    result = import_alert_document(_load("prometheus-rules.yaml"), source="prometheus-rules.yaml", folder="API")
    compare_golden("importing", "prometheus-rules.py", result.source_code, update_golden)
    compare_golden("importing", "prometheus-rules_tests.py", result.test_code, update_golden)
    project = make_project({"alerts/imported.py": result.source_code, "alerts/imported_tests.py": result.test_code})
    built = project.run("build")
    assert built.exit_code == 0, built.stderr
    linted = project.run("lint")  # errors fail it; warnings (a `for` of 0s, a missing description) may remain
    assert linted.exit_code == 0, linted.stdout + linted.stderr


def test_the_test_skeleton_runs(make_project) -> None:
    import shutil

    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed")
    result = import_alert_document(_load("prometheus-rules.yaml"), source="prometheus-rules.yaml", folder="API")
    project = make_project({"alerts/imported.py": result.source_code, "alerts/imported_tests.py": result.test_code})
    run = project.run("test", "--env", "dev", "-k", "ApiQueueFull")
    assert "ApiQueueFull fires" in run.stdout, run.stdout + run.stderr


def test_a_rule_that_cannot_be_imported_is_reported_and_the_others_still_are() -> None:
    document = {"groups": [{"name": "g", "interval": "1m", "rules": [
        {"alert": "Broken", "expr": "sum(rate(x[5m])", "labels": {"severity": "info"}},
        {"alert": "BadFor", "expr": "up == 0", "for": "banana"},
        {"alert": "Experimental", "expr": 'sort_by_label(up, "job") > 1', "annotations": {"summary": "s"}},
        {"alert": "Fine", "expr": "up == 0", "annotations": {"summary": "down"}}]}]}
    result = import_alert_document(document, source="rules.yaml")
    assert [item.source_name for item in result.rules] == ["Experimental", "Fine"]
    reasons = dict(_notes(result, "not-imported"))
    assert reasons["g/Broken"] == "expr is not valid PromQL (unclosed left parenthesis), nor LogQL"
    assert reasons["g/BadFor"] == "for: not a duration: 'banana' (e.g. 30s, 5m, 1h30m)"
    assert dict(_notes(result, "attention"))["g/Experimental"].startswith('function "sort_by_label" is not enabled')


def test_group_labels_go_on_each_rule_and_other_group_settings_are_reported() -> None:
    document = {"groups": [{"name": "g", "interval": "1m", "limit": 10, "query_offset": "1m",
                            "labels": {"team": "db", "tier": "storage"},
                            "rules": [{"alert": "A", "expr": "up == 0", "labels": {"tier": "cache"},
                                       "annotations": {"summary": "down"}}]}]}
    result = import_alert_document(document, source="rules.yaml")
    rule = result.rules[0].rule
    assert (rule.team, dict(rule.labels)) == ("db", {"tier": "cache"})
    assert ("g", "group limit, query_offset dropped: Grafana's rule groups have no such setting") in \
        _notes(result, "changed")


def test_a_prometheus_rule_resource_files_rules_under_its_name() -> None:
    resource = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                "metadata": {"name": "node-exporter-rules", "namespace": "monitoring"},
                "spec": {"groups": [{"name": "node", "interval": "1m", "rules": [
                    {"alert": "NodeDown", "expr": 'up{job="node"} == 0', "for": "5m",
                     "labels": {"severity": "warning"}, "annotations": {"summary": "node down"}}]}]}}
    result = import_alert_document(resource, source="node.yaml")
    assert result.kind == "prometheus-rule-resource"
    [item] = result.rules
    assert (item.folder, item.group, item.interval, item.rule.uid) == ("node-exporter-rules", "node", "1m", "node-down")
    # `kubectl get prometheusrules -o yaml` gives a List of them: each keeps its own folder.
    other = {**resource, "metadata": {"name": "other-rules"}}
    listed = import_alert_document({"apiVersion": "v1", "kind": "List", "items": [resource, other]}, source="all.yaml")
    assert detect_alert_document({"kind": "List", "items": [resource]}) == "prometheus-rule-resource"
    assert [(i.folder, i.rule.uid, i.rule.title) for i in listed.rules] == [
        ("node-exporter-rules", "node-down", "NodeDown"), ("other-rules", "node-node-down", "NodeDown")]


def test_loki_rules_become_logql_rules(make_project) -> None:
    document = {"groups": [{"name": "logs", "interval": "1m", "rules": [
        {"alert": "ErrorsLogged", "expr": 'sum by (app) (count_over_time({app="api"} |= "error" [5m])) > 10',
         "labels": {"severity": "warning"}, "annotations": {"summary": "{{ $labels.app }} logs errors"}},
        {"alert": "NoLogs", "expr": 'absent_over_time({app="api"}[5m])', "labels": {"severity": "info"},
         "annotations": {"summary": "no logs"}}]}]}
    result = import_alert_document(document, source="rules.loki.yaml", query_language="LogQL")
    errors, silent = (item.rule for item in result.rules)
    assert errors.query == LogQL(expr='sum by (app) (count_over_time({app="api"} |= "error" [5m]))')
    assert errors.condition == Threshold(above=10)
    assert silent.query == LogQL(expr='absent_over_time({app="api"}[5m])') and silent.condition == Threshold(above=0)
    # Without the hint, each expr decides: this one is not PromQL.
    guessed = import_alert_document(document, source="rules.yaml")
    assert isinstance(guessed.rules[0].rule.query, LogQL)
    # The skeleton's log streams come from the selectors, and it runs (the line matches no `|= "error"`).
    assert 'LogLines(labels={"app": "api"}, line="a line the rule counts", every="1m", end="30m")' in result.test_code
    project = make_project({"alerts/logs.py": result.source_code, "alerts/logs_tests.py": result.test_code})
    run = project.run("test", "--env", "dev", "-k", "ErrorsLogged")
    assert run.exit_code == 0 and "PASS" in run.stdout, run.stdout + run.stderr


def test_the_loki_corpus_rules_import() -> None:
    path = SHARED / "corpus" / "rules" / "loki__docker-rules.loki.yaml"
    if not path.exists():
        pytest.skip(f"{path} is absent (public corpus, not in the repo)")
    result = import_alert_document(yaml.safe_load(path.read_text()), source=path.name, query_language="LogQL")
    assert [item.source_name for item in result.rules] == ["NoGeneratedLogs", "AlwaysFiring"]
    assert all(isinstance(item.rule.query, LogQL) for item in result.rules)
    assert len(_notes(result, "not-imported")) == 2


# ------------------------------------------------------------------------------------------------ Grafana export


def test_grafana_export_maps_datasources_refids_and_shapes() -> None:
    result = import_alert_document(_load("grafana-export.yaml"), source="export.yaml", datasources=DATASOURCES)
    rules = {item.rule.uid: item.rule for item in result.rules}
    errors = rules["checkout_errors"]
    assert errors.query == PromQL(expr="sum(rate(checkout_errors_total[5m]))")
    assert errors.condition == Threshold(above=5, reduce="max")
    assert errors.summary == "{{ $values.B.Value }} checkout errors per second"  # `reduce` is B now
    assert (errors.no_data_state, errors.team, errors.dashboard) == ("OK", "shop", None)
    latency = rules["checkout-latency-mean"]
    assert latency.query == PromQL(expr="avg(checkout_latency_seconds)", range="1h", step="1m")
    assert latency.condition == Threshold(within=(0.5, 2), reduce="mean")
    mixed = rules["checkout-vs-carts"]
    assert isinstance(mixed.queries[1], LogQL) and mixed.queries[1].datasource == "logs" and mixed.paused
    assert mixed.condition == Math(expression="$B > 10 * $A")
    assert rules["checkout-unknown-datasource"].condition == Math(expression="$A >= 1")
    assert set(rules) == {"checkout_errors", "checkout-latency-mean", "checkout-vs-carts",
                          "checkout-unknown-datasource"}
    reasons = dict(_notes(result, "not-imported"))
    assert "classic_conditions" in reasons["checkout/Classic condition"]
    assert "another kind" in reasons["checkout/Orders table empty"]
    attention = dict(_notes(result, "attention"))
    assert "some-other-prometheus" in attention["checkout/Payment provider errors"]


def test_dashboard_links_stay_when_the_project_has_the_dashboard() -> None:
    kept = import_alert_document(_load("grafana-export.yaml"), source="x", datasources=DATASOURCES,
                                 dashboards=["shop"])
    rule = next(item.rule for item in kept.rules if item.rule.uid == "checkout_errors")
    assert (rule.dashboard.uid, rule.dashboard.panel) == ("shop", 4)
    assert 'dashboard=DashboardPanel(uid="shop", panel=4),' in kept.source_code
    commented = import_alert_document(_load("grafana-export.yaml"), source="x", datasources=DATASOURCES)
    assert "        # dashboard=DashboardPanel(uid='shop', panel=<the panel's title>)," in commented.source_code


def test_dashctls_own_build_output_round_trips_rule_for_rule(tmp_path: Path) -> None:
    """Import every deploy/dev/alert-rules-*.yaml, build the result: the same rules, but for dashboard links."""
    project = load_project(REPO)
    dev = project.environments["dev"]
    root = tmp_path / "project"
    (root / "alerts").mkdir(parents=True)
    (root / "dashctl.toml").write_text(textwrap.dedent("""
        roots = ["alerts"]
        output = "deploy"
        [environments.dev]
        namespace = "dev"
        [environments.dev.datasources]
        metrics = { uid = "prometheus", type = "prometheus" }
        logs = { uid = "loki", type = "loki" }
    """))
    originals = {}
    for path in sorted((REPO / "deploy" / "dev").glob("alert-rules-*.yaml")):
        document = yaml.safe_load(path.read_text())
        result = import_alert_document(document, source=path.name, datasources=dev.datasources)
        assert _notes(result, "not-imported") == [] and _notes(result, "changed") == []
        (root / "alerts" / f"{path.stem.replace('-', '_')}.py").write_text(result.source_code)
        for text in document["data"].values():
            for group in yaml.safe_load(text)["groups"]:
                originals.update({rule["uid"]: rule for rule in group["rules"]})
    output = build_project(load_project(root), ["dev"])
    built = {rule.uid: rule.provisioning for group in output.environments[0].extras["alerts"].groups
             for rule in group.rules}
    assert len(originals) >= 10
    for uid, rule in originals.items():
        expected = {key: value for key, value in rule.items() if key not in ("dashboardUid", "panelId")}
        assert built[uid] == expected, uid
