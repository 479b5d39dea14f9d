"""Dashboards by uid and panel: added, removed, changed, moved; queries word by word; volatile fields ignored."""

from __future__ import annotations

import json

from dashctl.diff import compare_snapshots, extract_snapshot, render_text
from dashctl.diff.words import diff_words
from dashctl.encoding import dump_json, dump_yaml

BEFORE = '''
from grafanalib.core import Dashboard, Logs, Stat, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="shop-api", folder="Shop")
def shop_api(env):
    return Dashboard(
        title="Shop API",
        panels=[
            TimeSeries(title="Requests", description="Requests per second.", dataSource="metrics", unit="reqps",
                       targets=[Target(expr='sum(rate(http_requests_total[$__rate_interval]))', refId="A")]),
            Logs(title="Errors", description="Error lines.", dataSource="logs",
                 targets=[Target(expr='{app="shop"} |= "error"', refId="A")]),
            Stat(title="Saturation", description="CPU.", dataSource="metrics",
                 targets=[Target(expr='sum(rate(container_cpu_usage_seconds_total[$__rate_interval]))', refId="A")]),
        ],
    )
'''

AFTER = '''
from grafanalib.core import Dashboard, Logs, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="shop-api", folder="Shop")
def shop_api(env):
    return Dashboard(
        title="Shop API",
        panels=[
            TimeSeries(title="Latency", description="p99.", dataSource="metrics", unit="s",
                       targets=[Target(expr='histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))', refId="A")]),
            TimeSeries(title="Requests", description="Requests per second.", dataSource="metrics", unit="short",
                       targets=[Target(expr='sum(rate(http_requests_total[$__rate_interval]))', refId="A")]),
            Logs(title="Errors", description="Error lines.", dataSource="logs",
                 targets=[Target(expr='{app="shop"} |= "error" != "timeout"', refId="A")]),
        ],
    )
'''


def test_panels_added_removed_changed_and_moved(make_repository):
    repository = make_repository({"dashboards/shop.py": BEFORE})
    repository.write("dashboards/shop.py", AFTER)

    result = repository.run("diff", "--env", "dev")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2] == '~ dev dashboard shop-api "Shop API": changed'
    assert lines[3:9] == [
        '    panel "Latency" (#1): added timeseries',
        '    panel "Requests" (#2): moved x=0 y=0 w=12 h=8 → x=12 y=0 w=12 h=8',
        '    panel "Requests" (#2) › fieldConfig.defaults.unit: reqps → short',
        '    panel "Errors" (#3) › query A: {app="shop"} |= "error"{+ != "timeout"+}',
        '    panel "Saturation" (#3): removed stat',
        "",
    ]
    # The renumbered ids (Requests #1 → #2, Errors #2 → #3) are not changes, nor is the layout anything but a move.
    assert "gridPos" not in result.stdout and "› id" not in result.stdout


def test_a_moved_panel_alone_is_a_move(make_repository):
    repository = make_repository({"dashboards/shop.py": BEFORE})
    requests_panel = BEFORE[BEFORE.index('TimeSeries(title="Requests"'):BEFORE.index("            Logs(")]
    swapped = BEFORE.replace("            " + requests_panel, "").replace(
        "            Stat(", "            " + requests_panel + "            Stat(")
    repository.write("dashboards/shop.py", swapped)

    out = repository.run("diff", "--env", "dev", "--format", "json").stdout

    fields = json.loads(out)["changes"][0]["fields"]
    assert {item["change"] for item in fields} == {"moved"}
    assert [item["field"] for item in fields] == ['panel "Errors" (#1)', 'panel "Requests" (#2)',
                                                 'panel "Saturation" (#3)']


def test_word_level_diff_of_a_query():
    segments = diff_words(
        'sum by (route) (rate(http_requests_total{status_code=~"5.."}[5m]))',
        'sum by (route, method) (rate(http_requests_total{status_code=~"5..",namespace="prod"}[10m]))',
    )
    text = "".join(f"[-{s.text}-]" if s.op == "delete" else f"{{+{s.text}+}}" if s.op == "insert" else s.text
                   for s in segments)
    assert text == ('sum by (route{+, method+}) (rate(http_requests_total{status_code=~"5.."'
                    '{+,namespace="prod"+}}[[-5m-]{+10m+}]))')
    # The segments put together give back both sides.
    assert "".join(s.text for s in segments if s.op != "insert") == (
        'sum by (route) (rate(http_requests_total{status_code=~"5.."}[5m]))')


def _dashboard_files(model: dict, *, folder: str = "Shop") -> dict[str, bytes]:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "dashctl-dashboard-x", "annotations": {"grafana_folder": folder}},
        "data": {"x.dev.json": dump_json(model, minify=True)},
    }
    return {"dev/dashboard-x.yaml": dump_yaml(config_map).encode()}


def _diff(before: dict[str, bytes], after: dict[str, bytes]):
    return compare_snapshots(extract_snapshot(before, ["dev"], origin="base"),
                             extract_snapshot(after, ["dev"], origin="working tree"), base_ref="base")


MODEL = {
    "uid": "x",
    "title": "X",
    "id": None,
    "version": 3,
    "panels": [{"id": 1, "type": "stat", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                "pluginVersion": "10.4.0", "targets": [{"refId": "A", "expr": "up"}]}],
    "templating": {"list": [{"name": "namespace", "type": "query", "query": "label_values(up, namespace)",
                             "current": {"text": "dev", "value": "dev"}, "options": []}]},
}


def test_volatile_fields_are_ignored():
    changed = json.loads(json.dumps(MODEL))
    changed.update(id=17, version=9, iteration=1700000000)
    changed["panels"][0]["pluginVersion"] = "11.0.0"
    changed["templating"]["list"][0]["current"] = {"text": "prod", "value": "prod"}
    changed["templating"]["list"][0]["options"] = [{"text": "prod", "value": "prod"}]

    assert not _diff(_dashboard_files(MODEL), _dashboard_files(changed)).has_differences


def test_variables_and_folder_changes():
    changed = json.loads(json.dumps(MODEL))
    changed["templating"]["list"][0]["query"] = "label_values(kube_pod_info, namespace)"
    changed["templating"]["list"].append({"name": "pod", "type": "query", "query": "label_values(up, pod)"})

    text = render_text(_diff(_dashboard_files(MODEL), _dashboard_files(changed, folder="Platform")))

    assert "    folder: Shop → Platform\n" in text
    assert "    variable $namespace › query: label_values(up, namespace) → label_values(kube_pod_info, namespace)\n" \
        in text
    assert "    variable $pod: added query\n" in text


def test_an_added_dashboard_lists_its_panels_and_a_removed_one_is_named(make_repository):
    repository = make_repository({"dashboards/shop.py": BEFORE})
    repository.write("dashboards/orders.py", BEFORE.replace('uid="shop-api"', 'uid="orders"').replace(
        'title="Shop API"', 'title="Orders"').replace("def shop_api", "def orders"))
    (repository.root / "dashboards/shop.py").unlink()

    out = repository.run("diff", "--env", "dev").stdout

    assert '+ dev dashboard orders "Orders": added\n    folder: Shop\n    panel "Requests" (#1): timeseries\n' in out
    assert '- dev dashboard shop-api "Shop API": removed\n' in out
