"""Definitions that misbehave: one that never returns, one interrupted, one returning None or a plain dict."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import BASIC_CONFIG, REPO, SHARED

FAST_LIMIT = 'definition_timeout = "300ms"\n' + BASIC_CONFIG

HANGING = '''
import time

from dashctl.definitions import dashboard


@dashboard(uid="hang", folder="Shop")
def hang(env):
    while True:
        time.sleep(0.01)
'''

SPINNING = '''
from dashctl.definitions import dashboard


@dashboard(uid="spin", folder="Shop")
def spin(env):
    count = 0
    while True:
        count += 1
'''

IMPORT_HANGS = '''
import time

while True:
    time.sleep(0.01)
'''

RAISES_INTERRUPT = '''
from dashctl.definitions import dashboard


@dashboard(uid="stopped", folder="Shop")
def stopped(env):
    raise KeyboardInterrupt
'''

WAITS_FOR_SIGINT = '''
import pathlib
import time

from dashctl.definitions import dashboard


@dashboard(uid="waits", folder="Shop")
def waits(env):
    pathlib.Path("started").write_text("yes")
    while True:
        time.sleep(0.05)
'''

RETURNS = '''
from dashctl.definitions import dashboard


@dashboard(uid="plain", folder="Shop")
def plain(env):
    return {value}
'''

PLAIN_DASHBOARD = {
    "title": "Plain",
    "tags": ["shop"],
    "time": {"from": "now-6h", "to": "now"},
    "panels": [
        {"type": "row", "title": "Overview", "collapsed": False, "panels": []},
        {"type": "timeseries", "title": "Requests", "description": "Requests per second.", "datasource": "metrics",
         "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
         "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total[$__rate_interval]))"}]},
    ],
}


def test_a_definition_that_never_returns_fails_at_its_line(make_project):
    project = make_project({"dashboards/hang.py": HANGING, "dashboards/spin.py": SPINNING}, config=FAST_LIMIT)
    started = time.monotonic()
    result = project.run("build")
    assert time.monotonic() - started < 20
    assert result.exit_code == 3, result.stderr
    # Each is reported at the line that was running, with what to do; one does not hide the other.
    assert "dashboards/hang.py:9: dashboard 'hang' (hang): did not return within 0.3s; it was stopped at this line" in (
        result.stderr
    )
    # A busy loop is stopped on either of its two lines.
    assert re.search(r"dashboards/spin.py:[78]: dashboard 'spin' \(spin\): did not return within 0.3s", result.stderr)
    assert "definition_timeout" in result.stderr
    assert project.snapshot() == {}


def test_a_definition_file_whose_import_never_ends_is_stopped(make_project):
    project = make_project({"dashboards/slow_import.py": IMPORT_HANGS}, config=FAST_LIMIT)
    result = project.run("build")
    assert result.exit_code == 3
    assert "dashboards/slow_import.py:4: the import of dashboards/slow_import.py: did not return within 0.3s" in (
        result.stderr
    )


def test_the_time_limit_is_configurable_and_checked(make_project):
    project = make_project(config='definition_timeout = "soon"\n' + BASIC_CONFIG)
    result = project.run("build")
    assert result.exit_code == 3
    assert "definition_timeout 'soon' is not a duration" in result.stderr
    from dashctl.project.config import load_project

    assert load_project(make_project(config=BASIC_CONFIG).root).definition_timeout == 300
    assert load_project(make_project(config='definition_timeout = "0s"\n' + BASIC_CONFIG).root).definition_timeout is None


def test_ctrl_c_names_the_definition_that_was_running(make_project):
    project = make_project({"dashboards/stopped.py": RAISES_INTERRUPT})
    result = project.run("build")
    assert result.exit_code == 130
    assert "interrupted while running dashboard 'stopped' (stopped) at dashboards/stopped.py:6" in result.stderr
    assert "Aborted!" not in result.stderr


def test_a_real_sigint_names_the_definition(make_project):
    project = make_project({"dashboards/waits.py": WAITS_FOR_SIGINT})
    process = subprocess.Popen(
        [sys.executable, "-c", "from dashctl.cli.main import main; main()", "build"],
        cwd=project.root, env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (project.root / "started").exists():  # the definition is running: no timer race
            assert process.poll() is None and time.monotonic() < deadline, "the build never reached the definition"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 130, stderr
    assert "interrupted while running dashboard 'waits' (waits) at dashboards/waits.py:" in stderr
    assert project.snapshot() == {}


MANY_WAITING = '''
import os
import pathlib
import time

from grafanalib.core import Dashboard

from dashctl.definitions import dashboard


def waiting(number):
    @dashboard(uid=f"waits-{number}", folder="Shop")
    def waits(env):
        pathlib.Path(f"started-{os.getpid()}").write_text("yes")
        time.sleep(30)
        return Dashboard(title=f"Waits {number}", panels=[])
    return waits


for number in range(30):
    globals()[f"waits_{number}"] = waiting(number)
'''


def test_ctrl_c_while_worker_processes_build_stops_cleanly(make_project):
    """Ctrl-C in a terminal reaches the whole process group: the parent, waiting on its workers, exits 130 like a
    definition interrupted in it (not click's "Aborted!" and 1), writes nothing and leaves no worker behind."""
    project = make_project({"dashboards/waits.py": MANY_WAITING})
    process = subprocess.Popen(
        [sys.executable, "-c", "from dashctl.cli.main import main; main()", "build"],
        cwd=project.root, env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(project.root.glob("started-*")):  # a worker runs a definition, the parent waits for it
            assert process.poll() is None and time.monotonic() < deadline, "the build never reached a definition"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Aborted!" not in stderr
    assert project.snapshot() == {}
    workers = {int(path.name.removeprefix("started-")) for path in project.root.glob("started-*")}
    assert process.pid not in workers, "the definitions ran in the parent, not in workers: the test proves nothing"
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), pid


def test_a_dashboard_definition_returning_none_is_an_error(make_project):
    project = make_project({"dashboards/plain.py": RETURNS.format(value="None")})
    result = project.run("build")
    assert result.exit_code == 3
    assert "dashboards/plain.py:4: dashboard 'plain' (plain): returned None instead of a dashboard" in result.stderr
    assert "return Dashboard(" in result.stderr


def test_a_dashboard_definition_returning_another_type_is_an_error(make_project):
    project = make_project({"dashboards/plain.py": RETURNS.format(value="['not', 'a', 'dashboard']")})
    result = project.run("build")
    assert result.exit_code == 3
    assert "returned list, not a dashboard" in result.stderr


def test_a_plain_dict_dashboard_builds(make_project):
    project = make_project({"dashboards/plain.py": RETURNS.format(value=repr(PLAIN_DASHBOARD))})
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    model = _model(project.root / "deploy/dev/dashboard-plain.yaml")
    assert model["title"] == "Plain" and model["uid"] == "plain"
    assert model["panels"][1]["datasource"] == {"type": "prometheus", "uid": "prom-dev"}


@pytest.mark.skipif(not (SHARED / "reference/schemas").is_dir(), reason="../shared/reference/schemas is absent")
def test_a_plain_dict_dashboard_compiles_to_a_dashboard_grafanas_schema_accepts(make_project):
    import jsonschema

    project = make_project({"dashboards/plain.py": RETURNS.format(value=repr(PLAIN_DASHBOARD))})
    assert project.run("build").exit_code == 0
    schema = json.loads((SHARED / "reference/schemas/grafana-dashboard/dashboard.jsonschema.json").read_text())
    model = _model(project.root / "deploy/dev/dashboard-plain.yaml")
    assert [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(model)] == []


def test_a_plain_dict_that_is_not_a_dashboard_is_an_error_listing_each_problem(make_project):
    broken = {
        "title": "Broken",
        "tags": "shop",
        "panels": [
            {"title": "No type"},
            {"type": "stat", "gridPos": {"h": 8, "w": "12", "x": 0, "y": 0}},
            {"type": "stat", "gridPos": {"h": 8, "w": 30, "x": 24, "y": 0}},
            "text",
        ],
    }
    project = make_project({"dashboards/plain.py": RETURNS.format(value=repr(broken))})
    result = project.run("build")
    assert result.exit_code == 3
    assert "dashboard 'plain' (plain): returned a plain dict that is not a Grafana dashboard" in result.stderr
    for expected in (
        "tags: must be a list, not 'shop'",
        "panels[0].type: every panel needs a type",
        "panels[1].gridPos.w: must be a whole number of grid units, 0 or more, not '12'",
        "panels[2].gridPos.w: 30 is wider than the 24-column grid",
        "panels[2].gridPos.x: 24 is right of the 24-column grid",
        "panels[3]: a panel must be an object, not 'text'",
    ):
        assert expected in result.stderr


def _model(path: Path) -> dict:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(next(iter(document["data"].values())))


def test_the_timer_and_handler_are_put_back_after_a_build(make_project):
    project = make_project({"dashboards/hang.py": HANGING}, config=FAST_LIMIT)
    before = signal.getsignal(signal.SIGALRM)
    assert project.run("build").exit_code == 3
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


CORPUS = SHARED / "corpus" / "dashboards"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/dashboards is absent")
def test_real_dashboards_pass_the_plain_dict_check():
    """Dashboards Grafana exported, and jsonnet mixins generated, are what people paste: none may be refused."""
    from dashctl.dashboards.plain import check_plain_dashboard

    checked = 0
    for path in sorted(CORPUS.glob("*.json")):
        model = json.loads(path.read_text(encoding="utf-8"))
        model = model.get("dashboard", model)
        assert check_plain_dashboard(model) == [], path.name
        checked += 1
    assert checked >= 10
