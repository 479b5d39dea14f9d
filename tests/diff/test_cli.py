"""`dashctl diff` as a command: exit codes, the base revision, and a working tree left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tests.diff.conftest import PAGING_VALUES, alerts, git


def test_nothing_differs_exit_0_even_with_exit_code(alerting_repository):
    for args in ((), ("--exit-code",), ("--exit-code", "--format", "markdown"), ("--exit-code", "--format", "json")):
        result = alerting_repository.run("diff", *args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
    assert alerting_repository.run("diff").stdout.endswith("\nno differences\n")
    assert "No differences." in alerting_repository.run("diff", "--format", "markdown").stdout
    assert json.loads(alerting_repository.run("diff", "--format", "json").stdout)["differences"] is False


def test_differences_exit_1_with_exit_code_and_0_without(alerting_repository):
    alerting_repository.write("alerts/checkout.py", alerts(**PAGING_VALUES))

    assert alerting_repository.run("diff").exit_code == 0
    for output_format in ("text", "markdown", "json"):
        result = alerting_repository.run("diff", "--exit-code", "--format", output_format)
        assert result.exit_code == 1, output_format
        assert "checkout-error-ratio" in result.stdout


def test_a_build_error_exits_3_and_names_the_file(alerting_repository):
    alerting_repository.write("alerts/checkout.py", alerts(THRESHOLD="0.05 +"))

    result = alerting_repository.run("diff", "--exit-code")

    assert result.exit_code == 3
    assert "alerts/checkout.py" in result.stderr
    assert result.stdout == ""


def test_an_unknown_base_exits_2_naming_it(alerting_repository):
    result = alerting_repository.run("diff", "--base", "no-such-branch")

    assert result.exit_code == 2
    assert "unknown git revision 'no-such-branch'" in result.stderr
    assert result.stdout == ""


def test_outside_a_git_repository_is_a_usage_error(make_project):
    project = make_project()
    assert project.run("build").exit_code == 0

    result = project.run("diff")

    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr


def _tree_state(root: Path) -> dict[str, str]:
    """Every file under the repository, .git included, by content digest and mode."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path.relative_to(root))] = f"{digest} {path.stat().st_mode}"
        elif path.is_dir():
            state[str(path.relative_to(root)) + "/"] = ""
    return state


def _status(root: Path) -> str:
    return git(root, "status", "--porcelain=v2", "--untracked-files=all", "--ignored")


def test_the_working_tree_and_the_index_are_untouched(make_repository, monkeypatch):
    # A shared module imported by a definition: importing it must not leave __pycache__ behind.
    repository = make_repository({
        "telemetry.py": 'RATE = "$__rate_interval"\n',
        "dashboards/rate.py": (
            "from grafanalib.core import Dashboard, Target, TimeSeries\n"
            "from dashctl.definitions import dashboard\n"
            "from telemetry import RATE\n\n\n"
            '@dashboard(uid="rate", folder="Shop")\n'
            "def rate(env):\n"
            '    return Dashboard(title="Rate", panels=[TimeSeries(title="Rate", description="Rate.", '
            'dataSource="metrics", unit="reqps", targets=[Target(expr="sum(rate(up[%s]))" % RATE, refId="A")])])\n'
        ),
        "alerts/checkout.py": alerts(),
    })
    # Work in progress of every kind: staged, modified, untracked, and a stale deploy/.
    repository.write("alerts/checkout.py", alerts(**PAGING_VALUES))
    repository.git("add", "alerts/checkout.py")
    repository.write("alerts/checkout.py", alerts(**{**PAGING_VALUES, "FOR": "15m"}))
    repository.write("notes.txt", "untracked\n")
    (repository.root / "deploy/dev/kustomization.yaml").write_text("stale: true\n")
    status, state = _status(repository.root), _tree_state(repository.root)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as for most users (PYTHONDONTWRITEBYTECODE unset)

    result = repository.run("diff", "--exit-code")

    assert result.exit_code == 1, result.stderr
    assert "for: 5m → 15m" in result.stdout  # the working tree, not the index
    assert _tree_state(repository.root) == state
    assert _status(repository.root) == status


def test_the_default_base_is_origin_main_then_main_then_head(make_repository):
    repository = make_repository({"alerts/checkout.py": alerts()})
    first = repository.git("rev-parse", "HEAD").strip()
    repository.write("alerts/checkout.py", alerts(FOR="7m"))
    repository.build_and_commit("for 7m")
    repository.write("alerts/checkout.py", alerts(FOR="9m"))

    assert "for: 7m → 9m" in repository.run("diff").stdout  # main
    repository.git("update-ref", "refs/remotes/origin/main", first)
    out = repository.run("diff").stdout
    assert out.startswith(f"dashctl diff: origin/main ({first[:12]})") and "for: 5m → 9m" in out
    repository.git("update-ref", "-d", "refs/remotes/origin/main")
    repository.git("checkout", "-q", "-b", "feature")
    repository.git("branch", "-q", "-D", "main")
    out = repository.run("diff").stdout
    assert out.startswith("dashctl diff: HEAD (") and "for: 7m → 9m" in out
    assert "for: 5m → 9m" in repository.run("diff", "--base", first).stdout


def test_no_deploy_directory_at_the_base_means_everything_is_added(make_repository):
    repository = make_repository({"alerts/checkout.py": alerts()}, build=False)
    repository.commit("definitions only")

    result = repository.run("diff", "--env", "dev", "--format", "json")

    document = json.loads(result.stdout)
    assert {change["status"] for change in document["changes"]} == {"added"}
    assert [(row["kind"], row["added"]) for row in document["summary"]] == [
        ("alert rule", 1), ("notification policy", 1), ("contact point", 2), ("dashboard", 1), ("datasource", 2),
    ]
    rule = document["changes"][0]
    assert {item["field"]: item["after"] for item in rule["fields"]}["routing"] == "sre-slack"


def test_an_environment_dropped_from_the_configuration_shows_as_removed(alerting_repository):
    config = (alerting_repository.root / "dashctl.toml").read_text()
    alerting_repository.write("dashctl.toml", config[:config.index("[environments.prod]")])

    document = json.loads(alerting_repository.run("diff", "--format", "json").stdout)

    assert document["environments"] == ["dev", "prod"]
    # The ApplicationSet no longer generates the prod Application: that shows too.
    assert {(change["environment"], change["status"]) for change in document["changes"]} == {
        ("prod", "removed"), ("argocd", "changed")}


def test_the_output_is_deterministic(alerting_repository):
    alerting_repository.write("alerts/checkout.py", alerts(**PAGING_VALUES))
    for output_format in ("text", "markdown", "json"):
        first = alerting_repository.run("diff", "--format", output_format).stdout
        assert alerting_repository.run("diff", "--format", output_format).stdout == first


def test_json_shape(alerting_repository):
    alerting_repository.write("alerts/checkout.py", alerts(**PAGING_VALUES))

    document = json.loads(alerting_repository.run("diff", "--env", "dev", "--format", "json").stdout)

    assert set(document) == {"format_version", "base", "environments", "differences", "totals", "summary",
                             "changes", "warnings"}
    assert document["format_version"] == 1 and document["differences"] is True
    assert document["base"]["ref"] == "main" and len(document["base"]["commit"]) == 40
    assert document["totals"] == {"added": 0, "changed": 1, "removed": 0}
    change = document["changes"][0]
    assert set(change) == {"environment", "kind", "key", "title", "status", "fields"}
    assert (change["environment"], change["kind"], change["key"], change["status"]) == (
        "dev", "alert rule", "checkout-error-ratio", "changed")
    for item in change["fields"]:
        assert {"field", "change", "before", "after", "secret"} <= set(item) <= {
            "field", "change", "before", "after", "secret", "words", "lines"}
