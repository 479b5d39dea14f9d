"""The build's two opt-outs: `@dashboard(allow_undefined_variables=...)` lets exactly the listed names through, and
`Target(unvalidated=...)` carries one query without validation; each is reported once it has no reason left."""

from __future__ import annotations

import pytest
from grafanalib.core import Dashboard, GridPos, Repeat, Templating, TimeSeries
from grafanalib.core import Target as GrafanalibTarget

from dashctl.dashboards.compile import compile_dashboard
from dashctl.dashboards.generic import Panel, Target
from dashctl.definitions import collecting, dashboard
from dashctl.errors import DefinitionError, DefinitionErrors
from dashctl.presets.variables import constant
from dashctl.project.environment import DatasourceRef, Environment

ENVIRONMENT = Environment(name="dev", namespace="dev", datasources={
    "metrics": DatasourceRef(uid="prom", type="prometheus"), "logs": DatasourceRef(uid="loki", type="loki")})
HOSTNAME = 'sum(rate(http_requests_total{instance="$hostname"}[$__rate_interval]))'
MATCHERS = "sum(rate(http_requests_total{%(matchers)s}[$__rate_interval]))"


def _compile(panels, *, allow=(), variables=()):
    with collecting() as found:
        @dashboard(uid="shop", folder="Shop", allow_undefined_variables=allow)
        def shop(env):
            return Dashboard(title="Shop", panels=panels, templating=Templating(list=[
                constant(name, "x") for name in variables]))
    definition = found[0]
    return compile_dashboard(definition, definition.build(ENVIRONMENT), ENVIRONMENT)


def _problems(panels, **options) -> list[str]:
    try:
        _compile(panels, **options)
    except DefinitionErrors as errors:
        return [error.message for error in errors.errors]
    return []


def _series(*targets, datasource="metrics", **more):
    return TimeSeries(title="Requests", dataSource=datasource, targets=list(targets), **more)


def test_an_allowed_name_builds_and_only_that_name_is_let_through():
    compiled = _compile([_series(GrafanalibTarget(expr=HOSTNAME, refId="A"))], allow=("hostname",))
    assert compiled.model["panels"][0]["targets"][0]["expr"] == HOSTNAME
    assert compiled.allowed_undefined_variables == ("hostname",)
    other = 'up{pod="$pod", instance="$hostname"}'
    assert _problems([_series(GrafanalibTarget(expr=other, refId="A"))], allow=("hostname",)) == [
        "panel 'Requests' query A uses $pod, which no template variable of this dashboard defines"]


def test_links_and_repeats_are_allowed_by_name_too():
    link = {"title": "Drill down", "url": "/d/x?var-datasource=${datasource}"}
    panels = [_series(GrafanalibTarget(expr="up", refId="A"), links=[link], repeat=Repeat(variable="node"))]
    assert len(_problems(panels)) == 2
    assert _problems(panels, allow=("datasource", "node")) == []


@pytest.mark.parametrize(("allow", "variables", "expected"), [
    (("hostname", "pod"), (), "allow_undefined_variables lists 'pod', but nothing in the dashboard uses $pod"),
    (("hostname",), ("hostname",), "allow_undefined_variables lists 'hostname', but a template variable defines "
                                   "$hostname"),
])
def test_a_stale_allowance_is_reported(allow, variables, expected):
    assert _problems([_series(GrafanalibTarget(expr=HOSTNAME, refId="A"))], allow=allow, variables=variables) == [
        expected]


@pytest.mark.parametrize(("names", "message"), [
    ("hostname", "must be a tuple of variable names"),
    (("$hostname",), "'$hostname' is not a variable name"),
    (("a", "a"), "lists a more than once"),
])
def test_the_list_is_checked_where_it_is_written(names, message):
    def shop(env):
        return None

    with collecting(), pytest.raises(DefinitionError, match=message.replace("$", r"\$")):
        dashboard(uid="shop", allow_undefined_variables=names)(shop)


def test_an_unvalidated_query_is_carried_byte_for_byte_and_no_trace_of_the_mark_remains():
    marked = Target(ref_id="B", expr=MATCHERS, unvalidated="an unexpanded %(matchers)s")
    compiled = _compile([_series(GrafanalibTarget(expr="up", refId="A"), marked)])
    targets = compiled.model["panels"][0]["targets"]
    assert [target["expr"] for target in targets] == ["up", MATCHERS]
    assert "__dashctl" not in repr(compiled.model)
    panel_id = compiled.model["panels"][0]["id"]
    assert compiled.unvalidated_reason(panel_id, 1) == "an unexpanded %(matchers)s"
    assert compiled.unvalidated_reason(panel_id, 0) is None


def test_the_mark_covers_its_own_query_only():
    unmarked = Target(ref_id="A", expr=MATCHERS)
    marked = Target(ref_id="B", expr=MATCHERS, unvalidated="kept")
    panel = Panel(type="timeseries", title="Requests", datasource="metrics", grid_pos=GridPos(h=8, w=12, x=0, y=0),
                  targets=[unmarked, marked])
    assert _problems([panel]) == ["unexpected character inside braces: '%'"]


def test_a_mark_on_a_query_that_validates_is_reported():
    marked = Target(ref_id="A", expr="sum(up)", unvalidated="was broken")
    assert _problems([_series(marked)]) == ["query A is marked unvalidated (was broken), but it is valid PromQL"]
    logs = _series(Target(ref_id="A", expr='{job="x"} |= "a"', unvalidated="was broken"), datasource="logs")
    assert _problems([logs]) == ["query A is marked unvalidated (was broken), but it is valid LogQL"]


def test_the_reason_is_required():
    with pytest.raises(DefinitionError, match="must say why"):
        Target(expr=MATCHERS, unvalidated=" ")


def test_a_marked_query_is_judged_as_the_strictest_prometheus_would_in_every_environment():
    from dashctl.queries.promql.semantics import experimental_functions

    marked = Target(ref_id="A", expr='sort_by_label(up, "job")', unvalidated="needs experimental functions")
    for enabled in (False, True):
        with experimental_functions(enabled=enabled):
            assert _problems([_series(marked)]) == []
