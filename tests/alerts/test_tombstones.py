"""Prune safety: a rule or contact point that deploy/<env> holds and the definitions lost gets a tombstone
(deleteRules / deleteContactPoints ...), kept by every later build until `dashctl alerts retire` removes it."""

from __future__ import annotations

import pytest
import yaml

from tests.alerts.sources import NOTIFICATIONS, RULES
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture


def alerting(project, env="prod"):
    path = project.root / "deploy" / env / "alerting.yaml"
    if not path.exists():
        return None
    return yaml.safe_load(yaml.safe_load(path.read_text())["data"][f"alerting.{env}.yaml"])


def rule_uids(project, env="prod"):
    manifest = yaml.safe_load((project.root / "deploy" / env / "alert-rules-shop.yaml").read_text())
    document = yaml.safe_load(manifest["data"][f"alert-rules.{env}.shop.yaml"])
    return {rule["uid"] for group in document["groups"] for rule in group["rules"]}


def without_latency_rule(source: str) -> str:
    start = source.index("        AlertRule(\n            uid=\"shop-latency-mean\"")
    end = source.index("        AlertRule(\n            uid=\"shop-errors-vs-requests\"")
    return source[:start] + source[end:]


@pytest.fixture
def project(make_project):
    project = make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    assert "deleteRules" not in alerting(project)
    return project


def test_removed_rule_gets_a_tombstone_that_later_builds_keep(project):
    project.write("alerts/shop.py", without_latency_rule(RULES))
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    assert "1 pending alert deletion" in result.stderr
    for env in ("dev", "prod"):
        assert "shop-latency-mean" not in rule_uids(project, env)
        assert alerting(project, env)["deleteRules"] == [{"orgId": 1, "uid": "shop-latency-mean"}]
    # The previous build no longer has the rule, yet the tombstone stays: the deletion may not be synced yet.
    for _ in range(2):
        assert project.run("build").exit_code == 0
        assert alerting(project)["deleteRules"] == [{"orgId": 1, "uid": "shop-latency-mean"}]
    assert project.run("build", "--check").exit_code == 0


def test_build_of_one_environment_keeps_the_other_untouched(project):
    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build", "--env", "dev").exit_code == 0
    assert alerting(project, "dev")["deleteRules"] == [{"orgId": 1, "uid": "shop-latency-mean"}]
    assert "deleteRules" not in alerting(project, "prod")
    assert project.run("build", "--env", "prod").exit_code == 0
    assert alerting(project, "prod")["deleteRules"] == [{"orgId": 1, "uid": "shop-latency-mean"}]


def test_a_rule_defined_again_loses_its_tombstone(project):
    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build").exit_code == 0
    project.write("alerts/shop.py", RULES)
    assert project.run("build").exit_code == 0
    assert "deleteRules" not in alerting(project)
    assert "shop-latency-mean" in rule_uids(project)


def test_removed_contact_point_template_and_mute_timing_get_tombstones(project):
    webhook = ('Webhook(url="https://hooks.example.com/alerts", '
               'authorization_credentials=env_secret("HOOK_TOKEN")),')
    source = NOTIFICATIONS.replace(f"            {webhook}\n", "").replace('            Email(addresses=["oncall@example.com"]),\n', "")
    source = source.replace('[MuteTiming(name="nights"', '[MuteTiming(name="late-nights"').replace(
        'mute_timings=["nights"]', 'mute_timings=["late-nights"]')
    assert "Email(" not in source and "Webhook(" not in source
    project.write("alerts/notifications.py", source)
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    document = alerting(project)
    assert document["deleteContactPoints"] == [{"orgId": 1, "uid": "chat-webhook"}, {"orgId": 1, "uid": "oncall-email"}]
    assert document["deleteMuteTimes"] == [{"orgId": 1, "name": "nights"}]
    assert [timing["name"] for timing in document["muteTimes"]] == ["late-nights"]


def test_removing_every_alert_keeps_the_tombstones_file(project):
    (project.root / "alerts" / "shop.py").unlink()
    (project.root / "alerts" / "notifications.py").unlink()
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    document = alerting(project)
    assert [entry["uid"] for entry in document["deleteRules"]] == [
        "shop-5xx-ratio", "shop-error-lines", "shop-errors-vs-requests", "shop-latency-mean"]
    assert "policies" not in document and "contactPoints" not in document
    assert not (project.root / "deploy/prod/alert-rules-shop.yaml").exists()
    kustomization = yaml.safe_load((project.root / "deploy/prod/kustomization.yaml").read_text())
    assert "alerting.yaml" in kustomization["resources"] and "alert-rules-shop.yaml" not in kustomization["resources"]


def test_tombstones_lists_and_retire_removes_one(project):
    project.write("alerts/shop.py", without_latency_rule(RULES).replace(
        'AlertRule(\n            uid="shop-error-lines"', 'AlertRule(\n            uid="shop-error-lines-v2"'))
    assert project.run("build").exit_code == 0
    listed = project.run("alerts", "tombstones", "--env", "prod")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == ["prod\trule\tshop-error-lines", "prod\trule\tshop-latency-mean"]

    retired = project.run("alerts", "retire", "--env", "prod", "shop-latency-mean")
    assert retired.exit_code == 0, retired.stderr
    assert retired.stdout == "retired prod\trule\tshop-latency-mean\n"
    assert "1 retired, 1 still pending in prod" in retired.stderr
    assert alerting(project)["deleteRules"] == [{"orgId": 1, "uid": "shop-error-lines"}]
    assert alerting(project, "dev")["deleteRules"] == [
        {"orgId": 1, "uid": "shop-error-lines"}, {"orgId": 1, "uid": "shop-latency-mean"}]
    # The retired tombstone stays retired: the next build reads deploy/ and does not bring it back.
    assert project.run("build", "--check").exit_code == 0
    assert project.run("build").exit_code == 0
    assert alerting(project)["deleteRules"] == [{"orgId": 1, "uid": "shop-error-lines"}]


def test_retire_synced_removes_every_tombstone_of_the_environment(project):
    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build").exit_code == 0
    result = project.run("alerts", "retire", "--env", "prod", "--synced")
    assert result.exit_code == 0, result.stderr
    assert "deleteRules" not in alerting(project)
    assert "deleteRules" in alerting(project, "dev")
    assert project.run("build", "--check").exit_code == 0


def test_retire_when_nothing_else_is_left_removes_the_file(project):
    (project.root / "alerts" / "shop.py").unlink()
    (project.root / "alerts" / "notifications.py").unlink()
    assert project.run("build").exit_code == 0
    assert project.run("alerts", "retire", "--env", "prod", "--synced").exit_code == 0
    assert alerting(project) is None
    kustomization = yaml.safe_load((project.root / "deploy/prod/kustomization.yaml").read_text())
    assert "alerting.yaml" not in kustomization["resources"]
    assert project.run("build", "--check", "--env", "prod").exit_code == 0


@pytest.mark.parametrize(
    "args, needle",
    [
        (["alerts", "retire", "--env", "prod", "no-such-rule"], "no tombstone 'no-such-rule'"),
        (["alerts", "retire", "--env", "prod"], "or pass --synced"),
        (["alerts", "retire", "--env", "prod", "--synced", "x"], "or pass --synced"),
        (["alerts", "retire", "--env", "staging", "--synced"], "unknown environment 'staging'"),
    ],
)
def test_retire_usage_errors(project, args, needle):
    before = project.snapshot()
    result = project.run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert needle in result.stderr
    assert project.snapshot() == before


def test_unreadable_previous_state_is_an_error_not_a_silent_reset(project):
    path = project.root / "deploy/prod/alerting.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {grafana_alert: '1'}}\ndata:\n  x: '[oops'\n")
    result = project.run("build")
    assert result.exit_code == 3
    assert "prod/alerting.yaml: cannot read the alerting state of the previous build" in result.stderr


def test_library_functions(project, tmp_path):
    from dashctl.alerts.tombstones import Tombstone, list_tombstones, retire_tombstones

    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build").exit_code == 0
    deploy = project.root / "deploy"
    assert list_tombstones(deploy, "dev").items == (Tombstone(kind="rule", key="shop-latency-mean"),)
    result = retire_tombstones(deploy, "dev", {"shop-latency-mean"})
    assert result.retired == (Tombstone(kind="rule", key="shop-latency-mean"),)
    assert result.changed == ("dev/alerting.yaml",)
    assert list_tombstones(deploy, "dev").items == ()
    assert list_tombstones(tmp_path, "dev").items == ()


def test_a_rules_file_not_in_canonical_form_is_still_read(project):
    """The build reads rule uids from its own canonical YAML quickly, and parses anything else in full."""
    path = project.root / "deploy/prod/alert-rules-shop.yaml"
    manifest = yaml.safe_load(path.read_text())
    key = "alert-rules.prod.shop.yaml"
    manifest["data"][key] = yaml.safe_dump(yaml.safe_load(manifest["data"][key]), default_flow_style=True)
    path.write_text(yaml.safe_dump(manifest))
    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build").exit_code == 0
    assert alerting(project)["deleteRules"] == [{"orgId": 1, "uid": "shop-latency-mean"}]


def test_retire_check_grafana_retires_only_rules_grafana_no_longer_has(project, grafana_emulator, monkeypatch):
    source = without_latency_rule(RULES).replace('uid="shop-error-lines"', 'uid="shop-error-lines-v2"')
    project.write("alerts/shop.py", source)
    project.write("alerts/notifications.py",
                  NOTIFICATIONS.replace('            Email(addresses=["oncall@example.com"]),\n', ""))
    assert project.run("build").exit_code == 0
    from dashctl.alerts.tombstones import list_tombstones

    pending = list_tombstones(project.root / "deploy", "prod").items
    assert [item.key for item in pending] == ["oncall-email", "shop-error-lines", "shop-latency-mean"]
    # Grafana has applied one deletion but not yet the other.
    grafana_emulator.add_folder("shop", "Shop")
    grafana_emulator.add_rule_group("shop", "shop-logs", rules=[{
        "uid": "shop-error-lines", "title": "Shop logs errors", "condition": "A", "noDataState": "NoData",
        "execErrState": "Error", "for": "0s",
        "data": [{"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": "loki-prod",
                  "model": {}}],
    }], provenance="file")
    monkeypatch.setenv("GRAFANA_TOKEN", grafana_emulator.token)
    result = project.run("alerts", "retire", "--env", "prod", "--synced", "--check-grafana",
                         "--grafana-url", grafana_emulator.url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "retired prod\trule\tshop-latency-mean\n"
    assert "kept rule shop-error-lines: Grafana still has this rule" in result.stderr
    assert "kept contact point oncall-email: not checked against Grafana" in result.stderr
    assert alerting(project)["deleteRules"] == [{"orgId": 1, "uid": "shop-error-lines"}]
    assert alerting(project)["deleteContactPoints"] == [{"orgId": 1, "uid": "oncall-email"}]


def test_retire_check_grafana_without_credentials_is_a_usage_error(project, monkeypatch):
    for name in ("GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    project.write("alerts/shop.py", without_latency_rule(RULES))
    assert project.run("build").exit_code == 0
    result = project.run("alerts", "retire", "--env", "dev", "--synced", "--check-grafana")
    assert result.exit_code == 2
    assert "GRAFANA_TOKEN" in result.stderr
    assert alerting(project, "dev")["deleteRules"] == [{"orgId": 1, "uid": "shop-latency-mean"}]


def test_a_removed_mute_timing_with_a_dollar_is_deleted_by_its_own_name(project):
    """Grafana interpolates a delete entry's name (the mute timing itself it reads raw): escaped, `$` survives,
    and the next build reads the pending tombstone back as the name it stands for."""
    source = NOTIFICATIONS.replace('[MuteTiming(name="nights"', '[MuteTiming(name="nights $TZ"').replace(
        'mute_timings=["nights"]', 'mute_timings=["nights $TZ"]')
    project.write("alerts/notifications.py", source)
    assert project.run("build").exit_code == 0
    assert [timing["name"] for timing in alerting(project)["muteTimes"]] == ["nights $TZ"]
    project.write("alerts/notifications.py", NOTIFICATIONS)
    assert project.run("build").exit_code == 0
    assert alerting(project)["deleteMuteTimes"] == [{"orgId": 1, "name": "nights $$TZ"}]
    assert project.run("build").exit_code == 0
    assert alerting(project)["deleteMuteTimes"] == [{"orgId": 1, "name": "nights $$TZ"}]
    listed = project.run("alerts", "tombstones", "--env", "prod")
    assert "prod\tmute timing\tnights $TZ" in listed.stdout.splitlines(), listed.stdout
    retired = project.run("alerts", "retire", "--env", "prod", "nights $TZ")
    assert retired.exit_code == 0, retired.stderr
    assert "deleteMuteTimes" not in alerting(project)
