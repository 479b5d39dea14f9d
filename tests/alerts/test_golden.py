"""Golden files of compiled alerting output: the rule and notification ConfigMaps of a fixture project, and the
Prometheus rules its PromQL rules translate to for promtool. Regenerate with `pytest --update-golden` and review
the diff: it is exactly what changes in every user's deploy/ (or in what `dashctl test` evaluates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashctl.encoding import dump_yaml
from tests.alerts.sources import NOTIFICATIONS, RULES

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "alerts"


def compare(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture
def built(make_project):
    project = make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return project


@pytest.mark.parametrize("name", ["alert-rules-shop.yaml", "alerting.yaml"])
def test_alerting_config_maps_match_golden(built, name, update_golden):
    compare(f"dev.{name}", (built.root / "deploy" / "dev" / name).read_text(), update_golden)


def test_prometheus_translation_matches_golden(built, update_golden):
    from dashctl.alerts.compile import compile_alerting
    from dashctl.alerts.testing.translate import prometheus_rule
    from dashctl.project.config import load_project
    from dashctl.project.discovery import discover_definitions

    project = load_project(built.root)
    compiled, problems = compile_alerting(project, discover_definitions(project), project.environments["dev"])
    assert problems == []
    rules = [prometheus_rule(rule, sample_interval_seconds=60, annotation_keys={"summary"})
             for rule in compiled.rules if rule.rule.language == "PromQL"]
    compare("dev.prometheus-rules.yaml", dump_yaml({"rules": rules}), update_golden)
