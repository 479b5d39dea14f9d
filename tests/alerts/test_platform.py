"""The platform's own alerts (alerts/ of this repository): every rule is unit-tested and every test passes, in
dev and prod, with promtool for PromQL rules and the LogQL evaluator for LogQL rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashctl.project.config import load_project

REPO = Path(__file__).resolve().parents[2]
EXPECTED_RULES = {
    "backend-5xx-ratio", "backend-p99-latency", "backend-down", "frontend-5xx-ratio", "backend-error-log-spike",
    "mongodb-down", "mongodb-connections-saturated", "pod-crash-looping", "deployment-replicas-unavailable",
    "promtail-dropping-entries", "promtail-push-failures", "loki-discarding-samples", "prometheus-rule-failures",
    "backend-availability-page", "backend-availability-ticket",
}


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_platform_rules_compile(project, env):
    from dashctl.alerts.compile import compile_alerting
    from dashctl.project.discovery import discover_definitions

    compiled, problems = compile_alerting(project, discover_definitions(project), project.environments[env])
    assert problems == []
    assert {rule.uid for rule in compiled.rules} == EXPECTED_RULES
    languages = {rule.uid: rule.rule.language for rule in compiled.rules}
    assert languages["frontend-5xx-ratio"] == languages["backend-error-log-spike"] == "LogQL"
    assert all(rule.rule.runbook_url for rule in compiled.rules if rule.rule.severity == "critical")


def test_thresholds_come_from_the_environment(project):
    from dashctl.alerts.compile import compile_alerting
    from dashctl.project.discovery import discover_definitions

    discovery = discover_definitions(project)
    ratio = {}
    for env in ("dev", "prod"):
        compiled, _ = compile_alerting(project, discovery, project.environments[env])
        rule = next(r for r in compiled.rules if r.uid == "backend-5xx-ratio")
        ratio[env] = (rule.provisioning["data"][2]["model"]["conditions"][0]["evaluator"]["params"][0],
                      rule.provisioning["for"])
    assert ratio == {"dev": (0.10, "10m"), "prod": (0.05, "5m")}


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_every_platform_rule_has_a_passing_unit_test(project):
    from dashctl.alerts.testing.runner import run_alert_tests

    report = run_alert_tests(project)
    assert report.untested == ()
    assert report.passed, [(r.environment, r.name, r.mismatches, r.message) for r in report.failures]
    engines = {engine for result in report.results for engine in result.engines}
    assert engines == {"promtool", "logql"}
    assert len(report.results) >= 2 * 25
