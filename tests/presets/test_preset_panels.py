"""Every preset, table-driven: descriptions and units, valid queries, Grafana's windows, defined variables, links.

Each preset is compiled the way `dashctl build` compiles a dashboard, and the checks read the compiled JSON, so a
preset that passes here deploys as tested.
"""

from __future__ import annotations

import json
import re

import pytest

from dashctl.presets import explore_query
from dashctl.queries.logql import parse_logql
from dashctl.queries.logql.ast import RangeAggregation, iter_nodes
from dashctl.queries.promql import parse_promql
from dashctl.queries.promql.analysis import find_range_calls
from dashctl.queries.validation import check_query
from dashctl.queries.variables import variable_names
from tests.conftest import SHARED
from tests.presets.cases import CASES, NAMESPACE_VARIABLE, compile_section

LANGUAGES = {"prometheus": "PromQL", "loki": "LogQL"}
SCHEMA = SHARED / "reference" / "schemas" / "grafana-dashboard" / "dashboard.jsonschema.json"


@pytest.fixture(params=sorted(CASES), ids=sorted(CASES))
def case(request):
    section = CASES[request.param]()
    return section, compile_section(section)


def panels_of(model):
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries_of(model):
    """(panel title, language, query) of every target."""
    variables = {v["name"]: v for v in model["templating"]["list"]}
    for panel in panels_of(model):
        for target in panel.get("targets", []):
            uid = target["datasource"]["uid"]
            plugin = target["datasource"]["type"]
            if uid.startswith("$"):
                plugin = variables[uid.strip("${}")]["query"]
            yield panel["title"], LANGUAGES[plugin], target["expr"]


def links_of(panel):
    return [*panel.get("links", []), *panel.get("fieldConfig", {}).get("defaults", {}).get("links", [])]


def test_every_panel_has_a_description_and_every_graph_a_unit(case):
    _, model = case
    graphs = [p for p in panels_of(model) if p["type"] != "row"]
    assert graphs
    for panel in graphs:
        assert panel.get("description", "").strip(), panel["title"]
        if panel["type"] in ("timeseries", "stat"):
            assert panel["fieldConfig"]["defaults"].get("unit"), panel["title"]


def test_every_query_validates_with_the_real_validators(case):
    _, model = case
    checked = 0
    for title, language, query in queries_of(model):
        check_query(query, language)  # raises QuerySyntaxError naming the position
        checked += 1
    assert checked >= 3


def test_builder_output_round_trips_through_compile_and_the_parsers(case):
    section, model = case
    compiled = [query for _, _, query in queries_of(model)]
    assert compiled == section.queries()  # compile neither drops nor rewrites a query
    for _, language, query in queries_of(model):
        parsed = parse_promql(query) if language == "PromQL" else parse_logql(query)
        assert parsed is not None


def test_range_windows_are_grafanas(case):
    """PromQL rates over `$__rate_interval` (never fewer than two samples); LogQL ranges over `$__auto`."""
    _, model = case
    for title, language, query in queries_of(model):
        if language == "PromQL":
            windows = {call.range_variable for call in find_range_calls(parse_promql(query))}
            assert windows <= {"__rate_interval"}, (title, query)
        else:
            ranges = [n.range.range.text for n in iter_nodes(parse_logql(query)) if isinstance(n, RangeAggregation)]
            assert set(ranges) <= {"$__auto"}, (title, query)


def test_every_variable_used_is_defined(case):
    section, model = case
    defined = {variable.name for variable in section.variables} | {NAMESPACE_VARIABLE}
    used = set()
    for _, _, query in queries_of(model):
        used.update(variable_names(query))
    for variable in model["templating"]["list"]:
        used.update(variable_names(variable.get("query", "")))
    for panel in panels_of(model):
        for link in links_of(panel):
            used.update(variable_names(link["url"]))
    assert used, "the presets filter by variables"
    assert used <= defined, f"used but not defined: {sorted(used - defined)}"


def test_every_graph_links_to_matching_logs_that_validate(case):
    _, model = case
    graphs = [p for p in panels_of(model) if p["type"] == "timeseries"]
    assert graphs
    for panel in graphs:
        links = links_of(panel)
        assert links, f"{panel['title']} has no data link"
        for link in links:
            assert link["title"] and link["url"].startswith("/explore?")
            assert "${__from}" in link["url"] and "${__to}" in link["url"], "the link keeps the time range"
            query = explore_query(link["url"])
            check_query(query, "LogQL")
            # Filters carried into the link use Grafana's regex format, since links are URI-encoded otherwise.
            assert "=~\"$pod\"" not in query


@pytest.mark.skipif(not SCHEMA.exists(), reason="reference schemas (../shared/reference/schemas) are absent")
def test_compiled_preset_validates_against_grafanas_schema(case):
    import jsonschema

    _, model = case
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(model)] == []


def test_panels_have_distinct_titles_within_a_row(case):
    _, model = case
    titles = [p["title"] for p in model["panels"] if p["type"] != "row"]
    assert len(titles) == len(set(titles))
    assert all(not re.search(r"\$\w", title) for title in titles), "titles do not depend on variables"
