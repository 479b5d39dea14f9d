"""Dashboards packaged in forked worker processes: the same files as a serial build, problems reported the same
way, and what workers' definitions read still reaches the build cache's key."""

from __future__ import annotations

import pytest

from dashctl.compiler import workers
from dashctl.compiler.cache import BuildCache, cache_directory
from dashctl.compiler.pipeline import build_project
from dashctl.errors import DefinitionErrors
from dashctl.project.config import load_project

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
    project = load_project(project_dir.root)
    messages = []
    for jobs in (1, 2):
        with pytest.raises(DefinitionErrors) as raised:
            build_project(project, jobs=jobs)
        messages.append([str(error) for error in raised.value.errors])
    assert messages[0] == messages[1]
    assert any("broken on purpose" in message and "many.py" in message for message in messages[0])


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
