"""Dashboards packaged in forked worker processes: the same files as a serial build, problems reported the same
way, and what workers' definitions read still reaches the build cache's key."""

from __future__ import annotations

import os
import sys

import pytest

from dashctl.compiler import workers
from dashctl.compiler.cache import BuildCache, cache_directory
from dashctl.compiler.pipeline import build_project
from dashctl.errors import DefinitionErrors
from dashctl.project.config import load_project
from tests.conftest import BASIC_CONFIG

MANY = '''
from pathlib import Path

from grafanalib.core import Dashboard, Target, TimeSeries

from dashctl.definitions import dashboard

TITLE = (Path(__file__).parent.parent / "data" / "title.txt").read_text().strip()


def make(index, env):
    if index == {broken}:
        raise ValueError("broken on purpose")
    suffix = (Path(__file__).parent.parent / "data" / "suffix.txt").read_text().strip()
    return Dashboard(title=f"{{TITLE}} {{index}} {{suffix}}", panels=[TimeSeries(
        title="Requests", description="Requests per second.", dataSource="metrics", unit="reqps",
        targets=[Target(expr=f'sum(rate(http_requests_total{{{{i="{{index}}"}}}}[$__rate_interval]))', refId="A")])])


for _index in range(30):
    dashboard(uid=f"many-{{_index}}", folder="Many")(lambda env, _i=_index: make(_i, env))
'''


@pytest.fixture
def many(make_project):
    return make_project({"dashboards/many.py": MANY.format(broken=-1), "data/title.txt": "Many",
                         "data/suffix.txt": "one"})


def test_workers_write_exactly_what_a_serial_build_writes(many):
    project = load_project(many.root)
    assert workers.available_cores() >= 1
    serial = build_project(project, jobs=1)
    parallel = build_project(project, jobs=2)
    assert len(serial.files) > 60  # 30 dashboards × 2 environments, beyond MIN_TASKS: the workers did run
    assert dict(parallel.files) == dict(serial.files)
    assert [build.count("dashboards") for build in parallel.environments] == [31, 31]
    assert sum(len(build.dashboards) for build in parallel.environments) < 62  # packaged by the workers


def test_a_problem_met_in_a_worker_is_reported_as_a_serial_build_reports_it(make_project):
    project_dir = make_project({"dashboards/many.py": MANY.format(broken=7), "data/title.txt": "Many",
                                "data/suffix.txt": "one"})
    messages = _serial_and_parallel_messages(load_project(project_dir.root))
    assert messages[0] == messages[1]
    assert any("broken on purpose" in message and "many.py" in message for message in messages[0])


def _serial_and_parallel_messages(project, **options) -> list[list[str]]:
    messages = []
    for jobs in (1, 2):
        with pytest.raises(DefinitionErrors) as raised:
            build_project(project, jobs=jobs, **options)
        messages.append([str(error) for error in raised.value.errors])
    return messages


def test_what_worker_definitions_read_is_part_of_the_cache_key(many):
    project = load_project(many.root)

    def build():
        cache = BuildCache(cache_directory(project.output_dir), project, ["dev", "prod"])
        return build_project(project, cache=cache, jobs=2)

    build()
    # suffix.txt is read only inside the definition's function, so only in the worker processes.
    (many.root / "data" / "suffix.txt").write_text("two\n")
    rebuilt = build()
    assert b"Many 3 two" in rebuilt.files["dev/dashboard-many-3.yaml"]
    assert dict(rebuilt.files) == dict(build_project(project, jobs=1).files)


def test_the_library_reports_progress_through_the_callback_and_prints_nothing(many, capsys):
    lines: list[str] = []
    build_project(load_project(many.root), progress=lines.append)
    assert lines[0] == "importing the definitions"
    assert "building environment dev" in lines and "building environment prod" in lines
    assert capsys.readouterr() == ("", "")


RULES = '''
import os
from pathlib import Path

from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group

DATA = Path(__file__).parent.parent / "data"


@rule_group(name="api", folder="Many", interval="1m")
def api(env):
    with open(DATA / "pids.txt", "a") as pids:
        pids.write(f"{{os.getpid()}}\\n")
    window = (DATA / "window.txt").read_text().strip()  # read only here: in a worker when the workers build it
    return [AlertRule(
        uid=f"api-{{index}}", title=f"API errors {{index}}", severity="warning",
        query=PromQL(expr=f'sum(rate(http_requests_total{{{{code=~"5..",i="{{index}}"}}}}[{{window}}])){broken}'),
        condition=Threshold(above=env.values["error_ratio"]), for_="5m", summary="Errors are high",
    ) for index in range(3)]
'''


@pytest.fixture
def many_with_rules(make_project):
    return make_project({"dashboards/many.py": MANY.format(broken=-1), "data/title.txt": "Many",
                         "data/suffix.txt": "one", "data/window.txt": "5m", "data/pids.txt": "",
                         "alerts/api.py": RULES.format(broken="")})


def _pids(project_dir) -> list[int]:
    return [int(line) for line in (project_dir.root / "data" / "pids.txt").read_text().split()]


def test_workers_build_the_alerting_too_and_write_what_a_serial_build_writes(many_with_rules):
    import os

    project = load_project(many_with_rules.root)
    serial = build_project(project, jobs=1, keep_compiled=False)
    assert _pids(many_with_rules) == [os.getpid(), os.getpid()]  # dev and prod, here
    parallel = build_project(project, jobs=2, keep_compiled=False)
    assert any(name.startswith("dev/alert-rules-") for name in serial.files)
    assert dict(parallel.files) == dict(serial.files)
    assert [build.extras for build in parallel.environments] == [build.extras for build in serial.environments]
    built_by = _pids(many_with_rules)[2:]
    assert len(built_by) == 2 and os.getpid() not in built_by  # each environment's alerting in a worker
    # Preview and diff need the compiled alerting: a build that keeps the models builds its sections itself.
    kept = build_project(project, jobs=2)
    assert "alerts" in kept.environments[0].extras and _pids(many_with_rules)[4:] == [os.getpid()] * 2


def test_a_problem_in_a_section_a_worker_built_is_reported_as_a_serial_build_reports_it(make_project):
    project_dir = make_project({"dashboards/many.py": MANY.format(broken=-1), "data/title.txt": "Many",
                                "data/suffix.txt": "one", "data/window.txt": "5m", "data/pids.txt": "",
                                "alerts/api.py": RULES.format(broken=" +")})
    messages = _serial_and_parallel_messages(load_project(project_dir.root), keep_compiled=False)
    assert messages[0] == messages[1]
    assert any("api.py" in message and "PromQL" in message for message in messages[0])


def test_a_section_built_by_a_worker_fills_the_cache_with_what_its_definitions_read(many_with_rules):
    project = load_project(many_with_rules.root)

    def build():
        cache = BuildCache(cache_directory(project.output_dir), project, ["dev", "prod"])
        return build_project(project, cache=cache, jobs=2, keep_compiled=False)

    from dashctl.compiler.output import write_output

    write_output(build(), project.output_dir)
    assert len(_pids(many_with_rules)) == 2
    # The dashboards change, the alerting does not: it comes from the cache, no worker builds it again.
    (many_with_rules.root / "data" / "suffix.txt").write_text("two\n")
    write_output(build(), project.output_dir)
    assert len(_pids(many_with_rules)) == 2
    # window.txt is read only inside the rule group's function, so only in the worker processes.
    (many_with_rules.root / "data" / "window.txt").write_text("10m\n")
    rebuilt = build()
    assert len(_pids(many_with_rules)) == 4
    assert dict(rebuilt.files) == dict(build_project(project, jobs=1).files)
    assert any(b"[10m]" in data for data in rebuilt.files.values())


def test_a_streamed_build_gets_the_sections_workers_built_through_the_stage(many_with_rules):
    import os

    from dashctl.compiler.output import staged_output

    project = load_project(many_with_rules.root)
    in_memory = build_project(project, jobs=1)
    with staged_output(many_with_rules.root / "deploy") as sink:
        build_project(project, previous=sink.previous, sink=sink, jobs=2, keep_compiled=False)
        staged = {path.relative_to(sink.stage).as_posix(): path.read_bytes()
                  for path in sink.stage.rglob("*") if path.is_file()}
    assert staged == dict(in_memory.files)
    assert os.getpid() not in _pids(many_with_rules)[2:]  # the alerting came from the workers, through the stage


SLOW = '''
from pathlib import Path

from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group
from dashctl.definitions import dashboard

CALLS = Path(__file__).parent.parent / "calls.txt"


def never_returns(what):
    with CALLS.open("a") as stream:
        stream.write(what + "\\n")
    while True:
        pass


dashboard(uid="slow", folder="Many")(lambda env: never_returns("dashboard " + env.name))
rule_group(name="slow-rules", folder="Many")(lambda env: never_returns("rules " + env.name))
'''


def test_a_definition_that_runs_out_of_time_in_a_worker_is_not_run_again(make_project):
    # The parent would otherwise build it again to report it, and the user would wait for the limit twice.
    project_dir = make_project({"dashboards/many.py": MANY.format(broken=-1), "dashboards/slow.py": SLOW,
                                "data/title.txt": "Many", "data/suffix.txt": "one"},
                               config='definition_timeout = "200ms"\n' + BASIC_CONFIG)
    calls = project_dir.root / "calls.txt"
    messages = []
    for jobs in (1, 2):
        calls.write_text("")
        with pytest.raises(DefinitionErrors) as raised:
            build_project(load_project(project_dir.root), jobs=jobs, keep_compiled=jobs == 1)
        messages.append([str(error) for error in raised.value.errors])
        # Once per environment, as a serial build runs it.
        assert sorted(calls.read_text().split("\n")[:-1]) == [
            "dashboard dev", "dashboard prod", "rules dev", "rules prod"], f"jobs={jobs}"
    assert messages[0] == messages[1]
    assert any("dashboard 'slow'" in message and "did not return within 0.2s" in message for message in messages[1])
    assert any("rule_group 'slow-rules' (<lambda>)" in message and "did not return within 0.2s" in message for message in messages[1])


_DASHBOARD_OPENS: list[str] = []


def _count_dashboard_opens(event: str, args: tuple) -> None:
    # Audit hooks cannot be removed: this one only counts the opens of dashboard files (by this process, not the
    # workers: each has its own list) while a test lists them.
    if event == "open" and _DASHBOARD_OPENS and isinstance(args[0], (str, os.PathLike)) \
            and "dashboard-many-" in os.fspath(args[0]):
        _DASHBOARD_OPENS.append(os.fspath(args[0]))


sys.addaudithook(_count_dashboard_opens)


def test_dashboards_a_worker_staged_are_read_back_for_the_cache_only_when_their_blob_is_missing(many):
    # Everything is built again after a configuration change, to the same bytes: the blobs are there already.
    assert many.run("build").exit_code == 0
    config = many.root / "dashctl.toml"
    config.write_text(config.read_text() + "\n# a comment: the cache's base key changes\n")
    _DASHBOARD_OPENS.append("watching")
    try:
        result = many.run("build")
    finally:
        opened, _DASHBOARD_OPENS[:] = _DASHBOARD_OPENS[1:], []
    assert result.exit_code == 0, result.stderr
    assert "0 files changed" in result.stderr
    assert opened == [], opened[:3]
