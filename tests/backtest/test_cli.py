"""`dashctl backtest` end to end: a git repository whose alert rule changes, replayed against the real Prometheus."""

from __future__ import annotations

import json

import pytest

from tests.diff.conftest import Repository, git
from tests.history import WEEK_MINUTES

RULE = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="shop", folder="Shop", team="shop")
def shop(env):
    return [
        AlertRule(
            uid="checkout-errors",
            title="Checkout error ratio high",
            query=PromQL(expr='backtest_error_ratio{service="checkout"}'),
            condition=Threshold(above=@THRESHOLD@),
            for_="@FOR@",
            severity="warning",
            summary="Checkout fails",
            runbook_url="https://runbooks.example.com/checkout",
        ),
        AlertRule(
            uid="untouched",
            title="Untouched rule",
            query=PromQL(expr='backtest_error_ratio{service="cart"}'),
            condition=Threshold(above=0.5),
            for_="5m",
            severity="warning",
            summary="Cart fails",
            runbook_url="https://runbooks.example.com/cart",
        ),
    ]
'''


def rule(threshold: str, pending: str) -> str:
    return RULE.replace("@THRESHOLD@", threshold).replace("@FOR@", pending)


@pytest.fixture
def repository(make_project):
    project = make_project({"alerts/shop.py": rule("0.10", "10m")})
    git(project.root, "init", "-q", "-b", "main")
    repository = Repository(project)
    repository.build_and_commit("base")
    repository.write("alerts/shop.py", rule("0.05", "5m"))
    return repository


def window(live_prometheus) -> list[str]:
    start = live_prometheus.start
    return ["--since", str(start), "--until", str(start + (WEEK_MINUTES - 1) * 60)]


def test_json_lists_before_and_after_of_the_changed_rule(repository, live_prometheus):
    result = repository.run("backtest", "--env", "prod", "--prometheus", live_prometheus.url,
                            *window(live_prometheus), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(rule["uid"], rule["environment"]) for rule in document["rules"]] == [("checkout-errors", "prod")]
    rule = document["rules"][0]
    # 0.10 for 10m: only the 30% bursts (6 and 3 minutes) exceed it, neither for 10 minutes.
    assert rule["before"]["episodes"] == 0 and rule["before"]["first_fired"] is None
    # 0.05 for 5m: three 20-minute bursts and the 6-minute one.
    assert rule["after"]["episodes"] == 4
    assert rule["after"]["firing_seconds"] == 3 * 15 * 60 + 60
    assert rule["after"]["first_fired"].endswith("Z")
    assert rule["after"]["series"][0]["labels"]["service"] == "checkout"
    assert rule["after"]["series"][0]["episodes"] == 4
    assert document["endpoints"] == {"prod/prometheus": live_prometheus.url}


def test_markdown_has_the_sentence_and_mermaid_charts_within_the_limit(repository, live_prometheus):
    result = repository.run("backtest", "--env", "prod", "--prometheus", live_prometheus.url,
                            *window(live_prometheus), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    # the gap of tests/history.py: 25 evaluations see no sample (the NoData state, not firing)
    assert ("never fired (25 evaluations without data) → fired 4 times, 46 min in all (25 evaluations without "
            "data)") in result.stdout
    assert "```mermaid\nxychart-beta" in result.stdout and "```mermaid\ngantt" in result.stdout
    assert len(result.stdout) < 65_536


def test_named_rules_are_replayed_even_unchanged(repository, live_prometheus):
    result = repository.run("backtest", "--env", "prod", "--prometheus", live_prometheus.url,
                            *window(live_prometheus), "--rule", "untouched")
    assert result.exit_code == 0, result.stderr
    assert "prod · untouched (Untouched rule) · unchanged" in result.stdout
    assert "never fired → never fired" in result.stdout.replace(" (25 evaluations without data)", "")


def test_plots_are_written(repository, live_prometheus, tmp_path):
    pytest.importorskip("matplotlib")
    plots = tmp_path / "plots"
    result = repository.run("backtest", "--env", "prod", "--prometheus", live_prometheus.url,
                            *window(live_prometheus), "--plots", str(plots))
    assert result.exit_code == 0, result.stderr
    png = plots / "prod-checkout-errors.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {png}" in result.stderr


def test_a_missing_url_names_the_setting(repository):
    result = repository.run("backtest", "--env", "prod", "--since", "1h")
    assert result.exit_code == 3
    assert "environment 'prod' has no prometheus query URL" in result.stderr
    assert "prometheus_url" in result.stderr and "--prometheus URL" in result.stderr


def test_refused_credentials_are_exit_4_without_credentials(repository, monkeypatch):
    from tests.live_prometheus import serve_text

    monkeypatch.setenv("DASHCTL_PROMETHEUS_TOKEN", "s3cr3t-token")
    with serve_text(b"unauthorized", status=401) as url:
        result = repository.run("backtest", "--env", "prod", "--since", "1h",
                                "--prometheus", url.replace("http://", "http://user:pa55word@"))
    assert result.exit_code == 4
    assert "refused the credentials (HTTP 401)" in result.stderr and "DASHCTL_PROMETHEUS_TOKEN" in result.stderr
    assert "s3cr3t" not in result.stderr + result.stdout and "pa55word" not in result.stderr + result.stdout


def test_unknown_rule_and_bad_time_are_usage_errors(repository, live_prometheus):
    result = repository.run("backtest", "--env", "prod", "--prometheus", live_prometheus.url, "--rule", "nope")
    assert result.exit_code == 2 and "no alert rule with uid 'nope'" in result.stderr
    assert "checkout-errors" in result.stderr
    result = repository.run("backtest", "--since", "yesterday")
    assert result.exit_code == 2 and "--since 'yesterday' is not a time" in result.stderr


def test_diff_markdown_with_backtest(repository, live_prometheus):
    result = repository.run("diff", "--env", "prod", "--format", "markdown", "--backtest",
                            "--prometheus", live_prometheus.url, *window(live_prometheus),
                            "--artifact-url", "https://github.com/o/r/actions/runs/1")
    assert result.exit_code == 0, result.stderr
    comment = result.stdout
    assert comment.startswith("### dashctl diff")
    assert comment.index("<code>checkout-errors</code>") < comment.index("### What the changed alert rules would")
    assert "→ fired 4 times, 46 min in all" in comment
    assert "[backtest plots](https://github.com/o/r/actions/runs/1)" in comment
    assert "```mermaid" in comment and len(comment) <= 65_536
