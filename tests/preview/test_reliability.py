"""Preview under transient faults, over many seeds (issue 9.9): every run ends well, every object is right and
written once, and a re-run writes nothing.

The harsh mix of `tests.grafana_emulator.transient_faults` (20% of requests answered 429/500/502/503/504, 3% of
connections dropped before and 3% after the server acted, slow answers) is drawn from seeds other than the
emulator's default. One emulator serves every seed of a test, each seed previewing under a name of its own; the
project is built once. The client retries with the real policy's logic but tiny waits, so the runs take seconds.
A failure names its seeds: replay one with `SEEDS = [<seed>]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashctl.grafana import GrafanaClient, RetryPolicy
from dashctl.grafana.comparison import comparable_dashboard, comparable_rule_group
from dashctl.preview.plan import PreviewPlan, plan_preview
from dashctl.preview.push import push_preview
from tests.grafana_emulator import GrafanaEmulator, transient_faults
from tests.grafana_emulator.alerting import group_json

REPOSITORY = Path(__file__).resolve().parents[2]
# Tiny waits, so that a hundred runs take seconds; the budget still ends a run that cannot succeed.
FAST = RetryPolicy(budget=10, backoff=0.001, max_delay=0.01)

SYNTHETIC = '''
from grafanalib.core import Dashboard, Target, TimeSeries
from dashctl.definitions import dashboard


def make(index):
    return Dashboard(title=f"Service {index}", panels=[
        TimeSeries(title="Requests", description="Requests per second.", dataSource="metrics", unit="reqps",
                   targets=[Target(expr=f'sum(rate(http_requests_total{{svc="s{index}"}}[5m]))', refId="A")]),
    ])


for _index in range(200):
    dashboard(uid=f"svc-{_index}", folder="Synthetic")(lambda env, _i=_index: make(_i))
'''


@pytest.fixture(scope="module")
def grafana() -> Iterator[GrafanaEmulator]:
    emulator = GrafanaEmulator()
    with emulator:
        for uid, kind in (("prometheus", "prometheus"), ("loki", "loki"), ("prom-dev", "prometheus"),
                          ("loki-dev", "loki")):  # fmt: skip
            emulator.add_datasource(uid=uid, name=uid, type=kind)
        yield emulator
    assert not emulator.threads()
    assert not emulator.state.internal_errors, "\n".join(emulator.state.internal_errors)


def build(root: Path):
    from dashctl.compiler.pipeline import build_project
    from dashctl.project.config import load_project

    return build_project(load_project(root), ["dev"]).environments[0]


def check_stored(grafana: GrafanaEmulator, plan: PreviewPlan) -> list[str]:
    """What is wrong with what the emulator holds for `plan`: missing, extra, different, or written twice."""
    org = grafana.state.org(1)
    problems = []
    stored = {uid: record for uid, record in org.dashboards.items() if record.folder_uid == plan.folder_uid}
    if set(stored) != {dashboard.uid for dashboard in plan.dashboards}:
        problems.append(f"dashboards {sorted(stored)} instead of {sorted(d.uid for d in plan.dashboards)}")
    for dashboard in plan.dashboards:
        record = stored.get(dashboard.uid)
        if record is None:
            continue
        if comparable_dashboard(record.data) != comparable_dashboard(dashboard.model):
            problems.append(f"dashboard {dashboard.uid} differs from the plan")
        if len(record.versions) != 1:
            problems.append(f"dashboard {dashboard.uid} was saved {len(record.versions)} times")
    titles = [record.title for record in stored.values()]
    if len(titles) != len(set(titles)):
        problems.append("duplicate dashboard titles")
    groups = {title: group for (folder, title), group in org.groups.items() if folder == plan.folder_uid}
    if set(groups) != {group.name for group in plan.rule_groups}:
        problems.append(f"rule groups {sorted(groups)}")
    for group in plan.rule_groups:
        if group.name in groups:
            body = group_json(org, groups[group.name])
            if comparable_rule_group(body["interval"], body["rules"]) != comparable_rule_group(group.interval, group.rules):
                problems.append(f"rule group {group.name} differs from the plan")
    if plan.folder_uid not in org.folders or org.folders[plan.folder_uid].title != plan.folder_title:
        problems.append("the preview folder is missing or misnamed")
    return problems


def preview_over_seeds(grafana: GrafanaEmulator, build_result, seeds: range, *, concurrency: int = 2) -> None:
    failures: list[str] = []
    fired = 0
    for seed in seeds:
        plan = plan_preview(build_result, f"seed-{seed}")
        grafana.faults.clear()
        errors, delays = transient_faults(seed)
        grafana.faults.add(errors)
        grafana.faults.add(delays)
        try:
            with GrafanaClient(grafana.url, token=grafana.token, retry=FAST) as client:
                push_preview(client, plan, concurrency=concurrency)
                problems = check_stored(grafana, plan)
                before = client.counts
                again = push_preview(client, plan, concurrency=concurrency)
                if (client.counts - before).writes or again.count("unchanged") != plan.size + 1:
                    problems.append(f"the re-run wrote {(client.counts - before).writes} time(s)")
        except Exception as error:  # noqa: BLE001 - every seed runs; failures are reported together
            problems = [f"{type(error).__name__}: {error}"]
        fired += errors.fired
        failures.extend(f"seed {seed}: {problem}" for problem in problems)
    grafana.faults.clear()
    assert not failures, "\n".join(failures)
    assert fired > len(seeds) * 5, f"the fault plan fired only {fired} times"


def test_the_bundled_repository_survives_transient_faults_over_100_seeds(grafana: GrafanaEmulator) -> None:
    preview_over_seeds(grafana, build(REPOSITORY), range(9100, 9200))


def test_200_dashboards_survive_transient_faults_over_20_seeds(grafana: GrafanaEmulator, tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "synthetic.py").write_text(SYNTHETIC)
    (tmp_path / "dashctl.toml").write_text(
        'roots = ["dashboards"]\noutput = "deploy"\n[environments.dev]\nnamespace = "dev"\n'
        '[environments.dev.datasources]\nmetrics = { uid = "prom-dev", type = "prometheus" }\n'
    )
    preview_over_seeds(grafana, build(tmp_path), range(9300, 9320))
