"""The parts presets are made of: variables, links, signals, panels; what they render and what they refuse."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from dashctl.dashboards import units
from dashctl.errors import DefinitionError
from dashctl.presets import (
    PINO_HTTP,
    Histogram,
    LogFormat,
    Section,
    ServiceLogs,
    Variable,
    access_log_red_row,
    constant,
    dashboard_link,
    datasource_variable,
    explore_link,
    explore_query,
    label_values,
    logs_row,
    merge_variables,
    metric_selector,
    red_row,
    stat,
    templating,
    textbox,
    time_series,
)
from dashctl.presets.links import url_with_variables
from dashctl.presets.red import quantile_legend
from dashctl.queries.logql_builder import Parser, stream
from dashctl.queries.promql import metric
from tests.presets.cases import BACKEND_LOGS, BACKEND_SELECTOR, HISTOGRAM, LOGS, METRICS


def json_of(thing):
    from grafanalib._gen import DashboardEncoder

    return json.loads(json.dumps(thing.to_json_data(), cls=DashboardEncoder))


# --- variables ----------------------------------------------------------------------------------------------------


def test_label_values_offers_all_by_default_and_refreshes_with_the_time_range():
    pods = label_values("pod", label="pod", selector=metric("up", namespace="$namespace", container="backend"))
    data = pods.to_json_data()
    assert data["query"] == 'label_values(up{namespace="$namespace", container="backend"}, pod)'
    assert data["type"] == "query" and data["datasource"] == "metrics"
    assert data["multi"] is True and data["includeAll"] is True and data["allValue"] == ".*"
    assert data["current"] == {"text": "All", "value": "$__all"}
    assert data["refresh"] == 2
    assert pods.filters_label == "pod"


def test_label_values_takes_a_loki_stream_selector_but_not_a_pipeline():
    variable = label_values("pod", label="pod", selector=stream(app="frontend"), datasource=LOGS)
    assert variable.to_json_data()["query"] == 'label_values({app="frontend"}, pod)'
    assert variable.to_json_data()["datasource"] == {"type": "loki", "uid": "loki-dev"}
    with pytest.raises(DefinitionError, match="stream selector"):
        label_values("pod", label="pod", selector=stream(app="frontend").json())


def test_constant_is_hidden_and_textbox_and_datasource_variables_render():
    assert constant("namespace", "dev").to_json_data() == {
        "name": "namespace",
        "type": "constant",
        "query": "dev",
        "hide": 2,
        "options": [{"selected": True, "text": "dev", "value": "dev"}],
    }
    assert textbox("search").to_json_data()["current"] == {"text": "", "value": ""}
    picker = datasource_variable("datasource", plugin="prometheus", current=METRICS).to_json_data()
    assert (picker["type"], picker["query"], picker["current"]["value"]) == ("datasource", "prometheus", "prom-dev")


@pytest.mark.parametrize("name", ["__interval", "my-var", "1st", ""])
def test_variable_names_grafana_cannot_use_are_refused(name):
    with pytest.raises(DefinitionError, match="variable name"):
        Variable(name=name, type="custom")


def test_merge_keeps_one_of_each_and_refuses_two_definitions_of_one_name():
    a = textbox("search")
    assert merge_variables([a, constant("namespace", "dev"), a]) == (a, constant("namespace", "dev"))
    with pytest.raises(DefinitionError, match="'search' is defined twice") as raised:
        templating(a, textbox("search", default="error"))
    assert "same Variable object" in raised.value.hint


def test_a_filter_must_be_a_label_values_variable():
    with pytest.raises(DefinitionError, match="label_values"):
        red_row(service="backend", histogram=HISTOGRAM, selector=BACKEND_SELECTOR, filters=[textbox("search")])


# --- signals ------------------------------------------------------------------------------------------------------


def test_histogram_takes_the_base_name():
    with pytest.raises(DefinitionError, match="ends in a series suffix") as raised:
        Histogram(name="http_request_duration_seconds_bucket")
    assert "'http_request_duration_seconds'" in raised.value.hint
    assert Histogram(name="x_seconds").buckets == "x_seconds_bucket"


def test_metric_selector_adds_filters_after_the_selector():
    pods = label_values("pod", label="pod", selector=metric("up"))
    selector = metric_selector("up", {"namespace": "$namespace"}, [pods], job="api")
    assert str(selector) == 'up{namespace="$namespace", pod=~"$pod", job="api"}'


def test_links_to_explore_need_the_logs_datasource_uid():
    logs = ServiceLogs(selector={"app": "backend"}, format=PINO_HTTP, datasource="logs")
    with pytest.raises(DefinitionError, match="uid") as raised:
        red_row(service="backend", histogram=HISTOGRAM, selector=BACKEND_SELECTOR, logs=logs)
    assert "env.datasource('logs')" in raised.value.hint


def test_access_log_row_needs_status_path_and_duration():
    no_duration = LogFormat(name="plain", parser=Parser(kind="logfmt"), status="status", path="path")
    logs = ServiceLogs(selector={"app": "x"}, format=no_duration, datasource=LOGS)
    with pytest.raises(DefinitionError, match="no duration label"):
        access_log_red_row(service="x", logs=logs)


def test_logs_row_needs_to_know_what_an_error_and_a_level_are():
    bare = LogFormat(name="bare", parser=Parser(kind="logfmt"))
    logs = ServiceLogs(selector={"app": "x"}, format=bare, datasource=LOGS)
    with pytest.raises(DefinitionError, match="has no level"):
        logs_row(service="x", logs=logs)
    with pytest.raises(DefinitionError, match="neither a level nor a status"):
        logs_row(service="x", logs=logs, volume_by="stream")


# --- links --------------------------------------------------------------------------------------------------------


def test_explore_link_encodes_the_json_and_leaves_variables_to_grafana():
    link = explore_link("Logs", stream(app="backend", pod="${__field.labels.pod}").json(), LOGS)
    url = link.url
    assert url.startswith("/explore?schemaVersion=1&panes=%7B")
    assert "${__field.labels.pod}" in url and "${__from}" in url and "${__to}" in url
    assert " " not in url and '"' not in url
    panes = json.loads(parse_qs(urlsplit(url).query)["panes"][0])
    (pane,) = panes.values()
    assert pane["datasource"] == "loki-dev"
    assert pane["queries"][0]["datasource"] == {"type": "loki", "uid": "loki-dev"}
    assert pane["range"] == {"from": "${__from}", "to": "${__to}"}
    assert explore_query(url) == '{app="backend", pod="${__field.labels.pod}"} | json'


def test_explore_link_through_a_datasource_variable():
    picker = datasource_variable("logs_ds", plugin="loki")
    link = explore_link("Logs", stream(app="x"), picker)
    (pane,) = json.loads(parse_qs(urlsplit(link.url).query)["panes"][0]).values()
    assert pane["datasource"] == "${logs_ds}"
    assert pane["queries"][0]["datasource"] == {"type": "loki", "uid": "${logs_ds}"}


def test_dashboard_link_keeps_the_time_range_and_the_chosen_variables():
    pods = label_values("pod", label="pod", selector=metric("up"))
    link = dashboard_link(
        "Backend", "backend-api", variables=[pods, "namespace"], values={"route": "${__field.labels.route}"}
    )
    assert link.url == (
        "/d/backend-api?${__url_time_range}&${pod:queryparam}&${namespace:queryparam}"
        "&var-route=${__field.labels.route}"
    )


def test_links_carry_the_keys_the_dashboard_schema_requires():
    data = explore_link("Logs", stream(app="x"), LOGS).to_json_data()
    required = {"title", "type", "icon", "tooltip", "tags", "asDropdown", "targetBlank", "includeVars", "keepTime"}
    assert required | {"url"} <= set(data)


def test_url_encoding_leaves_every_form_of_variable():
    assert url_with_variables('a b $x ${y:regex} [[z]] "') == "a%20b%20$x%20${y:regex}%20[[z]]%20%22"


# --- links of the RED rows ----------------------------------------------------------------------------------------


def red_links(logs):
    section = red_row(service="svc", histogram=HISTOGRAM, selector=BACKEND_SELECTOR, logs=logs)
    graphs = [panel for panel in section.panels if hasattr(panel, "targets") and panel.targets]
    return {
        panel.title: [explore_query(link.url) for link in panel.extraJson["fieldConfig"]["defaults"]["links"]]
        for panel in graphs
    }


def test_red_links_filter_the_route_when_the_logs_carry_it():
    with_route = LogFormat(
        name="json with route", parser=Parser(kind="json"), level="level", route="route", status="status"
    )
    links = red_links(ServiceLogs(selector={"app": "svc"}, format=with_route, datasource=LOGS))
    assert links["Request rate by route"] == ['{app="svc"} | json | route="${__field.labels.route}"']
    assert links["Error ratio (5xx / all)"] == ['{app="svc"} | json | status >= 500 | __error__=""']


def test_red_links_compare_the_clicked_latency_only_with_durations_in_seconds():
    seconds = LogFormat(name="s", parser=Parser(kind="logfmt"), duration="took", duration_unit=units.SECONDS)
    links = red_links(ServiceLogs(selector={"app": "svc"}, format=seconds, datasource=LOGS))
    assert links["Latency p50 / p90 / p99"] == ['{app="svc"} | logfmt | took >= ${__value.raw} | __error__=""']
    links = red_links(BACKEND_LOGS)  # pino: milliseconds
    assert links["Latency p50 / p90 / p99"] == ['{namespace="$namespace", app="backend"} | json']


def test_quantile_legends():
    assert [quantile_legend(q) for q in (0.5, 0.9, 0.99, 0.999)] == ["p50", "p90", "p99", "p99.9"]


# --- panels -------------------------------------------------------------------------------------------------------


def test_panels_refuse_a_missing_description_or_unit():
    with pytest.raises(DefinitionError, match="needs a description"):
        time_series(title="x", description="", unit=units.SECONDS, datasource="metrics", queries=["up"])
    with pytest.raises(DefinitionError, match="needs a unit"):
        stat(title="x", description="y", unit="", datasource="metrics", queries=["up"])
    with pytest.raises(DefinitionError, match="at least one query"):
        time_series(title="x", description="y", unit=units.SECONDS, datasource="metrics", queries=[])


def test_stat_thresholds_start_with_a_base_step():
    panel = json_of(
        stat(title="x", description="y", unit=units.PERCENT_UNIT, datasource="metrics", queries=["up"],
             thresholds=[(None, "green"), (0.05, "red")])
    )
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "green", "value": None}, {"color": "red", "value": 0.05}]
    assert panel["fieldConfig"]["defaults"]["noValue"] is None  # dropped by the compiler: Grafana says "No data"


def test_section_queries_lists_every_target_in_order():
    section = Section(
        panels=[
            time_series(
                title="a", description="d", unit=units.SHORT, datasource="metrics", queries=["up", "vector(1)"]
            ),
            time_series(title="b", description="d", unit=units.SHORT, datasource="metrics", queries=["time()"]),
        ]
    )
    assert section.queries() == ["up", "vector(1)", "time()"]
