"""Every imported Prometheus rule, once built, fires on the same series as the original, per the real promtool.

For each rule file: import it, write the generated module into a project, build it with dashctl, translate each
compiled Grafana rule back to PromQL the way `dashctl test` does (`dashctl.alerts.testing.translate`), and put the
original rule (`orig_N`) and the built one (`new_N`) in one promtool rule file. Input series come from the
selectors of the original `expr`: three instances per selector, with seeded random values (counters rising by
random steps, gauges jumping between 0, small and large values, histogram buckets per `le`). promtool is asked,
at every evaluation time, for no alert of each rule; its failure report then lists every firing alert, which is
parsed and compared, original against built, time by time. A seed is printed with any difference.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from dashctl.alerts.testing.translate import prometheus_rule
from dashctl.compiler.pipeline import build_project
from dashctl.importing.alerts import import_alert_document
from dashctl.project.config import load_project
from dashctl.queries.promql.analysis import walk_promql
from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS_RULES = SHARED / "corpus" / "rules"
SEEDS = (1, 2)
STEPS = 45
INSTANCES = ("i0", "i1", "i2")
_BLOCK = re.compile(
    r"alertname: (?P<rule>\S+), time: (?P<time>\S+),\s*\n\s*exp:.*?got:(?P<got>.*?)(?=\n\s*alertname: |\Z)", re.DOTALL
)
_LABELS = re.compile(r"Labels:\{(?P<labels>.*?)\}")

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")


def _rule_files() -> list[Any]:
    files: list[Any] = [FIXTURES / "prometheus-rules.yaml"]
    if CORPUS_RULES.is_dir():
        files += [p for p in sorted(CORPUS_RULES.glob("*.yaml")) if not p.name.endswith(".loki.yaml")]
    else:
        files.append(pytest.param(CORPUS_RULES, marks=pytest.mark.skip(
            reason=f"{CORPUS_RULES} is absent (public rule files, not in the repo)"), id="corpus"))
    return files


def _alerting_rules(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    groups = document.get("groups") or document["spec"]["groups"]
    return [(group["name"], rule) for group in groups for rule in group["rules"] if "alert" in rule]


def _built_rules(tmp_path: Path, make_project, source_code: str) -> dict[str, Any]:
    project = make_project({"alerts/imported.py": source_code})
    output = build_project(load_project(project.root), ["dev"])
    compiled = output.environments[0].extras["alerts"]
    return {rule.rule.uid: rule for group in compiled.groups for rule in group.rules}


def _value_for(pattern: str) -> str:
    for candidate in [*pattern.split("|"), "x", "500", "5xx", "error", "true", "1", "api", "kube-state-metrics"]:
        try:
            if re.fullmatch(pattern, candidate):
                return candidate
        except re.error:
            break
    return "x"


def _series(expr: str, rng: random.Random) -> list[dict[str, str]]:
    """Input series for every selector of `expr`, with values drawn from `rng`."""
    found: dict[str, dict[str, str]] = {}
    tree = promql_parser.parse(expr)
    # Labels that joins and aggregations name get the instance's name, so `on (set)` pairs one series per instance.
    grouping = {"instance"}
    for node in walk_promql(tree):
        modifier = getattr(node, "modifier", None)
        labels = getattr(getattr(modifier, "matching", None), "labels", None) or getattr(modifier, "labels", None)
        grouping.update(labels or ())
    grouping.discard("le")
    for node in walk_promql(tree):
        if not isinstance(node, promql_parser.VectorSelector) or not node.name:
            continue
        labels: dict[str, str] = {}
        for matcher in node.matchers.matchers:
            op, name = str(matcher.op), matcher.name
            if op == "MatchOp.Equal":
                labels[name] = matcher.value
            elif op == "MatchOp.Re":
                labels[name] = _value_for(matcher.value)
            elif op == "MatchOp.NotEqual":
                labels[name] = matcher.value + "-other"
        found[node.name + repr(sorted(labels.items()))] = {"__name__": node.name, **labels}
    series = []
    for selector in found.values():
        name = selector["__name__"]
        counter = name.endswith(("_total", "_count", "_sum", "_bucket"))
        for instance in INSTANCES:
            buckets = ("0.1", "1", "+Inf") if name.endswith("_bucket") else (None,)
            base = [rng.choice((0, 0, 1, 5, 20)) for _ in range(STEPS)]
            for index, le in enumerate(buckets):
                labels = {label: instance for label in grouping}
                labels |= {k: v for k, v in selector.items() if k != "__name__"}
                if le is not None:
                    labels["le"] = le
                if counter:
                    total, values = 0, []
                    for step in base:
                        total += step * (index + 1)
                        values.append(str(total))
                else:
                    values = [str(rng.choice((0, 0.01, 0.5, 1, 3, 99, 150))) for _ in range(STEPS)]
                text = name + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
                series.append({"series": text, "values": " ".join(values)})
    return series


def _firing(output: str) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for block in _BLOCK.finditer(output):
        labels = {re.sub(r'alertname="[^"]*",? ?', "", m.group("labels")) for m in _LABELS.finditer(block["got"])}
        found[(block["rule"], block["time"])] = labels
    return found


def _compare(
    tmp_path: Path, pairs: list[tuple[str, dict[str, Any], dict[str, Any]]], seed: int
) -> tuple[int, list[str]]:
    """Run originals and built rules on seeded series; return how many originals fired and the differences."""
    rng = random.Random(seed)
    rules, series, tests = [], [], []
    for index, (name, original, built) in enumerate(pairs):
        for prefix, rule in (("orig", original), ("new", built)):
            entry = {"alert": f"{prefix}_{index}", "expr": str(rule["expr"])}
            entry.update({k: rule[k] for k in ("for", "keep_firing_for") if k in rule})
            rules.append(entry)
        series.extend(_series(str(original["expr"]), rng))
    for minute in range(1, STEPS):
        for index in range(len(pairs)):
            for prefix in ("orig", "new"):
                tests.append({"eval_time": f"{minute}m", "alertname": f"{prefix}_{index}", "exp_alerts": []})
    unique = {s["series"]: s for s in series}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
    (tmp_path / "test.yaml").write_text(yaml.safe_dump({
        "rule_files": ["rules.yaml"], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": list(unique.values()), "alert_rule_test": tests}]}))
    result = subprocess.run(["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True,
                            text=True, check=False, timeout=300)
    assert "err:" not in result.stdout and "could not" not in result.stdout, result.stdout[:3000]
    firing = _firing(result.stdout + result.stderr)
    differences, fired = [], 0
    for index, (name, _, _) in enumerate(pairs):
        times = {time for (rule, time) in firing if rule in (f"orig_{index}", f"new_{index}")}
        fired += any(rule == f"orig_{index}" for rule, _ in firing)
        for time in sorted(times):
            original = firing.get((f"orig_{index}", time), set())
            built = firing.get((f"new_{index}", time), set())
            if original != built:
                differences.append(f"seed {seed}: {name} at {time}: original {sorted(original)}, built {sorted(built)}")
    return fired, differences


@pytest.mark.parametrize("path", _rule_files(), ids=lambda p: getattr(p, "name", str(p)))
def test_built_rules_fire_on_the_same_series_as_the_originals(path: Path, tmp_path: Path, make_project) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    imported = import_alert_document(document, source=path.name, query_language="PromQL")
    built = _built_rules(tmp_path, make_project, imported.source_code)
    originals = _alerting_rules(document)
    assert len(imported.rules) == len(originals), [n.message for n in imported.notes if n.kind == "not-imported"]
    pairs = []
    for (group, original), item in zip(originals, imported.rules):
        translated = prometheus_rule(built[item.rule.uid], sample_interval_seconds=60, annotation_keys=set())
        pairs.append((f"{group}/{original['alert']}", original, translated))
    fired, differences = 0, []
    for seed in SEEDS:
        run = tmp_path / f"seed-{seed}"
        run.mkdir()
        count, found = _compare(run, pairs, seed)
        fired += count
        differences.extend(found)
    assert differences == []
    # The series must make rules fire, or the comparison proves nothing.
    assert fired >= len(pairs) // 2, f"only {fired} of {len(pairs) * len(SEEDS)} original rules fired"
