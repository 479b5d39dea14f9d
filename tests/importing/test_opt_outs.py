"""Two dashboards that Grafana shows although `dashctl build` would refuse them as written: one uses variables no
template defines, one holds queries Prometheus and Loki reject. The import keeps both exactly through the build's
opt-outs (`allow_undefined_variables`, `Target(unvalidated=...)`), says why in the code and reports each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from dashctl.cli.main import cli
from dashctl.importing import check_generated, import_sources, read_paths
from dashctl.project.config import load_project

PROM = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
LOKI = {"type": "loki", "uid": "P8E80F9AEF21F6940"}
MATCHERS = 'sum(rate(ceph_rgw_sync_delta{%(matchers)s}[$__rate_interval])) by (shard)'
BROKEN_LOGQL = '{job="nginx"} |= "error" | jsn'


def _panel(panel_id: int, title: str, targets: list[dict], *, datasource=PROM, y: int = 0, **more) -> dict:
    return {"id": panel_id, "type": "timeseries", "title": title, "datasource": datasource,
            "gridPos": {"h": 8, "w": 12, "x": 0, "y": y}, "targets": targets,
            "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []}, **more}


def undefined_variables() -> dict:
    """As the nodejs, snmp and wso2 mixins have it: `$hostname` in a query, `${datasource}` in a link, a repeat
    over `$node`, and `$cluster` in a variable's query; `$job` is defined and used properly."""
    return {
        "uid": "undefined-variables", "title": "Undefined variables", "schemaVersion": 39, "editable": False,
        "templating": {"list": [
            {"name": "job", "type": "query", "datasource": PROM, "refresh": 1,
             "query": 'label_values(up{cluster="$cluster"}, job)', "definition": "label_values(up, job)"},
        ]},
        "panels": [
            _panel(1, "Restarts", [{
                "refId": "A", "datasource": PROM,
                "expr": 'changes(process_start_time_seconds{job="$job", instance="$hostname"}[1h])'}]),
            _panel(2, "Traffic", [{"refId": "A", "datasource": PROM, "expr": 'rate(ifHCInOctets{job="$job"}[5m])'}],
                   y=8, links=[{"title": "Drill down", "url": "/d/snmp?var-datasource=${datasource}"}]),
            _panel(3, "Node $node", [{"refId": "A", "datasource": PROM, "expr": 'up{job="$job", node="$node"}'}],
                   y=16, repeat="node", repeatDirection="h"),
        ],
    }


def invalid_queries() -> dict:
    """A jsonnet `%(matchers)s` left unexpanded (the Ceph mixin), once under a datasource variable; a LogQL query
    with a misspelt parser; valid queries beside them."""
    return {
        "uid": "invalid-queries", "title": "Invalid queries", "schemaVersion": 39, "editable": False,
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": [
            _panel(1, "Sync delta", [
                {"refId": "A", "datasource": PROM, "expr": "sum(rate(ceph_rgw_sync_delta[$__rate_interval]))"},
                {"refId": "B", "datasource": PROM, "expr": MATCHERS},
            ]),
            _panel(2, "Sync delta by variable", [{"refId": "A", "expr": MATCHERS}],
                   datasource={"type": "prometheus", "uid": "${datasource}"}, y=8),
            _panel(3, "Errors", [{"refId": "A", "datasource": LOKI, "expr": BROKEN_LOGQL}], datasource=LOKI, y=16),
        ],
    }


def _import(tmp_path: Path, project_dir: Path, model: dict):
    path = tmp_path / f"{model['uid']}.json"
    path.write_text(json.dumps(model))
    project = load_project(project_dir)
    result = import_sources(read_paths([path]), project)
    return project.select_environments()[0], result


def _problems_without_opt_outs(item, environment) -> list[str]:
    """What the build says of the definition once its opt-outs are taken out: the dashboard as written."""
    source = re.sub(r"\n\s*allow_undefined_variables=\([^)]*\),|, allow_undefined_variables=\([^)]*\)", "",
                    item.source)
    source = re.sub(r"\n\s*unvalidated=.*,\n", "\n", source)
    assert "allow_undefined_variables" not in source and "unvalidated=" not in source
    return check_generated(type(item)(**{**vars(item), "source": source}), environment)[1]


def test_undefined_variables_round_trip_and_build_through_the_allowance(tmp_path, project_dir):
    environment, result = _import(tmp_path, project_dir, undefined_variables())
    [item] = result.files
    assert check_generated(item, environment) == ([], [])
    assert 'allow_undefined_variables=("cluster", "datasource", "hostname", "node")' in item.source
    assert "# $hostname in panel 'Restarts' query A\n" in item.source
    assert "# $node in panel 'Node $node' repeat\n" in item.source
    warnings = sorted((entry.where, entry.message.split(":")[0]) for entry in result.entries if entry.kind == "warning")
    assert warnings == [
        ("panel 'Node $node'", "repeats over $node, which no template variable defines (Grafana shows the panel once)"),
        ("panel 'Restarts' query A", "uses $hostname, which no template variable of this dashboard defines (Grafana "
                                     "leaves it as written)"),
        ("panel 'Traffic' link 'Drill down'", "uses $datasource, which no template variable of this dashboard "
                                              "defines (Grafana leaves it as written)"),
        ("variable 'job' query", "uses $cluster, which no template variable of this dashboard defines (Grafana "
                                 "leaves it as written)"),
    ]
    assert len(_problems_without_opt_outs(item, environment)) == 4


def test_invalid_queries_round_trip_and_build_unvalidated(tmp_path, project_dir):
    environment, result = _import(tmp_path, project_dir, invalid_queries())
    [item] = result.files
    assert check_generated(item, environment) == ([], [])
    assert item.source.count("unvalidated=") == 3
    assert item.source.count("# Not validated, kept as it is: the original query is invalid") == 3
    assert "unvalidated=\"not valid PromQL in the original dashboard: unexpected character inside braces: '%'\"" \
        in item.source
    assert "sum(rate(ceph_rgw_sync_delta[$__rate_interval]))\"" in item.source  # the valid one is not marked
    warnings = {entry.where: entry.message for entry in result.entries if entry.kind == "warning"}
    assert set(warnings) == {"panel 'Sync delta' query B", "panel 'Sync delta by variable' query A",
                             "panel 'Errors' query A"}
    assert warnings["panel 'Errors' query A"].startswith("not valid LogQL in the original dashboard: ")
    assert len(_problems_without_opt_outs(item, environment)) == 3


def test_the_imported_opt_outs_build_pass_lint_at_error_level_and_warn(tmp_path, project_dir):
    paths = []
    for model in (undefined_variables(), invalid_queries()):
        path = tmp_path / f"{model['uid']}.json"
        path.write_text(json.dumps(model))
        paths.append(str(path))
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", "--project", str(project_dir), *paths, "--check"])
    assert imported.exit_code == 0, imported.output
    assert "warning: panel 'Restarts' query A: uses $hostname" in imported.stderr
    build = runner.invoke(cli, ["build", "--project", str(project_dir)])
    assert build.exit_code == 0, build.output
    built = [json.loads(text) for path in sorted((project_dir / "deploy").rglob("*.yaml"))
             for document in yaml.safe_load_all(path.read_text()) if isinstance(document, dict)
             for name, text in (document.get("data") or {}).items() if name.endswith(".json")]
    [model] = [model for model in built if model.get("uid") == "invalid-queries"]
    assert model["panels"][0]["targets"][1]["expr"] == MATCHERS
    assert "__dashctl" not in json.dumps(model)
    errors = runner.invoke(cli, ["lint", "--project", str(project_dir), "--min-severity", "error"])
    assert errors.exit_code == 0, errors.output
    lint = runner.invoke(cli, ["lint", "--project", str(project_dir), "--format", "json"])
    rules = [finding["rule"] for finding in json.loads(lint.stdout)["findings"]]
    assert rules.count("dashboard/undefined-variable-allowed") == 4
    assert rules.count("panel/unvalidated-query") == 3
    assert not any(rule.endswith("/syntax") for rule in rules)


def test_a_query_that_needs_only_experimental_functions_is_not_marked(tmp_path, project_dir):
    model = invalid_queries()
    model["panels"] = [_panel(1, "Sorted", [{"refId": "A", "datasource": PROM, "expr": 'sort_by_label(up, "job")'}])]
    environment, result = _import(tmp_path, project_dir, model)
    [item] = result.files
    assert "unvalidated=" not in item.source
    assert not [entry for entry in result.entries if entry.kind == "warning"]
    # the build refuses it where the Prometheus does not enable them (its hint says to declare them)
    assert check_generated(item, environment)[1] == ['function "sort_by_label" is not enabled']
