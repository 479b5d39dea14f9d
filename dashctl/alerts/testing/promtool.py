"""Run an alert test's PromQL expectations through the real `promtool test rules`.

For one AlertTest: the rules it expects (translated by `dashctl.alerts.testing.translate`) go into a rule file,
one Prometheus group per Grafana group interval, and its series and expectations into promtool's test file.
promtool evaluates every group at each `evaluation_interval`, so each interval gets its own run, with the
evaluation interval set to the group's. promtool's failure report (expected and got, per rule and time) is parsed
into mismatches.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dashctl.alerts.compile import CompiledRule
from dashctl.alerts.testing.model import AlertTest, Expect, ExpectedAlert
from dashctl.alerts.testing.results import EngineResult, Mismatch, format_alert
from dashctl.alerts.testing.translate import prometheus_rule
from dashctl.durations import canonical_duration
from dashctl.encoding import dump_yaml

__all__ = ["run_promtool"]

_BLOCK = re.compile(
    r"alertname: (?P<rule>\S+), time: (?P<time>\S+),\s*\n\s*exp:(?P<exp>.*?),\s*\n\s*got:(?P<got>.*?)"
    r"(?=\n\s*alertname: |\Z)",
    re.DOTALL,
)
_ALERT = re.compile(r"Labels:\{(?P<labels>.*?)\}\s*\n\s*Annotations:\{(?P<annotations>.*?)\}\s*\n", re.DOTALL)
_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')
_TIMEOUT_SECONDS = 300


def run_promtool(
    promtool: str,
    test: AlertTest,
    expectations: Sequence[Expect],
    rules: Mapping[str, CompiledRule],
    intervals: Mapping[str, str],
    annotation_keys: Mapping[str, set[str]],
) -> EngineResult:
    """Run the PromQL `expectations` of `test`; `intervals` maps rule uid to its group's interval."""
    by_interval: dict[str, list[Expect]] = {}
    for expectation in expectations:
        by_interval.setdefault(intervals[expectation.rule], []).append(expectation)
    mismatches: list[Mismatch] = []
    for interval, group in sorted(by_interval.items()):
        result = _run_once(promtool, test, group, rules, interval, annotation_keys)
        if result.status in ("error", "untestable"):
            return result
        mismatches.extend(result.mismatches)
    return EngineResult(status="failed" if mismatches else "passed", mismatches=tuple(mismatches))


def _run_once(promtool: str, test: AlertTest, expectations: Sequence[Expect], rules: Mapping[str, CompiledRule],
              interval: str, annotation_keys: Mapping[str, set[str]]) -> EngineResult:
    uids = sorted({expectation.rule for expectation in expectations})
    prometheus_rules = [
        prometheus_rule(rules[uid], sample_interval_seconds=test.interval_seconds,
                        annotation_keys=annotation_keys.get(uid, set()))
        for uid in uids
    ]
    rule_file = {"groups": [{"name": "dashctl-test", "interval": interval, "rules": prometheus_rules}]}
    test_file = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": interval,
        "tests": [{
            "interval": canonical_duration(test.interval),
            "input_series": [{"series": series.series, "values": series.values} for series in test.series],
            "alert_rule_test": [_alert_rule_test(expectation, annotation_keys) for expectation in expectations],
        }],
    }
    with tempfile.TemporaryDirectory(prefix="dashctl-test-") as directory:
        Path(directory, "rules.yaml").write_text(dump_yaml(rule_file), encoding="utf-8")
        Path(directory, "test.yaml").write_text(dump_yaml(test_file), encoding="utf-8")
        try:
            completed = subprocess.run(
                [promtool, "test", "rules", "test.yaml"], cwd=directory, capture_output=True, text=True,
                timeout=_TIMEOUT_SECONDS, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return EngineResult(status="error", message=f"could not run {promtool}: {error}")
    output = (completed.stdout + "\n" + completed.stderr).strip()
    if completed.returncode == 0:
        return EngineResult(status="passed")
    mismatches = _parse_failures(output)
    if completed.returncode == 1 and mismatches:
        return EngineResult(status="failed", mismatches=tuple(mismatches), message=output)
    return EngineResult(status="error", message=f"promtool failed (exit {completed.returncode}):\n{output}")


def _alert_rule_test(expectation: Expect, annotation_keys: Mapping[str, set[str]]) -> dict[str, Any]:
    keys = annotation_keys.get(expectation.rule, set())
    return {
        "eval_time": canonical_duration(expectation.at),
        "alertname": expectation.rule,
        "exp_alerts": [_expected(alert, keys) for alert in expectation.alerts],
    }


def _expected(alert: ExpectedAlert, keys: set[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"exp_labels": dict(alert.labels)}
    if keys:
        entry["exp_annotations"] = dict(alert.annotations or {})
    return entry


def _parse_failures(output: str) -> list[Mismatch]:
    mismatches = []
    for block in _BLOCK.finditer(output):
        mismatches.append(Mismatch(
            rule=block.group("rule"),
            at=block.group("time"),
            expected=tuple(_alerts(block.group("exp"), block.group("rule"))),
            got=tuple(_alerts(block.group("got"), block.group("rule"))),
        ))
    return mismatches


def _alerts(text: str, rule: str) -> list[str]:
    alerts = []
    for match in _ALERT.finditer(text + "\n"):
        labels = [(k, _unescape(v)) for k, v in _PAIR.findall(match.group("labels")) if k != "alertname"]
        annotations = [(k, _unescape(v)) for k, v in _PAIR.findall(match.group("annotations"))]
        alerts.append(format_alert(labels, annotations))
    return sorted(alerts)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), value)
