"""Bad definitions: each is a clear error naming file and line, exit 3, and deploy/ exactly as it was."""

from __future__ import annotations

import pytest

DASHBOARD_TEMPLATE = '''
from grafanalib.core import Dashboard, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="{uid}", folder="Shop")
def board(env):
    return Dashboard(
        title="{title}",
        panels=[TimeSeries(title="Up", dataSource="{datasource}", targets=[Target(expr="up", refId="A")])],
    )
'''


def dashboard_file(uid: str = "other", title: str = "Other", datasource: str = "metrics") -> str:
    return DASHBOARD_TEMPLATE.format(uid=uid, title=title, datasource=datasource)


@pytest.fixture
def built(make_project):
    """A project already built once, so each test can show that a failing build leaves deploy/ untouched."""
    project = make_project()
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return project


def assert_failed_cleanly(project, before, result, *needles):
    assert result.exit_code == 3, (result.stdout, result.stderr)
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert project.snapshot() == before
    assert not list(project.root.glob(".deploy.*")), "temporary directories left behind"


def test_duplicate_uid_names_both_places(built):
    before = built.snapshot()
    built.write("dashboards/zz_copy.py", dashboard_file(uid="shop-api", title="Copy"))
    result = built.run("build")
    assert_failed_cleanly(
        built, before, result, "duplicate dashboard uid 'shop-api'", "dashboards/shop.py:6", "dashboards/zz_copy.py:6"
    )


def test_syntax_error_and_other_error_in_two_files_are_both_reported(built):
    before = built.snapshot()
    built.write("dashboards/a_broken.py", "def broken(:\n    pass\n")
    built.write("dashboards/b_failing.py", "import telemetry_that_does_not_exist\n")
    result = built.run("build")
    assert_failed_cleanly(
        built,
        before,
        result,
        "dashboards/a_broken.py:1: syntax error",
        "dashboards/b_failing.py:1",
        "ModuleNotFoundError",
        "2 problems found",
    )


def test_error_raised_inside_a_definition_points_at_its_line(built):
    before = built.snapshot()
    built.write(
        "dashboards/raising.py",
        '''
        from dashctl.definitions import dashboard


        @dashboard(uid="raising")
        def raising(env):
            limit = env.value("no_such_value")
            return None
        ''',
    )
    result = built.run("build")
    assert_failed_cleanly(
        built, before, result, "dashboards/raising.py:6", "environment 'dev' has no value 'no_such_value'", "hint:"
    )


def test_unresolved_logical_datasource(built):
    before = built.snapshot()
    built.write("dashboards/traces.py", dashboard_file(uid="traces", title="Traces", datasource="traces"))
    result = built.run("build")
    # At the line that names the datasource, where the fix goes.
    line = next(number for number, text in enumerate(
        (built.root / "dashboards/traces.py").read_text().splitlines(), start=1) if "dataSource=" in text)
    assert_failed_cleanly(
        built, before, result, f"dashboards/traces.py:{line}",
        "datasource 'traces' does not resolve (logical datasources: logs, metrics) [environments dev, prod]",
    )


def test_uid_of_41_characters(built):
    before = built.snapshot()
    uid = "a" * 41
    built.write("dashboards/long.py", dashboard_file(uid=uid, title="Long"))
    result = built.run("build")
    assert_failed_cleanly(built, before, result, "dashboards/long.py:6", "41 characters long", "at most 40")


def test_uid_of_40_characters_is_accepted(built):
    built.write("dashboards/long.py", dashboard_file(uid="a" * 40, title="Long"))
    result = built.run("build")
    assert result.exit_code == 0, result.stderr
    assert (built.root / "deploy/dev/dashboard-" f"{'a' * 40}.yaml").exists()


def test_literal_secret_in_datasource_is_refused(built):
    before = built.snapshot()
    built.write(
        "datasources/secret.py",
        '''
        from dashctl.datasources import Datasource
        from dashctl.definitions import datasources


        @datasources
        def elastic(env):
            return [Datasource(name="Elastic", type="elasticsearch", uid="es", url="http://es:9200",
                               basic_auth=True, basic_auth_user="grafana",
                               secure_json_data={"basicAuthPassword": "hunter2-literal"})]
        ''',
    )
    result = built.run("build")
    assert_failed_cleanly(
        built, before, result, "datasources/secret.py:7", "literal secret", "env_secret"
    )
    assert "hunter2-literal" not in result.stderr + result.stdout


def test_password_in_datasource_url_is_refused_without_echoing_it(built):
    before = built.snapshot()
    built.write(
        "datasources/url.py",
        '''
        from dashctl.datasources import Prometheus
        from dashctl.definitions import datasources


        @datasources
        def other(env):
            return [Prometheus(name="Other", uid="other", url="http://admin:s3cr3t-pw@prom:9090")]
        ''',
    )
    result = built.run("build")
    assert_failed_cleanly(built, before, result, "datasources/url.py:7", "URL carries a password")
    assert "s3cr3t-pw" not in result.stderr + result.stdout


def test_two_default_datasources(built):
    before = built.snapshot()
    built.write(
        "datasources/defaults.py",
        '''
        from dashctl.datasources import Prometheus
        from dashctl.definitions import datasources


        @datasources
        def two(env):
            return [
                Prometheus(name="A", uid="a", url="http://a:9090", is_default=True),
                Prometheus(name="B", uid="b", url="http://b:9090", is_default=True),
            ]
        ''',
    )
    result = built.run("build")
    assert_failed_cleanly(built, before, result, "2 default datasources", "datasources/defaults.py:9", "hint:")


def test_duplicate_title_in_one_folder(built):
    before = built.snapshot()
    built.write("dashboards/again.py", dashboard_file(uid="again", title="Shop API"))
    result = built.run("build")
    assert_failed_cleanly(built, before, result, "title 'Shop API' is also used by dashboard", "in folder 'Shop'")


def test_not_a_dashboard(built):
    before = built.snapshot()
    built.write(
        "dashboards/wrong.py",
        '''
        from dashctl.definitions import dashboard


        @dashboard(uid="wrong")
        def wrong(env):
            return {"title": 1, "panels": "no"} if False else 42
        ''',
    )
    result = built.run("build")
    assert_failed_cleanly(built, before, result, "returned int, not a dashboard", "dashboards/wrong.py:4")


def test_unknown_environment_is_a_usage_error(built):
    result = built.run("build", "--env", "staging")
    assert result.exit_code == 2
    assert "unknown environment 'staging'" in result.stderr
    assert "dev, prod" in result.stderr


def test_missing_configuration(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dashctl.cli.main import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 2  # run in the wrong place: a usage error (issue 12 item 12)
    assert "no dashctl project found" in result.stderr
    assert "dashctl init" in result.stderr


def test_invalid_configuration_names_the_key(make_project):
    project = make_project(config='output = "deploy"\n[environments.dev]\nnamespace = "Not_A_Namespace"\n')
    result = project.run("build")
    assert result.exit_code == 3
    assert "dashctl.toml" in result.stderr
    assert "not a valid Kubernetes namespace" in result.stderr


def test_debug_shows_the_traceback(built):
    built.write("dashboards/raising.py", dashboard_file(uid="x", datasource="nope"))
    from click.testing import CliRunner

    from dashctl.cli.main import cli
    from dashctl.errors import DefinitionErrors

    import os

    cwd = os.getcwd()
    os.chdir(built.root)
    try:
        result = CliRunner().invoke(cli, ["--debug", "build"])
    finally:
        os.chdir(cwd)
    # The traceback is shown and the exit code stays the error's (issue 9 item 7).
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert DefinitionErrors.__name__ in result.stderr
