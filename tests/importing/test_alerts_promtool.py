"""Every imported Prometheus rule, once built, fires on the same series as the original, per the real promtool.

For each rule file: import it, write the generated module into a project, build it with dashctl, translate each
compiled Grafana rule back to PromQL the way `dashctl test` does (`dashctl.alerts.testing.translate`), and put the
original rule (`orig_N`) and the built one (`new_N`) in one promtool rule file. Input series come from the
selectors of the original `expr`: three instances per selector, piecewise constant over seeded random stretches
long enough for the rules' `for` and range windows, at levels (gauges), rates (counters) and latencies (histogram
buckets) around the numbers the expressions compare with, and with stretches where a selector has no series at
all (for `absent`). promtool is asked, at every evaluation time, for no alert of each rule; its failure report then
lists every firing alert, which is parsed and compared, original against built, time by time. A seed is printed
with any difference.

A comparison where a rule never fires, or never stops firing, proves nothing: seeds are drawn until every original
rule has fired at some time and been silent at another past its warm-up, and the test fails naming any rule that
never did.
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
from dashctl.durations import parse_duration
from dashctl.importing.alerts import import_alert_document
from dashctl.project.config import load_project
from dashctl.queries.promql.analysis import walk_promql
from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS_RULES = SHARED / "corpus" / "rules"
MAX_SEEDS = 12
MAX_STEPS = 420
INSTANCES = ("i0", "i1", "i2")
BUCKETS = ("0.1", "1", "5", "+Inf")
# Public rules whose `expr` matches nothing on any data: compared all the same, but they cannot fire.
NEVER_FIRES = {
    # `current / (current + available)` adds series of conn_type "current" and "available": no label set matches.
    "MongodbTooManyConnections(percona)",
}
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


def _numbers(expr: str) -> set[float]:
    """The numbers `expr` compares with, constant sub-expressions (`60 * 60 * 3`) folded."""
    found: set[float] = set()

    def fold(node: Any) -> float | None:
        if isinstance(node, promql_parser.NumberLiteral):
            return float(node.val)
        if isinstance(node, promql_parser.BinaryExpr):
            left, right = fold(node.lhs), fold(node.rhs)
            if left is not None and right is not None:
                operations = {"+": left + right, "-": left - right, "*": left * right,
                              "/": left / right if right else None}
                return operations.get(str(node.op))
        if isinstance(node, promql_parser.ParenExpr):
            return fold(node.expr)
        return None

    for node in walk_promql(promql_parser.parse(expr)):
        value = fold(node)
        if value is not None and value == value and abs(value) < 1e12:
            found.add(abs(value))
    return found


def _horizon(pairs: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> int:
    """Minutes a rule needs to show its behaviour: its `for`, `keep_firing_for` and widest range window."""
    longest = 0
    for _, original, _ in pairs:
        windows = [node.range.total_seconds() for node in walk_promql(promql_parser.parse(str(original["expr"])))
                   if isinstance(node, promql_parser.MatrixSelector | promql_parser.SubqueryExpr) and node.range]
        seconds = sum(parse_duration(str(original.get(key) or "0s")) // 1000 for key in ("for", "keep_firing_for"))
        longest = max(longest, int(seconds + max(windows, default=0)) // 60)
    return longest


def _stretches(rng: random.Random, steps: int, longest: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) stretches covering `steps` minutes, some longer than `longest`."""
    stretches, start = [], 0
    while start < steps:
        end = min(steps, start + rng.randint(5, max(15, longest + 10)))
        stretches.append((start, end))
        start = end
    return stretches


def _series(expr: str, rng: random.Random, steps: int, longest: int) -> list[dict[str, str]]:
    """Input series for every selector of `expr`, drawn from `rng` (see the module docstring)."""
    found: dict[str, dict[str, str]] = {}
    tree = promql_parser.parse(expr)
    # Labels that joins name get the instance's name, so `on (set)` pairs one series per instance; labels that
    # only aggregations name put two instances in one group, so `stdvar by (cluster)` has something to compare.
    joined, aggregated = {"instance"}, set()
    for node in walk_promql(tree):
        modifier = getattr(node, "modifier", None)
        joined.update(getattr(getattr(modifier, "matching", None), "labels", None) or ())
        if isinstance(node, promql_parser.AggregateExpr):
            aggregated.update(getattr(modifier, "labels", None) or ())
    joined.discard("le")
    aggregated -= joined | {"le"}
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
    # Counters by name, and whatever rate() and friends read as one.
    counters = {name for name in (selector["__name__"] for selector in found.values())
                if name.endswith(("_total", "_count", "_sum"))}
    for node in walk_promql(tree):
        if isinstance(node, promql_parser.Call) and node.func.name in ("rate", "irate", "increase", "resets"):
            counters.update(argument.vector_selector.name for argument in node.args
                            if isinstance(argument, promql_parser.MatrixSelector))
    numbers = _numbers(expr) | {1.0}
    numbers |= {a * b for a in numbers for b in numbers if a * b < 1e12}  # `x / 1000 > 10` needs 10000
    levels = sorted({0.0, 0.01, 1.0, 150.0} | {round(n * f, 6) for n in numbers for f in (0.5, 1.1, 3)})
    rates = sorted({0.0, 0.05, 1.0} | {round(n * f / d, 6) for n in numbers for f in (0.5, 1.5, 3) for d in (1, 60)})
    series = []
    for selector in found.values():
        name = selector["__name__"]
        # Stretches where the selector matches nothing at all, on every instance (what `absent` looks for).
        missing = [False] * steps
        for start, end in _stretches(rng, steps, longest):
            if rng.random() < 0.2:
                missing[start:end] = [True] * (end - start)
        for position, instance in enumerate(INSTANCES):
            labels = {label: instance for label in joined} | {label: f"g{position // 2}" for label in aggregated}
            labels |= {k: v for k, v in selector.items() if k != "__name__"}
            stretches = _stretches(rng, steps, longest)
            if name.endswith("_bucket"):
                # Each stretch, every observation takes one latency: the buckets from it upwards count them.
                counts = dict.fromkeys(BUCKETS, 0.0)
                values: dict[str, list[str]] = {le: [] for le in BUCKETS}
                for start, end in stretches:
                    latency, per_minute = rng.choice((0.05, 0.5, 3, 10)), max(1.0, rng.choice(rates) * 60)
                    for _ in range(start, end):
                        for le in BUCKETS:
                            counts[le] += per_minute if float(le) >= latency else 0
                            values[le].append(repr(counts[le]))
                for le in BUCKETS:
                    series.append(_input(name, {**labels, "le": le}, values[le], missing))
                continue
            counter = name in counters
            total, points = 0.0, []
            for start, end in stretches:
                level, rate = rng.choice(levels), rng.choice(rates)
                for _ in range(start, end):
                    total += rate * 60
                    points.append(repr(round(total if counter else level, 6)))
            series.append(_input(name, labels, points, missing))
    return series


def _input(name: str, labels: dict[str, str], values: list[str], missing: list[bool]) -> dict[str, str]:
    text = name + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    return {"series": text, "values": " ".join("_" if gap else value for value, gap in zip(values, missing))}


def _firing(output: str) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for block in _BLOCK.finditer(output):
        labels = {re.sub(r'alertname="[^"]*",? ?', "", m.group("labels")) for m in _LABELS.finditer(block["got"])}
        found[(block["rule"], block["time"])] = labels
    return found


def _compare(
    tmp_path: Path, pairs: list[tuple[str, dict[str, Any], dict[str, Any]]], seed: int, steps: int, longest: int
) -> tuple[dict[int, set[int]], list[str]]:
    """Run originals and built rules on seeded series; return the minutes each original fired, and the
    differences."""
    rng = random.Random(seed)
    test_files = []
    for index, (_, original, built) in enumerate(pairs):
        rules = []
        for prefix, rule in (("orig", original), ("new", built)):
            entry = {"alert": f"{prefix}_{index}", "expr": str(rule["expr"])}
            entry.update({k: rule[k] for k in ("for", "keep_firing_for") if k in rule})
            rules.append(entry)
        # A rule file and a test file per pair, with that rule's series only: rules reading one metric differently
        # (one joins `on (set)`, another does not) would otherwise each get the other's series.
        unique = {s["series"]: s for s in _series(str(original["expr"]), rng, steps, longest)}
        checks = [{"eval_time": f"{minute}m", "alertname": f"{prefix}_{index}", "exp_alerts": []}
                  for minute in range(1, steps) for prefix in ("orig", "new")]
        (tmp_path / f"rules_{index}.yaml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
        (tmp_path / f"test_{index}.yaml").write_text(yaml.safe_dump({
            "rule_files": [f"rules_{index}.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": list(unique.values()), "alert_rule_test": checks}]}))
        test_files.append(f"test_{index}.yaml")
    result = subprocess.run(["promtool", "test", "rules", *test_files], cwd=tmp_path, capture_output=True,
                            text=True, check=False, timeout=300)
    assert "err:" not in result.stdout and "could not" not in result.stdout, result.stdout[:3000]
    firing = _firing(result.stdout + result.stderr)
    differences = []
    fired: dict[int, set[int]] = {index: set() for index in range(len(pairs))}
    for index, (name, _, _) in enumerate(pairs):
        times = {time for (rule, time) in firing if rule in (f"orig_{index}", f"new_{index}")}
        fired[index] = {_minutes(time) for (rule, time) in firing if rule == f"orig_{index}"}
        for time in sorted(times):
            original = firing.get((f"orig_{index}", time), set())
            built = firing.get((f"new_{index}", time), set())
            if original != built:
                differences.append(f"seed {seed}: {name} at {time}: original {sorted(original)}, built {sorted(built)}")
    return fired, differences


def _minutes(time: str) -> int:
    """promtool's eval time (`5m`, `1h5m`) in minutes."""
    return parse_duration(time) // 60_000


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
    steps = min(MAX_STEPS, max(60, 2 * _horizon(pairs) + 30))
    longest = _horizon(pairs)
    shown: dict[int, int] = {}  # rule index -> the seed that showed it both firing and silent
    differences: list[str] = []
    for seed in range(1, MAX_SEEDS + 1):
        run = tmp_path / f"seed-{seed}"
        run.mkdir()
        fired, found = _compare(run, pairs, seed, steps, longest)
        differences.extend(found)
        for index, (_, original, _) in enumerate(pairs):
            warm = parse_duration(str(original.get("for") or "0s")) // 60_000 + 10
            if fired[index] and any(minute not in fired[index] for minute in range(warm, steps)):
                shown.setdefault(index, seed)
        if len(shown) == len(pairs):
            break
    assert differences == []
    # The series must make each rule fire and fall silent, or its comparison proves nothing.
    unshown = [name for index, (name, _, _) in enumerate(pairs) if index not in shown]
    assert unshown == sorted(name for name in unshown if name.split("/")[-1] in NEVER_FIRES), (
        f"never both fired and fell silent in {MAX_SEEDS} seeds of {steps} minutes: {unshown}")
    for name in unshown:  # a rule said never to fire must not have fired either: the list cannot go stale
        index = next(i for i, pair in enumerate(pairs) if pair[0] == name)
        assert index not in shown and not any(f"{name} at" in d for d in differences), name
