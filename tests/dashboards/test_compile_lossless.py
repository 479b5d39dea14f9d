"""The compiler keeps what Grafana keeps: explicit positions and every key of a dict or a dashctl.dashboards.generic
model, while grafanalib's own legacy keys and defaults are still cleaned."""

from __future__ import annotations

from grafanalib.core import Dashboard as GrafanalibDashboard
from grafanalib.core import GridPos, Target as GrafanalibTarget, TimeSeries

from dashctl.dashboards.compile import compile_dashboard
from dashctl.dashboards.generic import Dashboard, Panel, Row, Target, Variable
from dashctl.definitions import Definition
from dashctl.errors import SourceLocation
from dashctl.project.environment import DatasourceRef, Environment

ENVIRONMENT = Environment(
    name="dev", namespace="dev", datasources={"metrics": DatasourceRef(uid="prom", type="prometheus")}
)


def _compile(built, layout="auto"):
    definition = Definition(kind="dashboard", name="x", build=lambda env: built,
                            location=SourceLocation(file="dashboards/x.py", line=3),
                            options={"uid": "x", "folder": None, "layout": layout})
    return compile_dashboard(definition, built, ENVIRONMENT).model


def test_plain_dict_keeps_positions_and_every_key():
    model = _compile({
        "title": "T", "timepicker": {"refresh_intervals": ["1m"], "nowDelay": "1m", "hidden": True},
        "panels": [
            {"type": "stat", "title": "A", "datasource": "metrics", "gridPos": {"h": 3, "w": 5, "x": 19, "y": 2},
             "maxDataPoints": 100, "pluginSpecific": {"a": 1},
             "targets": [{"expr": "up", "refId": "A", "step": 10, "intervalFactor": 2}]},
            {"type": "traces", "title": "B", "datasource": {"type": "tempo", "uid": "t"},
             "gridPos": {"h": 8, "w": 24, "x": 0, "y": 10},
             "targets": [{"query": "abc", "queryType": "traceql", "refId": "A"}]},
        ],
    })
    first, second = model["panels"]
    assert first["gridPos"] == {"h": 3, "w": 5, "x": 19, "y": 2}
    assert first["maxDataPoints"] == 100 and first["pluginSpecific"] == {"a": 1}
    assert first["targets"][0]["step"] == 10 and first["targets"][0]["intervalFactor"] == 2
    assert second["targets"][0]["query"] == "abc"
    assert model["timepicker"] == {"refresh_intervals": ["1m"], "nowDelay": "1m", "hidden": True}


def test_generic_model_is_kept_and_its_mark_removed():
    built = Dashboard(
        title="T",
        templating=[Variable(name="window", type="interval", query="1m,5m", extra={"auto_min": "10s"})],
        annotations=[{"name": "Deploys", "datasource": "metrics", "expr": "changes(x[5m]) > 0", "enable": True}],
        panels=[
            Row(title="R", grid_pos=GridPos(h=1, w=24, x=0, y=0)),
            Panel(type="grafana-polystat-panel", title="P", datasource="metrics",
                  grid_pos=GridPos(h=6, w=7, x=3, y=1), targets=[Target(ref_id="A", expr="up", extra={"step": 5})],
                  extra={"polystat": {"shape": "hexagon"}}),
        ],
        extra={"liveNow": True},
    )
    model = _compile(built)
    assert "__dashctlVerbatim__" not in str(model)
    row, panel = model["panels"]
    assert row["gridPos"] == {"h": 1, "w": 24, "x": 0, "y": 0}
    assert panel["gridPos"] == {"h": 6, "w": 7, "x": 3, "y": 1} and panel["polystat"] == {"shape": "hexagon"}
    assert panel["targets"][0] == {"refId": "A", "expr": "up", "step": 5,
                                   "datasource": {"type": "prometheus", "uid": "prom"}}
    assert model["templating"]["list"][0] == {"name": "window", "type": "interval", "query": "1m,5m",
                                              "auto_min": "10s"}
    assert model["annotations"]["list"][0]["datasource"] == {"type": "prometheus", "uid": "prom"}
    assert model["liveNow"] is True


def test_grafanalib_objects_are_still_cleaned_and_laid_out():
    built = GrafanalibDashboard(title="T", panels=[
        TimeSeries(title="A", dataSource="metrics", targets=[GrafanalibTarget(expr="up", refId="A")],
                   gridPos=GridPos(h=8, w=12, x=7, y=9)),
    ])
    panel = _compile(built)["panels"][0]
    assert panel["gridPos"] == {"h": 8, "w": 12, "x": 0, "y": 0}  # automatic layout: only w and h are hints
    assert "maxDataPoints" not in panel and "editable" not in panel and "span" not in panel
    assert not {"step", "intervalFactor", "target", "metric", "query"} & set(panel["targets"][0])
