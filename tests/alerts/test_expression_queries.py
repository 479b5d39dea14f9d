"""Query builder expressions are accepted wherever a query string is: an alert's PromQL/LogQL, an SLO's SLI, a
grafanalib Target of a dashboard (issue 12: `PromQL(expr=red_queries(...).error_ratio)` failed as "the query is
empty")."""

from __future__ import annotations

import json

import pytest
from grafanalib.core import Target

from dashctl.alerts import SLO, LogQL, PromQL
from dashctl.errors import DashctlError
from dashctl.presets import Histogram, red_queries
from dashctl.queries.logql_builder import count_over_time, stream
from dashctl.queries.promql import metric, rate, sum_by


def test_a_preset_expression_is_a_promql_query():
    queries = red_queries(Histogram(name="http_request_duration_seconds"), {"namespace": "shop"})
    query = PromQL(expr=queries.error_ratio)
    assert query.expr == str(queries.error_ratio)
    assert "http_request_duration_seconds_count" in query.expr


def test_a_logql_builder_expression_is_a_logql_query():
    errors = stream(app="shop").json().where(level="error")
    query = LogQL(expr=sum_by([], count_over_time(errors, "5m")))
    assert query.expr.startswith('sum(count_over_time({app="shop"} | json | level="error" [5m]))')


def test_the_wrong_language_and_a_non_query_are_named():
    with pytest.raises(DashctlError, match="expr is a LogQL expression; PromQL"):
        PromQL(expr=sum_by([], count_over_time(stream(app="shop"), "5m")))
    with pytest.raises(DashctlError, match="expr must be a query: a string or a PromQL/LogQL builder expression, "
                                           "not RedQueries"):
        PromQL(expr=red_queries(Histogram(name="h"), {"namespace": "shop"}))


def test_an_slo_takes_expressions_with_the_window_placeholder():
    requests = metric("http_requests_total", namespace="shop")
    slo = SLO(uid="shop", name="Shop", objective=0.999,
              errors=sum_by([], rate(requests.where(code="500"), "$window")),
              total=sum_by([], rate(requests, "$window")))
    assert slo.total == 'sum(rate(http_requests_total{namespace="shop"}[$window]))'


def test_a_grafanalib_target_takes_an_expression():
    from grafanalib._gen import DashboardEncoder

    target = Target(expr=sum_by(["route"], rate(metric("http_requests_total"))), refId="A")
    assert json.loads(json.dumps(target.to_json_data(), cls=DashboardEncoder))["expr"] == \
        "sum by (route) (rate(http_requests_total[$__rate_interval]))"

