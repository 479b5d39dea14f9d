"""Performance targets of DESIGN.md §8, measured as ratios in one run (never as timed tests).

    python benchmarks/run.py [--scale 0.1] [--repeat 5]

- startup: `dashctl --help` and `--version` against a bare `python -c pass` (target ≤ 5×).
- build: `dashctl build` of a synthetic repository (1,000 dashboards × 20 panels, 5,000 alert rules and 2
  environments at scale 1) against the floor of building the same grafanalib objects and dumping them as compact
  JSON (target ≤ 1.3×); the floor has no counterpart for the alert rules, which the ratio therefore includes.
- memory: peak RSS growth of the build against the size of what it writes (target ≤ about 2×).

Prints one line per measure with the ratio and whether it meets its target; exits 1 when one does not.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

TARGETS = {"startup": 5.0, "build": 1.3, "memory": 2.0}

CONFIG = """
roots = ["dashboards", "alerts"]
output = "deploy"
[environments.dev]
namespace = "dev"
[environments.dev.datasources]
metrics = { uid = "prom", type = "prometheus" }
logs = { uid = "loki", type = "loki" }
[environments.prod]
namespace = "prod"
[environments.prod.datasources]
metrics = { uid = "prom", type = "prometheus" }
logs = { uid = "loki", type = "loki" }
"""

DASHBOARDS = '''
from grafanalib.core import Dashboard, Target, TimeSeries
from dashctl.definitions import dashboard


def make(index, env_name):
    panels = [
        TimeSeries(
            title=f"Panel {p}",
            description="synthetic",
            dataSource="metrics",
            unit="reqps",
            targets=[Target(expr=f'sum by (route) (rate(http_requests_total{{svc="s{index}",p="{p}"}}[$__rate_interval]))', refId="A")],
        )
        for p in range({panels})
    ]
    return Dashboard(title=f"Service {index} {env_name}", panels=panels)


for _index in range({start}, {stop}):
    dashboard(uid=f"svc-{_index}", folder="Synthetic")(lambda env, _i=_index: make(_i, env.name))
'''


ALERTS = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


def make_rules(group, count):
    return [
        AlertRule(
            uid=f"g{group}-r{index}",
            title=f"Service {group}-{index} errors",
            severity="warning",
            query=PromQL(expr=f'sum(rate(http_requests_total{{svc="s{group}",code=~"5..",r="{index}"}}[5m]))'),
            condition=Threshold(above=0.05),
            for_="5m",
            summary="Errors are high",
            description="synthetic",
        )
        for index in range(count)
    ]


for _group in range({start}, {stop}):
    rule_group(name=f"group-{_group}", folder="Synthetic", interval="1m")(
        lambda env, _g=_group: make_rules(_g, {per_group}))
'''


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def startup(repeat: int) -> float:
    bare = median_seconds([sys.executable, "-c", "pass"], repeat)
    dashctl = [sys.executable, "-c", "from dashctl.cli.main import main; main()"]
    help_time = median_seconds([*dashctl, "--help"], repeat)
    version_time = median_seconds([*dashctl, "--version"], repeat)
    return max(help_time, version_time) / bare


def synthetic_project(root: Path, dashboards: int, panels: int, rules: int = 0) -> None:
    (root / "dashboards").mkdir(parents=True)
    (root / "alerts").mkdir(parents=True)
    per_group = 100
    groups = max(rules // per_group, 0)
    for start in range(0, groups, 10):
        stop = min(start + 10, groups)
        source = ALERTS.replace("{start}", str(start)).replace("{stop}", str(stop)).replace("{per_group}", str(per_group))
        (root / "alerts" / f"rules_{start:05d}.py").write_text(source)
    (root / "dashctl.toml").write_text(textwrap.dedent(CONFIG))
    per_file = 100
    for start in range(0, dashboards, per_file):
        stop = min(start + per_file, dashboards)
        source = DASHBOARDS.replace("{panels}", str(panels)).replace("{start}", str(start)).replace("{stop}", str(stop))
        (root / "dashboards" / f"svc_{start:05d}.py").write_text(source)


FLOOR = """
import json, sys, time
sys.path.insert(0, {root!r})
from grafanalib._gen import DashboardEncoder
started = time.perf_counter()
import importlib.util, pathlib
made = []
import dashctl.definitions as d
with d.collecting() as found:
    for path in sorted(pathlib.Path({root!r}, "dashboards").glob("*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
class Env: pass
for name in ("dev", "prod"):
    env = Env(); env.name = name
    for definition in found:
        json.dumps(definition.build(env).to_json_data(), cls=DashboardEncoder, separators=(",", ":"))
print(time.perf_counter() - started)
"""

BUILD = """
import resource, sys, time
from pathlib import Path
started = time.perf_counter()
from dashctl.compiler.output import write_output
from dashctl.compiler.pipeline import build_project
from dashctl.project.config import load_project
project = load_project(Path({root!r}))
write_output(build_project(project), project.output_dir)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def build(scale: float, repeat: int) -> tuple[float, float]:
    dashboards = max(10, int(1000 * scale))
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        synthetic_project(root, dashboards, 20, rules=int(5000 * scale))
        floor = min(
            float(subprocess.run([sys.executable, "-c", FLOOR.format(root=str(root))], check=True,
                                 capture_output=True, text=True).stdout)
            for _ in range(repeat)
        )
        runs = []
        for _ in range(repeat):
            out = subprocess.run([sys.executable, "-c", BUILD.format(root=str(root))], check=True,
                                 capture_output=True, text=True).stdout.split()
            runs.append((float(out[0]), int(out[1]) * 1024))
        seconds = min(run[0] for run in runs)
        peak = min(run[1] for run in runs)
        baseline = int(subprocess.run(
            [sys.executable, "-c", "import resource; import dashctl.compiler.pipeline, grafanalib.core, yaml; "
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
            check=True, capture_output=True, text=True).stdout) * 1024
        written = sum(path.stat().st_size for path in (root / "deploy").rglob("*") if path.is_file())
        return seconds / floor, max(peak - baseline, 0) / written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the synthetic repository (default 1)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {"startup": startup(max(args.repeat, 5))}
    results["build"], results["memory"] = build(args.scale, args.repeat)
    failed = False
    for name, ratio in results.items():
        ok = ratio <= TARGETS[name]
        failed |= not ok
        print(f"{name:8} {ratio:6.2f}x  target <= {TARGETS[name]}x  {'ok' if ok else 'MISSED'}")
    print(json.dumps({name: round(value, 3) for name, value in results.items()}), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
