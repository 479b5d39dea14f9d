"""Golden files of compiled alerting output: the rule and notification ConfigMaps of a fixture project, and the
Prometheus rules its PromQL rules translate to for promtool. Regenerate with `pytest --update-golden` and review
the diff: it is exactly what changes in every user's deploy/ (or in what `dashctl test` evaluates)."""

from __future__ import annotations

from functools import partial

import pytest

from dashctl.encoding import dump_yaml
from tests.alerts.sources import NOTIFICATIONS, RULES
from tests.golden_files import compare_golden

compare = partial(compare_golden, "alerts")


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
