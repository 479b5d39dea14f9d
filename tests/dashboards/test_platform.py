"""The platform's own dashboards (top-level dashboards/): they build for dev and prod, every query validates, every
variable is defined, panels that belong together link to each other. And the build check that catches a query
using a variable the dashboard does not define.
"""

from __future__ import annotations

import copy
import textwrap

import pytest

from dashctl.presets import explore_query
from dashctl.queries.logql import parse_logql
from dashctl.queries.logql.ast import RangeAggregation, iter_nodes
from dashctl.queries.promql import parse_promql
from dashctl.queries.promql.analysis import find_range_calls
from dashctl.queries.validation import check_query
from dashctl.queries.variables import variable_names
from tests.conftest import REPO

DASHBOARDS = {
    "platform-overview": "Platform",
    "backend-api": "Backend",
    "frontend": "Frontend",
    "mongodb": "Data",
    "kubernetes-workloads": "Kubernetes",
    "logging-pipeline": "Observability",
    "prometheus-health": "Observability",
}
LANGUAGES = {"prometheus": "PromQL", "loki": "LogQL"}


@pytest.fixture(scope="module")
def built():
    """{environment: {uid: CompiledDashboard}} for every dashboard definition of this repository."""
    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.project.config import load_project
    from dashctl.project.discovery import discover_definitions

    project = load_project(REPO)
    discovery = discover_definitions(project)
    errors = [str(error) for error in discovery.errors if "dashboards/" in str(error.location)]
    assert errors == [], "\n".join(errors)
    result = {}
    for environment in project.select_environments():
        result[environment.name] = {}
        for definition in discovery.of_kind("dashboard"):
            if definition.applies_to(environment.name):
                compiled = compile_dashboard(definition, definition.build(environment), environment)
                result[environment.name][compiled.uid] = compiled
    return result


def every_dashboard(built):
    for environment, dashboards in built.items():
        for uid, compiled in dashboards.items():
            yield environment, uid, compiled.model


def panels_of(model):
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels", [])


def targets_of(model):
    """(panel, language, expr) of every query, the language from the datasource (or datasource variable) type."""
    variables = {variable["name"]: variable for variable in model["templating"]["list"]}
    for panel in panels_of(model):
        for target in panel.get("targets", []):
            plugin = target["datasource"]["type"]
            if target["datasource"]["uid"].startswith("$"):
                plugin = variables[target["datasource"]["uid"].strip("${}")]["query"]
            yield panel, LANGUAGES[plugin], target["expr"]


def links_of(panel):
    return [*panel.get("links", []), *panel.get("fieldConfig", {}).get("defaults", {}).get("links", [])]


def test_every_dashboard_builds_for_dev_and_prod_in_its_folder(built):
    assert set(built) == {"dev", "prod"}
    for environment, dashboards in built.items():
        assert {uid: compiled.folder for uid, compiled in dashboards.items()} == DASHBOARDS, environment
        for uid, compiled in dashboards.items():
            assert len(uid) <= 40 and compiled.model["uid"] == uid
            assert compiled.model["title"] and compiled.model.get("description")
            assert "platform" in compiled.model["tags"]


def without_slo_rows(model):
    """The model without its SLO rows: they show the environment's objective over the SLO's own fixed windows
    (the same queries as the burn-rate alerts), so they legitimately differ between environments."""
    kept, in_slo = [], False
    for panel in model["panels"]:
        if panel["type"] == "row":
            in_slo = panel.get("title", "").startswith("SLO:")
        if not in_slo:
            kept.append(panel)
    return {**model, "panels": kept}


def test_dev_and_prod_come_from_the_same_code(built):
    """The two environments differ in the namespace constant (and the SLO rows' objective) and nothing else."""
    for uid in DASHBOARDS:
        dev = copy.deepcopy(without_slo_rows(built["dev"][uid].model))
        prod = copy.deepcopy(without_slo_rows(built["prod"][uid].model))
        for model, namespace in ((dev, "dev"), (prod, "prod")):
            (constant,) = [v for v in model["templating"]["list"] if v["name"] == "namespace"]
            assert constant["query"] == namespace and constant["type"] == "constant"
            constant["query"] = constant["options"][0]["text"] = constant["options"][0]["value"] = "<namespace>"
            model["description"] = model["description"].replace(f"namespace {namespace}", "namespace <namespace>")
        assert dev == prod, uid


def test_every_query_of_every_dashboard_validates(built):
    checked = 0
    for environment, uid, model in every_dashboard(built):
        for panel, language, expr in targets_of(model):
            try:
                check_query(expr, language)
            except Exception as error:  # the message names the position
                pytest.fail(f"{environment} {uid} panel {panel['title']!r}: {error}")
            checked += 1
    assert checked >= 2 * 60


def test_no_dashboard_uses_a_variable_it_does_not_define(built):
    for environment, uid, model in every_dashboard(built):
        defined = {variable["name"] for variable in model["templating"]["list"]}
        used = {}
        for panel, _, expr in targets_of(model):
            used.update(dict.fromkeys(variable_names(expr), panel["title"]))
        for panel in panels_of(model):
            for link in links_of(panel):
                used.update(dict.fromkeys(variable_names(link["url"]), panel["title"]))
        for variable in model["templating"]["list"]:
            used.update(dict.fromkeys(variable_names(str(variable.get("query", ""))), variable["name"]))
        undefined = {name: where for name, where in used.items() if name not in defined}
        assert undefined == {}, f"{environment} {uid}"
        assert "namespace" in used, f"{uid}: every selector is scoped to the namespace"


def test_range_windows_are_grafanas(built):
    for _, uid, model in every_dashboard(built):
        for panel, language, expr in targets_of(without_slo_rows(model)):
            if language == "PromQL":
                windows = {call.range_variable for call in find_range_calls(parse_promql(expr))}
                assert windows <= {"__rate_interval"}, (uid, panel["title"], expr)
            else:
                nodes = iter_nodes(parse_logql(expr))
                assert {n.range.range.text for n in nodes if isinstance(n, RangeAggregation)} <= {"$__auto"}


def test_every_panel_says_what_it_shows_and_in_which_unit(built):
    for _, uid, model in every_dashboard(built):
        for panel in panels_of(model):
            if panel["type"] == "row":
                continue
            assert panel.get("description"), (uid, panel["title"])
            if panel["type"] in ("timeseries", "stat"):
                assert panel["fieldConfig"]["defaults"].get("unit"), (uid, panel["title"])


@pytest.mark.parametrize(
    ("uid", "titles", "app"),
    [
        ("backend-api", ["Request rate by route", "Error ratio (5xx / all)", "Latency p50 / p90 / p99"], "backend"),
        (
            "frontend",
            ["Request rate by path", "Error ratio (5xx / all)", "Latency p50 / p90 / p99", "4xx and 5xx by path"],
            "frontend",
        ),
    ],
)
def test_red_panels_link_to_the_services_logs(built, uid, titles, app):
    panels = {panel["title"]: panel for panel in panels_of(built["dev"][uid].model)}
    for title in titles:
        links = links_of(panels[title])
        assert links, f"{uid} {title!r} has no link to its logs"
        for link in links:
            query = explore_query(link["url"])
            check_query(query, "LogQL")
            assert f'app="{app}"' in query and 'namespace="$namespace"' in query
            assert '"uid":"loki"' in link["url"].replace("%22", '"').replace("%3A", ":").replace("%2C", ",")


def test_5xx_links_open_the_5xx_lines(built):
    backend = {p["title"]: p for p in panels_of(built["dev"]["backend-api"].model)}
    (link,) = links_of(backend["Error ratio (5xx / all)"])
    assert "res_statusCode >= 500" in explore_query(link["url"])


def test_overview_stats_link_to_the_dashboards_with_the_details(built):
    overview = built["dev"]["platform-overview"].model
    stats = [panel for panel in panels_of(overview) if panel["type"] == "stat"]
    assert len(stats) >= 10
    targets = set()
    for panel in stats:
        (link,) = panel["links"]
        assert link["url"].startswith("/d/") and "${__url_time_range}" in link["url"], panel["title"]
        targets.add(link["url"][3:].split("?")[0])
    assert targets == set(DASHBOARDS) - {"platform-overview"}


def test_every_dashboard_links_to_the_others(built):
    for _, uid, model in every_dashboard(built):
        (link,) = model["links"]
        assert link["type"] == "dashboards" and link["tags"] == ["platform"] and link["keepTime"] is True


# --- the build check: a variable used but not defined -------------------------------------------------------------

UNDEFINED_ROUTE = '''
from grafanalib.core import Dashboard, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="shop-api", folder="Shop")
def shop_api(env):
    return Dashboard(
        title="Shop API",
        panels=[
            TimeSeries(
                title="Requests",
                description="Requests per second.",
                dataSource="metrics",
                unit="reqps",
                targets=[Target(expr='sum(rate(http_requests_total{route=~"$route"}[$__rate_interval]))', refId="A")],
            ),
        ],
    )
'''


def test_build_reports_a_query_using_an_undefined_variable(make_project):
    project = make_project({"dashboards/shop.py": UNDEFINED_ROUTE})
    result = project.run("build")
    assert result.exit_code == 3
    assert "dashboard 'shop-api'" in result.stderr
    assert "panel 'Requests' query A uses $route, which no template variable of this dashboard defines" in result.stderr
    assert "dashboards/shop.py" in result.stderr
    assert "define it in Dashboard(templating=" in result.stderr
    assert project.snapshot() == {}


def compile_model(model):
    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.definitions import Definition
    from dashctl.errors import SourceLocation
    from dashctl.project.environment import DatasourceRef, Environment

    environment = Environment(
        name="dev", namespace="dev", datasources={"metrics": DatasourceRef(uid="prom", type="prometheus")}
    )
    definition = Definition(
        kind="dashboard",
        name="x",
        build=lambda env: None,
        location=SourceLocation(file="dashboards/x.py", line=3),
        options={"uid": "x", "folder": None, "layout": "auto"},
    )
    return compile_dashboard(definition, model, environment)


def panel(expr, **extra):
    return {
        "type": "timeseries",
        "title": "P",
        "description": "d",
        "datasource": "metrics",
        "targets": [{"expr": expr, "refId": "A"}],
        **extra,
    }


def messages(model):
    from dashctl.errors import DefinitionErrors

    try:
        compile_model(model)
    except DefinitionErrors as errors:
        return [error.message for error in errors.errors]
    return []


def test_builtins_defined_variables_and_repeats_are_not_reported():
    model = {
        "title": "x",
        "templating": {"list": [{"name": "namespace", "type": "constant", "query": "dev"}]},
        "panels": [
            panel('sum(rate(up{namespace="$namespace", x="${__field.labels.x}"}[$__rate_interval])) > $__interval_ms'),
            {
                "type": "row",
                "title": "per pod",
                "repeat": "namespace",
                "panels": [panel('up{namespace="${namespace:regex}"}')],
            },
            panel('label_replace(up, "a", "$1", "b", "(.*)")'),
        ],
    }
    assert messages(model) == []


def test_every_undefined_use_is_reported_with_where_it_is():
    model = {
        "title": "x",
        "templating": {"list": [{"name": "pod", "type": "query", "query": 'label_values(up{job="$job"}, pod)'}]},
        "panels": [
            panel('up{pod=~"$pod", route=~"${route:regex}"}'),
            panel("up", repeat="instance"),
            panel(
                "up",
                fieldConfig={"defaults": {"links": [{"title": "L", "url": "/d/y?var-env=$env"}]}, "overrides": []},
            ),
        ],
    }
    assert sorted(messages(model)) == sorted(
        [
            "variable 'pod' query uses $job, which no template variable of this dashboard defines",
            "panel 'P' query A uses $route, which no template variable of this dashboard defines",
            "panel 'P' repeats over $instance, which no template variable defines",
            "panel 'P' link 'L' uses $env, which no template variable of this dashboard defines",
        ]
    )


def test_backend_dashboard_has_the_availability_slo_row(built):
    titles = [panel.get("title") for panel in built["prod"]["backend-api"].model["panels"]]
    start = titles.index("SLO: Backend availability (99.9% over 30d)")
    assert titles[start + 1 : start + 4] == ["Availability", "Error budget remaining", "Burn rate"]
    dev_titles = [panel.get("title") for panel in built["dev"]["backend-api"].model["panels"]]
    assert "SLO: Backend availability (99% over 30d)" in dev_titles
