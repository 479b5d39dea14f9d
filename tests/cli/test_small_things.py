"""Small things a first day ran into (issue 12 item 12): plurals, exit codes, the diff of a cleared value, links."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from dashctl.cli.main import cli
from dashctl.diff.changes import CHANGED, Diff, FieldChange, ObjectChange
from dashctl.diff.render.text import render_text

REPO = Path(__file__).resolve().parents[2]


def test_counts_are_in_the_right_number(make_project):
    project = make_project()
    first = project.run("build")
    assert first.exit_code == 0, first.stderr
    assert "dev: 1 dashboard, 2 datasources" in first.stderr
    assert "; 9 files changed in deploy/" in first.stderr
    second = project.run("build")
    assert "0 files changed" in second.stderr
    assert "(s)" not in first.stderr + second.stderr
    assert "1 dashboards" not in first.stderr


def test_no_project_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 2
    assert "no dashctl project found" in result.stderr


def test_a_value_cleared_to_nothing_says_so_in_the_text_diff():
    change = ObjectChange(environment="dev", kind="dashboard", key="shop-api", title="Shop API", status=CHANGED,
                          fields=(FieldChange(field="Requests › unit", change=CHANGED, before="s", after=""),))
    text = render_text(Diff(base_ref="main", base_commit="", environments=("dev",), changes=(change,)))
    assert 'Requests › unit: s → ""' in text
    assert not any(line.rstrip().endswith("→") for line in text.splitlines())


def test_the_scaffold_gives_every_environment_a_grafana_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init", "team"]).exit_code == 0
    from dashctl.project.config import load_project

    project = load_project(tmp_path / "team")
    assert {name: bool(env.grafana_url) for name, env in project.environments.items()} == {"dev": True, "prod": True}


def test_the_distribution_links_its_documentation():
    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert {"Homepage", "Documentation", "Repository", "Issues"} <= set(urls)
    result = CliRunner().invoke(cli, ["docs"])
    assert result.exit_code == 0, result.output
    assert urls["Documentation"] in result.stdout
    assert "dashctl docs" in CliRunner().invoke(cli, ["--help"]).stdout


def test_docs_lists_every_page_and_names_one():
    from dashctl.cli.docs import TOPICS

    assert set(TOPICS) == {path.stem for path in (REPO / "docs").glob("*.md")}
    result = CliRunner().invoke(cli, ["docs", "alerts"])
    assert result.exit_code == 0 and result.stdout.strip().endswith("/alerts.md")
    wrong = CliRunner().invoke(cli, ["docs", "alert"])
    assert wrong.exit_code == 2 and "alerts" in wrong.stderr


def test_tombstone_count_is_in_the_right_number(make_project):
    project = make_project()
    assert project.run("build").exit_code == 0
    result = project.run("alerts", "tombstones")
    assert result.exit_code == 0, result.stderr
    assert "0 pending tombstones" in result.stderr
