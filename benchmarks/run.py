"""Performance targets of issue 13 (DESIGN.md §8), measured as ratios in one run (never as timed tests).

    python benchmarks/run.py [--scale 0.1] [--repeat 3]

Every measure runs whole processes side by side, so each ratio compares like with like on a machine that may be
busy: each time is the best of `--repeat` runs.

- startup: `dashctl --help` and `--version` against a bare `python -c pass` (target ≤ 3×).
- build: `dashctl build --no-cache` of a synthetic repository (1,000 dashboards × 20 panels of PromQL and LogQL,
  5,000 alert rules and 2 environments at scale 1) against the floor: the same definitions imported, the same
  grafanalib objects built and dumped as compact sorted JSON, one file each, and the same alert rules built and
  dumped as JSON, one file per group (target ≤ 1.0×).
- grafanalib: the same build against grafanalib's own generator (`write_dashboard`, indented JSON, one file each)
  over the same dashboards (no alert rules: grafanalib has none; informative, no target).
- memory: peak growth of that build's anonymous memory, the proportional set size of the whole process tree (the
  build and its workers, sampled from /proc/<pid>/smaps_rollup every few milliseconds: a page a forked worker
  shares with its parent counts once, split between them) against the bytes it writes (target ≤ 2×).
- no-op: a rebuild with the build cache and nothing changed, against the floor (target ≤ 0.2×).
- one change: a rebuild after one definition file changed (10 of the dashboards), against the floor, less that
  file's share of the floor (target ≤ 0.2×).

Prints one line per measure with the ratio and whether it meets its target; exits 1 when one does not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

TARGETS = {"startup": 3.0, "build": 1.0, "grafanalib": None, "memory": 2.0, "no-op": 0.2, "one change": 0.2}

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
from grafanalib.core import Dashboard, Logs, Target, TimeSeries
from dashctl.definitions import dashboard

DESCRIPTION = "synthetic"


def make(index, env_name):
    panels = [
        TimeSeries(
            title=f"Panel {p}",
            description=DESCRIPTION,
            dataSource="metrics",
            unit="reqps",
            targets=[Target(expr=f'sum by (route) (rate(http_requests_total{{svc="s{index}",p="{p}"}}[$__rate_interval]))', refId="A")],
        )
        for p in range({panels} - 2)
    ] + [
        Logs(
            title=f"Logs {p}",
            description=DESCRIPTION,
            dataSource="logs",
            targets=[Target(expr=f'{{app="s{index}"}} |= "error" | logfmt | level="{p}"', refId="A")],
        )
        for p in range(2)
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

# The floor: what any generator must do at least (import the definitions, build the objects, dump each once).
FLOOR = """
import dataclasses, json, importlib.util, pathlib, sys
from grafanalib._gen import DashboardEncoder
import dashctl.definitions as d
root = pathlib.Path({root!r})
out = pathlib.Path({out!r})
sys.path.insert(0, str(root))
with d.collecting() as found:
    for path in sorted([*root.glob("dashboards/*.py"), *root.glob("alerts/*.py")]):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
def plain(value):
    if dataclasses.is_dataclass(value):
        return {{field.name: getattr(value, field.name) for field in dataclasses.fields(value)}}
    return str(value)
class Env: pass
for name in ("dev", "prod"):
    env = Env(); env.name = name
    (out / name).mkdir(parents=True)
    for definition in found:
        built = definition.build(env)
        if definition.kind == "dashboard":
            text = json.dumps(built.to_json_data(), cls=DashboardEncoder, sort_keys=True, separators=(",", ":"))
        else:
            text = json.dumps(built, default=plain, sort_keys=True, separators=(",", ":"))
        (out / name / (definition.options.get("uid") or definition.options["name"])).write_text(text)
"""

GRAFANALIB = """
import importlib.util, pathlib, sys
from grafanalib._gen import write_dashboard
import dashctl.definitions as d
root = pathlib.Path({root!r})
out = pathlib.Path({out!r})
with d.collecting() as found:
    for path in sorted(root.glob("dashboards/*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
class Env: pass
for name in ("dev", "prod"):
    env = Env(); env.name = name
    (out / name).mkdir(parents=True)
    for definition in found:
        with open(out / name / (definition.options["uid"] + ".json"), "w") as stream:
            write_dashboard(definition.build(env), stream)
"""

# The build, in-process so that the memory sampled is the build's own: `dashctl build` as the CLI runs it.
BUILD = """
import os, resource, sys
os.chdir({root!r})
sys.argv = ["dashctl", "build", *{args!r}]
from dashctl.cli.main import run
code = run()
if code:
    raise SystemExit(code)
# The former measure, for comparison: the parent's peak RSS and the largest worker's (a forked worker's RSS counts
# the pages it shares with the parent too, so their sum over-counts).
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
      file=sys.stderr, flush=True)
os._exit(0)  # as the console script leaves (dashctl.cli.main.main)
"""

# What the build starts from: a process that imported what a build imports. Its anonymous PSS is read once settled.
BASELINE = """
import sys, time
import dashctl.cli.main, dashctl.cli.build, dashctl.compiler.pipeline, dashctl.compiler.output
import dashctl.compiler.cache, dashctl.alerts.section, dashctl.dashboards.compile, grafanalib.core, yaml, orjson
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.read()
"""


# CPU seconds (user and system) of every command `run_seconds` ran, its process tree included, by command.
CPU: dict[tuple[str, ...], list[float]] = {}


def run_seconds(command: list[str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # a waited-for child's own waited-for workers included
    CPU.setdefault(tuple(command), []).append(
        after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds, result.stderr


def anonymous_pss(pid: int) -> int:
    """Bytes of anonymous memory the process holds, shared pages divided among their sharers (Pss_Anon; Pss on
    kernels before 5.x); 0 once it is gone. File-backed pages (the interpreter, shared libraries) are left out:
    they do not grow with the output, and their PSS moves with whatever other processes map the same files."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as stream:
            text = stream.read()
    except OSError:
        return 0
    fields = dict(line.split(":", 1) for line in text.splitlines()[1:] if ":" in line)
    value = fields.get("Pss_Anon", fields.get("Pss", "0 kB")).split()[0]
    return int(value) * 1024


def process_tree(root: int) -> list[int]:
    """`root` and every process descending from it (from each process's parent pid in /proc/<pid>/stat)."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stream:
                stat = stream.read()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        parents.setdefault(parent, []).append(int(name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(parents.get(pid, ()))
    return tree


def run_sampled(command: list[str], interval: float = 0.01) -> tuple[float, str, int]:
    """Run `command`; return its seconds, its stderr and the peak of its process tree's summed anonymous PSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        tree, samples = [process.pid], 0
        while not done.is_set():
            if samples % 10 == 0:  # walking /proc costs more than sampling: workers come and go seldom
                tree = process_tree(process.pid)
            samples += 1
            peak = max(peak, sum(anonymous_pss(pid) for pid in tree))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.communicate()[1]
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=stderr)
    return seconds, stderr, peak


def baseline_rss() -> int:
    """The peak RSS of the same process (the former measure's baseline)."""
    code = BASELINE.split("sys.stdout")[0] + "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    return int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout) * 1024


def baseline_pss() -> int:
    """The anonymous PSS of a process that imported what a build imports, read while it waits."""
    process = subprocess.Popen([sys.executable, "-c", BASELINE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None and process.stdin is not None
    process.stdout.readline()
    pss = anonymous_pss(process.pid)
    process.communicate("")
    return pss


def best_seconds(command: list[str], repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        times.append(run_seconds(command)[0])
    return min(times)


def startup(repeat: int) -> float:
    bare = best_seconds([sys.executable, "-c", "pass"], repeat)
    dashctl = [sys.executable, "-c", "from dashctl.cli.main import main; main()"]
    help_time = best_seconds([*dashctl, "--help"], repeat)
    version_time = best_seconds([*dashctl, "--version"], repeat)
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
    per_file = 10  # a change to one file rebuilds 10 dashboards
    for start in range(0, dashboards, per_file):
        stop = min(start + per_file, dashboards)
        source = DASHBOARDS.replace("{panels}", str(panels)).replace("{start}", str(start)).replace("{stop}", str(stop))
        (root / "dashboards" / f"svc_{start:05d}.py").write_text(source)


def measure(scale: float, repeat: int) -> dict[str, float]:
    dashboards = max(100, int(1000 * scale))
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "project"
        scratch = Path(directory) / "scratch"
        synthetic_project(root, dashboards, 20, rules=int(5000 * scale))

        # What a measure wrote is moved aside, and deleted only with the temporary directory: ext4 skips inodes freed
        # a moment ago when it creates files (`recently_deleted`), so deleting thousands of files just before a
        # measure made whichever ran next pay up to 50% more for creating its own (floor 2.1 to 3.1 s).
        trash = Path(directory) / "trash"
        trash.mkdir()
        moved = iter(range(10**6))

        def set_aside(path: Path) -> None:
            if path.exists():
                path.rename(trash / f"{next(moved)}-{path.name}")

        def clear_scratch() -> None:
            set_aside(scratch)

        def clear_output() -> None:
            set_aside(root / "deploy")
            set_aside(root / ".dashctl-cache")

        floor_command = [sys.executable, "-c", FLOOR.format(root=str(root), out=str(scratch))]
        generator = [sys.executable, "-c", GRAFANALIB.format(root=str(root), out=str(scratch))]
        build_command = [sys.executable, "-c", BUILD.format(root=str(root), args=["--no-cache"])]
        cached_build = [sys.executable, "-c", BUILD.format(root=str(root), args=[])]

        # Interleaved, so that a burst of load from other processes hits every measure alike.
        floor, grafanalib, full, peak, rss = [], [], [], [], []
        for _ in range(repeat):
            clear_scratch()
            floor.append(run_seconds(floor_command)[0])
            clear_scratch()
            grafanalib.append(run_seconds(generator)[0])
            clear_output()
            seconds, stderr = run_seconds(build_command)
            full.append(seconds)
            rss.append(tuple(int(value) * 1024 for value in stderr.split()[-2:]))
        floor_seconds = min(floor)
        results["build"] = min(full) / floor_seconds
        results["grafanalib"] = min(full) / min(grafanalib)
        # Memory apart from the timed runs, so that sampling does not slow them: it is the same from run to run.
        clear_output()
        peak.append(run_sampled(build_command)[2])
        baseline = baseline_pss()
        written = sum(path.stat().st_size for path in (root / "deploy").rglob("*") if path.is_file())
        growth = max(min(peak) - baseline, 0)
        results["memory"] = growth / written
        # The former measure (the parent's peak RSS growth plus the largest worker's), for comparison only.
        rss_baseline = baseline_rss()
        rss_growth = min(max(parent - rss_baseline, 0) + max(worker - rss_baseline, 0) for parent, worker in rss)

        # Fill the cache (a first build, then one that sees its own output as the previous one).
        clear_output()
        run_seconds(cached_build)
        run_seconds(cached_build)
        results["no-op"] = best_seconds(cached_build, repeat) / floor_seconds

        changed = root / "dashboards" / "svc_00000.py"
        original = changed.read_text()
        flips = iter(range(10 ** 6))

        def change_one_file() -> None:
            changed.write_text(original.replace('"synthetic"', f'"synthetic {next(flips)}"'))

        one_change = best_seconds(cached_build, repeat, before=change_one_file)
        share = 10 / dashboards
        dashboards_share_of_floor = share * floor_seconds  # the changed file's part of the floor (alerts aside)
        results["one change"] = (one_change - dashboards_share_of_floor) / floor_seconds
        results["seconds"] = {  # type: ignore[assignment]
            "floor": round(floor_seconds, 2), "grafanalib": round(min(grafanalib), 2), "build": round(min(full), 2),
            "no-op": round(results["no-op"] * floor_seconds, 2), "one change": round(one_change, 2),
            "written MB": round(written / 1e6, 1), "peak growth MB": round(growth / 1e6, 1),
            "baseline MB": round(baseline / 1e6, 1), "RSS sum growth MB (former measure)": round(rss_growth / 1e6, 1),
            # Less noisy than the wall clock on a busy machine; the build spreads its CPU over the cores.
            "floor CPU": round(min(CPU[tuple(floor_command)]), 2), "build CPU": round(min(CPU[tuple(build_command)]), 2),
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the synthetic repository (default 1)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # As an installed package has them (pip compiles on install): dashctl's bytecode up to date, so that no measure
    # pays for compiling a module that changed since its last import, which PYTHONDONTWRITEBYTECODE or a read-only
    # checkout would otherwise leave to every run. (The synthetic definitions are compiled by floor and build alike.)
    import compileall
    import dashctl

    compileall.compile_dir(str(Path(dashctl.__file__).parent), quiet=1)
    results = {"startup": startup(max(args.repeat, 5)), **measure(args.scale, args.repeat)}
    seconds = results.pop("seconds")
    failed = False
    for name, ratio in results.items():
        target = TARGETS[name]
        ok = target is None or ratio <= target
        failed |= not ok
        verdict = "(no target)" if target is None else f"target <= {target}x  {'ok' if ok else 'MISSED'}"
        print(f"{name:10} {ratio:6.2f}x  {verdict}")
    print(f"seconds (best of {args.repeat}, scale {args.scale}): {json.dumps(seconds)}")
    print(json.dumps({name: round(value, 3) for name, value in results.items()}), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
