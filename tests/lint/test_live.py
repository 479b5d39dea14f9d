"""`dashctl lint --live` end to end against the session's real Prometheus (tests/live_prometheus.py)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.conftest import _chdir
from tests.lint.harness import alert_rule, alert_rules, dashboard, time_series

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_the_bundled_definitions_are_clean_against_their_telemetry_contract(live_prometheus):
    """Every metric, label and type the platform's dashboards and alerts use exists in series that follow
    DESIGN.md §1.1 (tests/telemetry_exposition.py)."""
    with _chdir(REPO):
        result = CliRunner().invoke(cli, ["lint", "--live", "--prometheus", live_prometheus.url, "--format", "json",
                                          "--min-severity", "info"], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert [f"{f['file']}:{f['line']} {f['rule']}: {f['message']}" for f in document["findings"]] == []


def test_each_problem_is_found_with_file_and_line(make_project, live_prometheus):
    project = make_project({
        "alerts/shop.py": alert_rules(
            alert_rule("typo", expr='sum(rate(http_request_duration_seconds_cont{namespace="prod"}[5m])) > 1'),
            alert_rule("gauge-rate", title="Gauge rate", expr="sum(rate(process_resident_memory_bytes[5m])) > 1"),
        ),
        "dashboards/shop.py": dashboard(time_series(
            title="Wrong label", expr='sum by (rout) (rate(http_request_duration_seconds_count[$__rate_interval]))')),
    }, basic=False)
    result = project.run("lint", "--live", "--prometheus", live_prometheus.url)
    assert result.exit_code == 1, result.stderr
    text = result.stdout
    source = (project.root / "alerts/shop.py").read_text().splitlines()
    typo_line = next(n for n, line in enumerate(source, 1) if "seconds_cont{" in line)
    gauge_line = next(n for n, line in enumerate(source, 1) if "process_resident_memory_bytes" in line)
    panel_line = next(n for n, line in enumerate((project.root / "dashboards/shop.py").read_text().splitlines(), 1)
                      if "sum by (rout)" in line)  # the line that holds the query
    assert f"alerts/shop.py:{typo_line}: error[promql/series]" in text
    assert f"alerts/shop.py:{gauge_line}: warning[promql/metric-type]" in text
    assert f"dashboards/shop.py:{panel_line}: error[promql/label]" in text
    assert "did you mean 'route'?" in text


def test_prometheus_needs_live_and_a_url(make_project):
    project = make_project({"dashboards/shop.py": dashboard(time_series())}, basic=False)
    result = project.run("lint", "--prometheus", "http://127.0.0.1:9")
    assert result.exit_code == 2 and "--prometheus needs --live" in result.stderr
    result = project.run("lint", "--live")
    assert result.exit_code == 3 and "has no prometheus query URL" in result.stderr
