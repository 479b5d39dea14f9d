"""The build cache's discovery: on a warm cache only the changed definition files are imported, and the build
says and writes exactly what `build --no-cache` says and writes (the same files, the same errors and exit code).

Each definition file logs its import to a file outside the project, so the tests see which ones ran.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DASHBOARD = '''
import os

from grafanalib.core import Dashboard, Target, TimeSeries

from dashctl.definitions import dashboard

with open(os.environ["DASHCTL_TEST_IMPORTS"], "a") as log:
    log.write("{name}\\n")


@dashboard(uid="{uid}", folder="Shop")
def build(env):
    return Dashboard(title="{title}", panels=[TimeSeries(
        title="{panel}", description="Requests per second.", dataSource="metrics", unit="reqps",
        targets=[Target(expr="sum(rate(http_requests_total[$__rate_interval]))", refId="A")])])
'''

DATASOURCES = '''
import os

from dashctl.datasources import Prometheus
from dashctl.definitions import datasources

with open(os.environ["DASHCTL_TEST_IMPORTS"], "a") as log:
    log.write("stack\\n")


@datasources
def stack(env):
    return [Prometheus(name="Prometheus", uid=env.datasource("metrics").uid, url="{url}")]
'''

ALERTS = '''
import os

from dashctl.alerts import AlertRule, DashboardPanel, PromQL, Threshold, rule_group

with open(os.environ["DASHCTL_TEST_IMPORTS"], "a") as log:
    log.write("shop_alerts\\n")


@rule_group(name="shop", folder="Shop", interval="{interval}")
def shop(env):
    return [AlertRule(uid="shop-errors", title="Shop errors", severity="warning",
                      query=PromQL(expr="sum(rate(http_requests_total[5m]))"), condition=Threshold(above=1),
                      for_="5m", summary="Errors", description="Too many errors.",
                      dashboard=DashboardPanel(uid="a", panel="Requests"))]
'''


def dashboard_file(name: str, *, uid: str | None = None, title: str | None = None, panel: str = "Requests") -> str:
    return DASHBOARD.format(name=name, uid=uid or name, title=title or f"Service {name}", panel=panel)


@pytest.fixture
def project(make_project, tmp_path, monkeypatch):
    imports = tmp_path / "imports.log"
    monkeypatch.setenv("DASHCTL_TEST_IMPORTS", str(imports))
    project = make_project({
        "datasources/stack.py": DATASOURCES.format(url="http://prometheus:9090"),
        "dashboards/a.py": dashboard_file("a"),
        "dashboards/b.py": dashboard_file("b"),
        "dashboards/c.py": dashboard_file("c"),
        "alerts/shop_alerts.py": ALERTS.format(interval="1m"),
    }, basic=False)
    project.imports = imports
    build(project)
    build(project)  # the second sees its own output as the previous one: from here on nothing needs building
    imported(project)
    return project


def imported(project) -> list[str]:
    """The definition files imported since the last call."""
    if not project.imports.exists():
        return []
    names = sorted(project.imports.read_text().split())
    project.imports.unlink()
    return names


def build(project):
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return result


def same_as_without_cache(project, tmp_path: Path):
    """Build with the cache, then with --no-cache into another directory: the exit codes, the messages and the
    files written must be the same. Returns the cached build's result."""
    cached = project.run("build")
    imports = imported(project)
    reference = tmp_path / "reference"
    fresh = project.run("build", "--no-cache", "--output", str(reference))
    imported(project)
    assert cached.exit_code == fresh.exit_code, (cached.stderr, fresh.stderr)
    if cached.exit_code == 0:
        assert project.snapshot() == {
            str(path.relative_to(reference)): path.read_bytes() for path in sorted(reference.rglob("*"))
            if path.is_file()
        }
    else:
        assert cached.stderr == fresh.stderr
        assert cached.stdout == fresh.stdout
    cached.imports = imports
    return cached


def test_a_warm_rebuild_imports_only_the_changed_file(project, tmp_path):
    build(project)
    assert imported(project) == []  # nothing changed: the whole build comes from the cache
    project.write("dashboards/b.py", dashboard_file("b", title="Bravo renamed"))
    result = same_as_without_cache(project, tmp_path)
    assert result.imports == ["b", "stack"]  # datasources are built every time (not cached)
    assert b"Bravo renamed" in project.snapshot()["dev/dashboard-b.yaml"]
    build(project)
    assert imported(project) == []


def test_a_new_uid_that_clashes_with_a_cached_file_is_reported_at_its_line(project, tmp_path):
    project.write("dashboards/c.py", dashboard_file("c", uid="a"))
    before = project.snapshot()
    result = same_as_without_cache(project, tmp_path)
    assert result.exit_code == 3
    assert result.imports == ["c", "stack"]  # a.py is not imported: its uid and line come from the cache
    assert "dashboards/c.py:11" in result.stderr
    assert "duplicate dashboard uid 'a': also defined by build at dashboards/a.py:11" in result.stderr
    assert project.snapshot() == before


def test_a_removed_file_frees_its_uid_and_its_output(project, tmp_path):
    (project.root / "dashboards" / "b.py").unlink()
    result = same_as_without_cache(project, tmp_path)
    assert result.imports == ["stack"]
    assert "dev/dashboard-b.yaml" not in project.snapshot()
    project.write("dashboards/d.py", dashboard_file("d", uid="b", title="Bravo moved"))
    result = same_as_without_cache(project, tmp_path)
    assert result.exit_code == 0
    assert result.imports == ["d", "stack"]
    assert b"Bravo moved" in project.snapshot()["dev/dashboard-b.yaml"]


def test_a_title_that_clashes_with_a_cached_dashboard_is_reported(project, tmp_path):
    project.write("dashboards/c.py", dashboard_file("c", title="Service a"))
    result = same_as_without_cache(project, tmp_path)
    assert result.exit_code == 3
    assert result.imports == ["c", "stack"]
    assert "title 'Service a' is also used by dashboard 'a' (dashboards/a.py:11)" in result.stderr


def test_an_import_error_in_a_changed_file_is_reported_and_the_others_still_checked(project, tmp_path):
    project.write("dashboards/b.py", dashboard_file("b") + "\nraise RuntimeError('broken on purpose')\n")
    project.write("dashboards/c.py", dashboard_file("c", uid="a"))
    result = same_as_without_cache(project, tmp_path)
    assert result.exit_code == 3
    assert "RuntimeError: broken on purpose" in result.stderr and "dashboards/b.py:" in result.stderr
    assert "duplicate dashboard uid 'a'" in result.stderr
    project.write("dashboards/b.py", "syntax error here\n")
    result = same_as_without_cache(project, tmp_path)
    assert "syntax error" in result.stderr and "dashboards/b.py:1" in result.stderr


def test_the_alerting_still_sees_the_dashboards_it_links_to(project, tmp_path):
    """The rules link to a panel of dashboard a (a cached file): a changed alert file imports a.py when it needs the
    dashboard's panels, and a link that no longer resolves is reported."""
    project.write("alerts/shop_alerts.py", ALERTS.format(interval="2m"))
    result = same_as_without_cache(project, tmp_path)
    assert result.imports == ["a", "shop_alerts", "stack"]
    assert b"dashboardUid: a" in project.snapshot()["dev/alert-rules-shop.yaml"]
    project.write("dashboards/a.py", dashboard_file("a", panel="Traffic"))
    result = same_as_without_cache(project, tmp_path)
    assert result.exit_code == 3
    assert "dashboard 'a' has no panel 'Requests'" in result.stderr


def test_an_unchanged_datasources_file_is_imported_when_its_definition_runs(project, tmp_path):
    project.write("dashboards/b.py", dashboard_file("b", title="Bravo"))
    result = same_as_without_cache(project, tmp_path)
    assert result.imports == ["b", "stack"]  # datasources are not cached: built from stack.py, imported late
    assert "shop_alerts" not in result.imports
    assert b"http://prometheus:9090" in project.snapshot()["dev/datasources.yaml"]


def test_definitions_registered_by_a_shared_module_make_every_file_import_again(project, tmp_path):
    """A shared module's definitions belong to whichever file imports it first: such a project is imported whole,
    so that the result does not depend on which file changed."""
    project.write("lib/shared.py", dashboard_file("shared"))
    project.write("dashboards/a.py", dashboard_file("a") + "\nimport lib.shared  # noqa: F401\n")
    project.write("dashboards/c.py", dashboard_file("c") + "\nimport lib.shared  # noqa: F401\n")
    same_as_without_cache(project, tmp_path)
    project.write("dashboards/b.py", dashboard_file("b", title="Bravo"))
    result = same_as_without_cache(project, tmp_path)
    assert result.imports == ["a", "b", "c", "shared", "shop_alerts", "stack"]
    (project.root / "dashboards" / "a.py").unlink()
    result = same_as_without_cache(project, tmp_path)
    assert b"Service shared" in project.snapshot()["dev/dashboard-shared.yaml"]


def test_a_file_registering_other_definitions_when_imported_again_is_refused(project, monkeypatch):
    """The cache keys a file by what it imports and opens, not by the environment variables it reads: when the
    definition it took from the cache is not there at the late import, the build stops and says what to do."""
    source = DATASOURCES.format(url="http://prometheus:9090").replace("@datasources\n", "")
    project.write("datasources/stack.py", source + (
        "\nif os.environ.get('DASHCTL_TEST_RENAME'):\n    stack.__qualname__ = 'renamed'\ndatasources(stack)\n"))
    build(project)
    build(project)
    imported(project)
    monkeypatch.setenv("DASHCTL_TEST_RENAME", "1")
    project.write("dashboards/a.py", dashboard_file("a", title="Alpha"))
    before = project.snapshot()
    result = project.run("build")
    assert result.exit_code == 3
    assert "datasources/stack.py: datasources stack: registered other definitions when imported again than the " \
        "build cache recorded" in result.stderr
    assert "--no-cache" in result.stderr
    assert project.snapshot() == before
    assert project.run("build", "--no-cache").exit_code == 0


def test_worker_processes_build_definitions_taken_from_the_cache(make_project, monkeypatch):
    """A build of dev fills the cache; the next build of every environment takes many.py's definitions from the
    cache without importing it, and its worker processes import it to build prod's dashboards."""
    from dashctl.compiler import workers
    from dashctl.compiler.cache import BuildCache, cache_directory
    from dashctl.compiler.pipeline import build_project
    from dashctl.project.config import load_project
    from tests.compiler.test_cache_parallel import MANY

    root = make_project({"dashboards/many.py": MANY.format(broken=-1), "data/title.txt": "Many",
                         "data/suffix.txt": "one"}).root
    project = load_project(root)
    monkeypatch.setattr(workers, "MIN_TASKS", 10)  # prod's 31 dashboards go to the workers

    def build(*environments):
        cache = BuildCache(cache_directory(project.output_dir), project, environments or ["dev", "prod"])
        return cache, build_project(project, environments, cache=cache, jobs=2)

    build("dev")
    cache, _ = build("dev")
    assert cache.discovered("dashboards/many.py")  # unchanged: discovery takes it from the cache
    cache, warm = build()
    assert cache.discovered("dashboards/many.py")
    assert sum(len(environment.dashboards) for environment in warm.environments) < 31  # workers built prod's
    assert dict(warm.files) == dict(build_project(project, jobs=1).files)


def test_tuple_options_come_back_as_tuples(project, tmp_path):
    """`allow_undefined_variables` is a tuple: the cache gives it back as one, so c.py needs no import either."""
    project.write("dashboards/c.py", dashboard_file("c").replace(
        'folder="Shop")', 'folder="Shop", allow_undefined_variables=("host",))').replace(
        "http_requests_total[", 'http_requests_total{host=\\"$host\\"}['))
    assert same_as_without_cache(project, tmp_path).exit_code == 0
    project.write("dashboards/b.py", dashboard_file("b", title="Bravo"))
    result = same_as_without_cache(project, tmp_path)
    assert result.exit_code == 0
    assert result.imports == ["b", "stack"]
    assert b'host=\\"$host\\"' in project.snapshot()["dev/dashboard-c.yaml"]


def test_a_file_that_fails_when_imported_late_is_reported_once(project, monkeypatch):
    """Its import depends on an environment variable (outside the key) and its cached output is gone, so its two
    definitions are built and both meet the failed import: one problem, at the failing line."""
    import shutil

    from dashctl.compiler.cache import cache_directory

    project.write("dashboards/b.py", "import os\n\nif os.environ.get('DASHCTL_TEST_BREAK'):\n"
                  "    raise RuntimeError('broken late')\n" + dashboard_file("b") + "\n\n"
                  + dashboard_file("b2").split("\n\n\n", 1)[1])
    build(project)
    build(project)
    imported(project)
    shutil.rmtree(cache_directory(project.root / "deploy") / "blobs")
    shutil.rmtree(project.root / "deploy")
    monkeypatch.setenv("DASHCTL_TEST_BREAK", "1")
    project.write("dashboards/a.py", dashboard_file("a", title="Alpha"))
    result = project.run("build")
    assert result.exit_code == 3
    assert result.stderr.count("broken late") == 1, result.stderr
    assert "dashboards/b.py:4: the import of dashboards/b.py: RuntimeError: broken late" in result.stderr
