"""Every core panel type of current Grafana, written with dashctl.panels: each compiles to JSON that Grafana's
dashboard schema accepts, carries its options and field config, and round-trips (the compiled JSON, given back
to the compiler as a dict, compiles to itself)."""

from __future__ import annotations

import json

import pytest
from grafanalib.core import Dashboard

from dashctl import panels
from dashctl.dashboards import units
from dashctl.dashboards.compile import compile_dashboard
from dashctl.definitions import Definition
from dashctl.errors import DefinitionError, SourceLocation
from dashctl.panels import CanvasElement, FieldConfig, Override, Query
from dashctl.project.environment import DatasourceRef, Environment
from tests.conftest import SHARED

SCHEMA = SHARED / "reference" / "schemas" / "grafana-dashboard" / "dashboard.jsonschema.json"
ENVIRONMENT = Environment(name="dev", namespace="dev", datasources={
    "metrics": DatasourceRef(uid="prom-dev", type="prometheus"), "logs": DatasourceRef(uid="loki-dev", type="loki"),
    "traces": DatasourceRef(uid="tempo-dev", type="tempo"),
    "profiles": DatasourceRef(uid="pyroscope-dev", type="grafana-pyroscope-datasource")})
RATE = 'sum by (route) (rate(http_requests_total{namespace="dev"}[$__rate_interval]))'
COMMON = {"description": "What it shows.", "datasource": "metrics"}
UP = [(None, "red"), (1, "green")]
DOWN_UP = [{"type": "value", "options": {"0": {"text": "Down", "color": "red"}, "1": {"text": "Up", "color": "green"}}}]

# Grafana's plugin id -> a panel of that type with its typical options set.
CASES = {
    "timeseries": lambda: panels.time_series(title="Rate", unit=units.REQUESTS_PER_SECOND,
                                             queries=[Query(expr=RATE, legend="{{route}}")], stacked=True, **COMMON),
    "stat": lambda: panels.stat(title="Up", unit=units.NONE, queries=["min(up)"], thresholds=UP, **COMMON),
    "gauge": lambda: panels.gauge(title="CPU", unit=units.PERCENT_UNIT, queries=["avg(cpu_ratio)"], maximum=1,
                                  thresholds=[(None, "green"), (0.8, "red")], **COMMON),
    "bargauge": lambda: panels.bar_gauge(title="Memory by pod", unit=units.BYTES, display_mode="lcd",
                                         queries=[Query(expr="sum by (pod) (mem_bytes)", legend="{{pod}}")],
                                         **COMMON),
    "table": lambda: panels.table(title="Top routes", unit=units.REQUESTS_PER_SECOND, queries=[RATE],
                                  sort_by=[("Value", True)], cell_type="color-background", footer=["sum"],
                                  transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True}}}],
                                  overrides=[Override(matcher="byName", value="route",
                                                      properties={"custom.width": 240})], **COMMON),
    "barchart": lambda: panels.bar_chart(title="Requests by route", unit=units.REQUESTS_PER_SECOND,
                                         queries=[RATE], x_field="route", stacked=True, **COMMON),
    "piechart": lambda: panels.pie_chart(title="Share by route", unit=units.REQUESTS_PER_SECOND, queries=[RATE],
                                         donut=True, labels=["name", "percent"], **COMMON),
    "histogram": lambda: panels.histogram(title="Latency spread", unit=units.SECONDS, queries=["latency_seconds"],
                                          bucket_count=20, **COMMON),
    "heatmap": lambda: panels.heatmap(title="Latency buckets", unit=units.SHORT, y_axis_unit=units.SECONDS,
                                      queries=["sum by (le) (rate(http_request_duration_seconds_bucket"
                                               "[$__rate_interval]))"], **COMMON),
    "state-timeline": lambda: panels.state_timeline(title="Targets", queries=[Query(expr="up", legend="{{job}}")],
                                                    mappings=DOWN_UP, **COMMON),
    "status-history": lambda: panels.status_history(title="Probes", queries=["probe_success"], mappings=DOWN_UP,
                                                    **COMMON),
    "logs": lambda: panels.logs(title="Lines", description="Log lines.", datasource="logs",
                                query='{namespace="dev"} |= "error"'),
    "text": lambda: panels.text(title="Read me", description="How to read this dashboard.",
                                content="# Checkout\nRequests and errors of the checkout service."),
    "news": lambda: panels.news(title="Status", description="The provider's status page.",
                                feed_url="https://status.example.com/history.rss"),
    "dashlist": lambda: panels.dashboard_list(title="Related", description="The team's other dashboards.",
                                              tags=["checkout"], include_variables=True, keep_time=True),
    "alertlist": lambda: panels.alert_list(title="Firing", description="Checkout alerts firing now.",
                                           label_filter="team=checkout", states=["firing", "pending", "error"]),
    "nodeGraph": lambda: panels.node_graph(title="Service graph", node_unit=units.REQUESTS_PER_SECOND,
                                           queries=["traces_service_graph_request_total"], **COMMON),
    "traces": lambda: panels.traces(title="Trace", description="The selected trace.", datasource="traces",
                                    query='{resource.service.name="checkout" && status=error}'),
    "flamegraph": lambda: panels.flame_graph(title="CPU profile", description="Where checkout spends CPU.",
                                             datasource="profiles", label_selector='{service_name="checkout"}'),
    "xychart": lambda: panels.xy_chart(title="Latency by load", unit=units.SECONDS, x_field="rps",
                                       y_fields=["p99"], queries=["latency_p99", "requests_rate"], **COMMON),
    "candlestick": lambda: panels.candlestick(title="Price", unit=units.SHORT, queries=["price"],
                                              fields={"open": "first", "close": "last"}, **COMMON),
    "trend": lambda: panels.trend(title="Latency by load", unit=units.SECONDS, x_field="rps",
                                  queries=["latency_p99"], **COMMON),
    "geomap": lambda: panels.geomap(title="Requests by country", unit=units.REQUESTS_PER_SECOND,
                                    queries=['sum by (country) (rate(http_requests_total[$__rate_interval]))'],
                                    lookup_field="country", center=(48.0, 11.0), zoom=3, **COMMON),
    "canvas": lambda: panels.canvas(title="Checkout flow", unit=units.REQUESTS_PER_SECOND, queries=[RATE],
                                    elements=[CanvasElement(type="rectangle", name="API", left=10, top=10,
                                                            text="API"),
                                              CanvasElement(type="metric-value", name="Rate", left=150, top=10,
                                                            field="Value")], **COMMON),
}
CORE_TYPES = {"timeseries", "stat", "gauge", "bargauge", "table", "barchart", "piechart", "histogram", "heatmap",
              "state-timeline", "status-history", "logs", "text", "news", "dashlist", "alertlist", "nodeGraph",
              "traces", "flamegraph", "xychart", "candlestick", "trend", "geomap", "canvas"}


def definition(uid: str = "panels") -> Definition:
    return Definition(kind="dashboard", name="panels", build=lambda env: None,
                      location=SourceLocation(file="dashboards/panels.py", line=1),
                      options={"uid": uid, "folder": "Tests", "layout": "auto"})


def compiled(built) -> dict:
    return compile_dashboard(definition(), built, ENVIRONMENT).model


@pytest.fixture(params=sorted(CASES), name="case")
def case_fixture(request):
    panel_type = request.param
    model = compiled(Dashboard(title="Panels", panels=[CASES[panel_type]()]))
    return panel_type, model


def test_every_core_panel_type_has_a_factory():
    assert set(CASES) == CORE_TYPES


def test_the_panel_compiles_with_its_type_options_and_resolved_datasource(case):
    panel_type, model = case
    (panel,) = model["panels"]
    assert panel["type"] == panel_type
    assert panel["description"] and panel["gridPos"]["w"] > 0 and panel["id"] == 1
    assert isinstance(panel.get("options", {}), dict)
    targets = panel.get("targets", [])
    assert [target["refId"] for target in targets] == ["A", "B", "C"][:len(targets)]
    assert all(target["datasource"]["uid"].endswith("-dev") for target in targets)


@pytest.mark.skipif(not SCHEMA.exists(), reason="reference schemas (../shared/reference/schemas) are absent")
def test_the_compiled_dashboard_validates_against_grafanas_schema(case):
    import jsonschema

    _, model = case
    validator = jsonschema.Draft7Validator(relaxed_schema())
    errors = [f"{list(e.absolute_path)}: {e.message} {[c.message for c in e.context or ()]}"
              for e in validator.iter_errors(model)]
    assert errors == []


def relaxed_schema() -> dict:
    """The schema, except where it contradicts what Grafana writes: an override's `matcher.options` and its
    properties' `value` are `_` (any value) in Grafana's CUE kind, which the SDK's generator rendered as
    `object`; Grafana itself writes `{"id": "byName", "options": "route"}` and `{"id": "unit", "value": "s"}`."""
    schema = json.loads(SCHEMA.read_text())
    schema["definitions"]["MatcherConfig"]["properties"]["options"] = {}
    schema["definitions"]["DynamicConfigValue"]["properties"]["value"] = {}
    return schema


def test_the_compiled_json_round_trips_through_the_compiler(case):
    _, model = case
    text = json.dumps(model, sort_keys=True)
    assert compiled(json.loads(text)) == model


def test_typed_options_land_where_grafana_reads_them():
    gauge = compiled(Dashboard(title="x", panels=[CASES["gauge"]()]))["panels"][0]
    assert gauge["fieldConfig"]["defaults"]["unit"] == "percentunit"
    assert gauge["fieldConfig"]["defaults"]["max"] == 1
    assert gauge["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "green", "value": None}, {"color": "red", "value": 0.8}]
    assert gauge["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    table = compiled(Dashboard(title="x", panels=[CASES["table"]()]))["panels"][0]
    assert table["targets"][0]["format"] == "table" and table["targets"][0]["instant"] is True
    assert table["fieldConfig"]["defaults"]["custom"]["cellOptions"] == {"type": "color-background"}
    assert table["fieldConfig"]["overrides"] == [
        {"matcher": {"id": "byName", "options": "route"}, "properties": [{"id": "custom.width", "value": 240}]}]
    assert table["options"]["sortBy"] == [{"displayName": "Value", "desc": True}]
    traces = compiled(Dashboard(title="x", panels=[CASES["traces"]()]))["panels"][0]
    assert traces["targets"][0]["query"].startswith("{resource.service.name")  # kept: it is Tempo's query
    heatmap = compiled(Dashboard(title="x", panels=[CASES["heatmap"]()]))["panels"][0]
    assert heatmap["targets"][0]["format"] == "heatmap" and heatmap["options"]["calculate"] is False


def test_field_config_keywords_and_extra_merge():
    panel = panels.gauge(title="CPU", unit=units.PERCENT_UNIT, queries=["x"], **COMMON,
                         field=FieldConfig(decimals=1, unit="s", color="fixed:blue", custom={"a": 1}),
                         extra={"options": {"orientation": "vertical", "text": {"valueSize": 20}}})
    data = panel.to_json_data()
    assert data["fieldConfig"]["defaults"]["unit"] == "percentunit"  # the keyword wins over field=
    assert data["fieldConfig"]["defaults"]["decimals"] == 1
    assert data["fieldConfig"]["defaults"]["color"] == {"mode": "fixed", "fixedColor": "blue"}
    assert data["options"]["orientation"] == "vertical" and data["options"]["showThresholdMarkers"] is True
    assert data["options"]["text"] == {"valueSize": 20}


def test_a_misspelt_option_value_suggests_the_closest():
    with pytest.raises(DefinitionError) as raised:
        panels.table(title="T", unit="s", queries=["x"], cell_type="color-backgrund", **COMMON)
    assert raised.value.hint == "did you mean 'color-background'?"


@pytest.mark.parametrize("make, message", [
    (lambda: panels.gauge(title="CPU", description="", datasource="metrics", queries=["x"], unit="percent"),
     "needs a description"),
    (lambda: panels.gauge(title="CPU", unit="", queries=["x"], **COMMON), "needs a unit"),
    (lambda: panels.bar_gauge(title="CPU", unit="short", queries=[], **COMMON), "at least one query"),
    (lambda: panels.bar_gauge(title="CPU", unit="short", queries=["x"], display_mode="fancy", **COMMON),
     "display_mode='fancy' is not one of Grafana's: gradient, lcd, basic"),
    (lambda: panels.alert_list(title="A", description="d", states=["firng"]), "unknown alert state(s) firng"),
    (lambda: panels.news(title="N", description="d", feed_url="status.example.com"), "not an http(s) URL"),
    (lambda: panels.geomap(title="G", unit="short", queries=["x"], latitude_field="lat", **COMMON),
     "latitude_field and longitude_field together"),
    (lambda: panels.histogram(title="H", unit="s", queries=["x"], bucket_count=3, bucket_size=1, **COMMON),
     "bucket_count or bucket_size"),
    (lambda: Override(matcher="byname", value="x", properties={}), "unknown override matcher"),
    (lambda: CanvasElement(type="metric-value", name="v", left=0, top=0), "name its field="),
])
def test_bad_options_are_definition_errors(make, message):
    with pytest.raises(DefinitionError, match=None) as raised:
        make()
    assert message in str(raised.value)
