"""`dashctl import --grafana-url` bringing alert rules through Grafana's provisioning export, end to end against the
Grafana API emulator over loopback: the rules written, built and compared with the ones Grafana holds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dashctl.cli.main import cli
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture
from tests.grafana_emulator.server import GrafanaEmulator


def _pipeline(uid: str, title: str, expr: str, above: float, **fields):
    rule = {
        "uid": uid, "title": title, "condition": "C", "noDataState": "NoData", "execErrState": "Error", "for": "5m",
        "data": [
            {"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": "prom-dev",
             "model": {"refId": "A", "expr": expr, "instant": True}},
            {"refId": "B", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"refId": "B", "type": "reduce", "expression": "A", "reducer": "last"}},
            {"refId": "C", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"refId": "C", "type": "threshold", "expression": "B",
                       "conditions": [{"evaluator": {"type": "gt", "params": [above]}}]}},
        ],
    }
    rule.update(fields)
    return rule


@pytest.fixture
def grafana(grafana_emulator: GrafanaEmulator) -> GrafanaEmulator:  # noqa: F811 - the fixture
    grafana_emulator.add_datasource(uid="prom-dev", name="Prometheus", type="prometheus", is_default=True)
    grafana_emulator.add_folder("ops", "Operations")
    grafana_emulator.add_folder("shop", "Shop")
    grafana_emulator.add_rule_group("ops", "api", interval=60, rules=[
        _pipeline("api-errors", "API errors over $5 budget", "sum(rate(http_errors_total[5m]))", 0.5,
                  labels={"severity": "critical", "cost_center": "$ops"},
                  annotations={"summary": "{{ $values.B.Value }} errors per second",
                               "runbook_url": "https://runbooks.example.com/api-errors"}),
        _pipeline("api-latency", "API latency", "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))", 2,
                  labels={"severity": "warning"}, **{"keep_firing_for": "10m"}),
    ])
    grafana_emulator.add_rule_group("shop", "checkout", interval=120, rules=[
        _pipeline("checkout-down", "Checkout down", "up{job=\"checkout\"}", 0, labels={"severity": "warning"}),
    ])
    return grafana_emulator


@pytest.fixture
def project(project_dir: Path) -> Path:
    (project_dir / "alerts").mkdir()
    config = project_dir / "dashctl.toml"
    config.write_text(config.read_text().replace('roots = ["dashboards"]', 'roots = ["dashboards", "alerts"]'))
    return project_dir


def _run(project: Path, *args: str, token: str):
    return CliRunner().invoke(cli, ["import", "--project", str(project), *args], env={"GRAFANA_TOKEN": token})


def _built_rules(project: Path) -> dict[str, dict]:
    build = CliRunner().invoke(cli, ["build", "--project", str(project)])
    assert build.exit_code == 0, build.output
    rules = {}
    for path in (project / "deploy").rglob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text()):
            for text in ((document or {}).get("data") or {}).values():
                parsed = yaml.safe_load(text) if isinstance(text, str) and "groups" in text else None
                for group in (parsed or {}).get("groups") or []:
                    for rule in group["rules"]:
                        rules[rule["uid"]] = {**rule, "group": group["name"], "folder": group["folder"],
                                              "interval": group["interval"]}
    return rules


def test_folder_alert_rules_import_build_and_keep_their_meaning(grafana: GrafanaEmulator, project: Path):
    result = _run(project, "--grafana-url", grafana.url, "--folder-uid", "ops", "--alerts", "--check",
                  "--format", "json", token=grafana.token)
    assert result.exit_code == 0, result.output
    assert grafana.token not in result.output
    written = sorted(p.name for p in (project / "alerts").iterdir())
    assert written == ["operations.py", "operations_tests.py"]  # named after the folder; only the folder asked for
    source = (project / "alerts" / "operations.py").read_text()
    # The export doubles `$` for file provisioning; the definition holds what Grafana shows.
    assert "API errors over $5 budget" in source and "$$" not in source and '"$ops"' in source
    built = _built_rules(project)
    assert sorted(built) == ["api-errors", "api-latency"]
    errors, latency = built["api-errors"], built["api-latency"]
    assert (errors["title"], errors["folder"], errors["group"], errors["interval"]) == (
        "API errors over $$5 budget", "Operations", "api", "1m")  # escaped again by the build, as Grafana wants
    assert errors["for"] == "5m" and errors["labels"]["severity"] == "critical"
    assert errors["labels"]["cost_center"] == "$$ops"
    assert errors["annotations"]["summary"] == "{{ $values.B.Value }} errors per second"
    query = next(node for node in errors["data"] if node["datasourceUid"] == "prom-dev")
    assert query["model"]["expr"] == "sum(rate(http_errors_total[5m]))"
    threshold = next(node for node in errors["data"] if node["model"].get("type") == "threshold")
    assert threshold["model"]["conditions"][0]["evaluator"] == {"type": "gt", "params": [0.5]}
    assert latency["keepFiringFor"] == "10m" and latency["labels"]["severity"] == "warning"


def test_all_with_alerts_brings_every_folder_and_rule_uid_one_rule(grafana: GrafanaEmulator, project: Path):
    everything = _run(project, "--grafana-url", grafana.url, "--all", "--alerts", token=grafana.token)
    assert everything.exit_code == 0, everything.output
    assert sorted(p.name for p in (project / "alerts").iterdir()) == [
        "operations.py", "operations_tests.py", "shop.py", "shop_tests.py"]
    assert sorted(_built_rules(project)) == ["api-errors", "api-latency", "checkout-down"]
    for path in (project / "alerts").iterdir():
        path.unlink()
    one = _run(project, "--grafana-url", grafana.url, "--rule-uid", "checkout-down", token=grafana.token)
    assert one.exit_code == 0, one.output
    assert sorted(_built_rules(project)) == ["checkout-down"]
    assert not list((project / "dashboards").iterdir())  # no dashboard asked for, none imported


def test_rule_options_are_checked_and_a_missing_rule_is_an_error(grafana: GrafanaEmulator, project: Path):
    unscoped = _run(project, "--grafana-url", grafana.url, "--uid", "x", "--alerts", token=grafana.token)
    assert unscoped.exit_code == 2 and "--alerts brings the alert rules of --all or --folder-uid" in unscoped.stderr
    offline = _run(project, "--rule-uid", "x", token=grafana.token)
    assert offline.exit_code == 2 and "go with --grafana-url" in offline.stderr
    missing = _run(project, "--grafana-url", grafana.url, "--rule-uid", "nope", "--rule-uid", "checkout-down",
                   token=grafana.token)
    assert missing.exit_code == 3 and "no alert rule with uid 'nope'" in missing.stderr
    assert not list((project / "alerts").iterdir())  # nothing half-written
    assert grafana.token not in missing.output


def test_round_trip_through_a_second_grafana_gives_the_same_export(grafana: GrafanaEmulator, project: Path):
    """Exported from one Grafana, imported, built, provisioned into another: both export the same rules."""
    from tests.grafana_emulator.server import GrafanaEmulator as Emulator

    from dashctl.grafana.client import GrafanaClient

    grafana.add_rule_group("shop", "paused", interval=60, rules=[
        _pipeline("shop-paused", "Shop paused", "sum(rate(orders_total[10m]))", 3, isPaused=True,
                  labels={"severity": "info", "team": "shop"}, noDataState="OK", execErrState="Alerting"),
    ])
    result = _run(project, "--grafana-url", grafana.url, "--all", "--alerts", token=grafana.token)
    assert result.exit_code == 0, result.output
    built = _built_rules(project)
    with GrafanaClient(grafana.url, token=grafana.token) as client:
        original = client.export_alert_rules()
    with Emulator() as second:
        for folder in ("ops", "shop"):
            second.add_folder(folder, {"ops": "Operations", "shop": "Shop"}[folder])
        groups: dict[tuple[str, str], list[dict]] = {}
        for rule in built.values():
            groups.setdefault((rule["folder"], rule["group"], rule["interval"]), []).append(rule)
        for (folder, group, interval), rules in groups.items():
            rest = [{**{k: v for k, v in rule.items() if k not in ("group", "folder", "interval", "keepFiringFor")},
                     "keep_firing_for": rule.get("keepFiringFor", "0s"),
                     "title": rule["title"].replace("$$", "$"),
                     "labels": {k: v.replace("$$", "$") for k, v in rule.get("labels", {}).items()}}
                    for rule in rules]
            folder_uid = {"Operations": "ops", "Shop": "shop"}[folder]
            second.add_rule_group(folder_uid, group.replace("$$", "$"), rules=rest,
                                  interval={"1m": 60, "2m": 120}[interval])
        with GrafanaClient(second.url, token=second.token) as client:
            again = client.export_alert_rules()

    def comparable(export: dict) -> list:
        # dashctl writes an instant query's `range: false`, which Grafana's Prometheus query model defaults to.
        groups = sorted(export["groups"], key=lambda g: (g["folder"], g["name"]))
        for group in groups:
            group["rules"] = sorted(group["rules"], key=lambda r: r["uid"])
            for rule in group["rules"]:
                for node in rule["data"]:
                    if node["model"].get("range") is False:
                        del node["model"]["range"]
        return groups

    # dashctl's rules carry a summary: a rule without one gets its title, a change the report names.
    for group in original["groups"]:
        for rule in group["rules"]:
            rule.setdefault("annotations", {}).setdefault("summary", rule["title"].replace("$$", "$"))
    assert comparable(again) == comparable(original)
    assert result.stderr.count("no summary annotation; the summary is its name") == 3


def test_datasources_of_the_source_grafana_map_by_type_or_by_option(grafana: GrafanaEmulator, project: Path):
    grafana.add_datasource(uid="loki-prod", name="Logs prod", type="loki")
    grafana.add_datasource(uid="other-prom", name="Other", type="prometheus")
    grafana.add_folder("logs", "Logs")
    logs = _pipeline("log-errors", "Log errors", 'sum(count_over_time({app="api"} |= "error" [5m]))', 10)
    logs["data"][0] |= {"datasourceUid": "loki-prod", "queryType": "instant"}
    metrics = _pipeline("other-up", "Other up", "up", 0)
    metrics["data"][0]["datasourceUid"] = "other-prom"
    grafana.add_rule_group("logs", "logs", rules=[logs, metrics])
    # Two Prometheus datasources in the source Grafana, one in the project: both map to it by type; Loki likewise.
    result = _run(project, "--grafana-url", grafana.url, "--folder-uid", "logs", "--alerts", token=grafana.token)
    assert result.exit_code == 0, result.output
    assert "datasource uid 'loki-prod' of the source Grafana became 'logs'" in result.stderr
    assert "datasource uid 'other-prom' of the source Grafana became 'metrics'" in result.stderr
    assert "none of the environment's" not in result.stderr
    built = _built_rules(project)
    assert built["log-errors"]["data"][0]["datasourceUid"] == "loki-dev"
    assert built["other-up"]["data"][0]["datasourceUid"] == "prom-dev"


def test_rules_of_a_nested_folder_get_a_folder_title_dashctl_can_file(grafana: GrafanaEmulator, project: Path):
    grafana.add_folder("team", "Team A/B", parent_uid="ops")
    grafana.add_rule_group("team", "api", rules=[_pipeline("nested", "Nested", "up", 0)])
    result = _run(project, "--grafana-url", grafana.url, "--rule-uid", "nested", token=grafana.token)
    assert result.exit_code == 0, result.output
    # Grafana exports the full path "Operations/Team A\/B"; dashctl files rules by one title without "/".
    assert "folder 'Operations/Team A\\\\/B' became 'Team A-B'" in result.stderr
    assert "(the folder is nested in Grafana)" in result.stderr
    assert _built_rules(project)["nested"]["folder"] == "Team A-B"


def test_reading_rules_survives_transient_faults_over_40_seeds(grafana: GrafanaEmulator):
    """Statuses 429/500/502/503/504, connections dropped before and after Grafana answered, slow answers: the
    export read through the client's retries is the fault-free one, seed after seed."""
    from dashctl.grafana.client import GrafanaClient
    from dashctl.grafana.transport import RetryPolicy
    from dashctl.importing import read_grafana
    from tests.grafana_emulator import transient_faults

    def read() -> list:
        with GrafanaClient(grafana.url, token=grafana.token,
                           retry=RetryPolicy(budget=10, backoff=0.001, max_delay=0.01)) as client:
            found = read_grafana(client, everything=True, alerts=True, rule_uids=["checkout-down"])
        return [(document.origin.split(" ", 1)[1], document.name, document.document) for document in found.rules]

    expected = read()
    assert [name for _, name, _ in expected] == ["Operations", "Shop"]
    failures, fired = [], 0
    for seed in range(7100, 7140):
        grafana.faults.clear()
        errors, delays = transient_faults(seed)
        grafana.faults.add(errors)
        grafana.faults.add(delays)
        try:
            got = read()
            if got != expected:
                failures.append(f"seed {seed}: {got!r}")
        except Exception as error:  # noqa: BLE001 - every seed runs; failures are reported together
            failures.append(f"seed {seed}: {type(error).__name__}: {error}")
        fired += errors.fired
    grafana.faults.clear()
    assert not failures, "\n".join(failures)
    assert fired > 25, f"the fault plan fired only {fired} times"
