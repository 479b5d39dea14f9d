"""The log-derived RED of the frontend: the shape of its LogQL, read from the parsed queries of the deployed dashboard.

No engine evaluates LogQL here: Loki is the only one, and it is not a test dependency. So these tests check, on the
syntax tree dashctl's LogQL parser (written from Loki's grammar) gives, that each query has the parts that make it
compute what its title says: the access log's streams, the `pattern` stage for nginx's combined format plus the
request time, a request counted when it has a status, 5xx over all, `unwrap request_time` into
`quantile_over_time` over one series, and Grafana's `$__auto` ranges. The last test checks the pattern against the
contract's example line with a translation of Loki's pattern rules into a regex (captures stop at the next
literal, the last one takes the rest of the line): the same rules, not Loki's code.
"""

from __future__ import annotations

import re

import pytest

from dashctl.queries.logql import parse_logql
from dashctl.queries.logql.ast import (
    BinaryOperation,
    LabelComparison,
    LabelFilter,
    LabelFilterStage,
    LabelParser,
    RangeAggregation,
    VectorAggregation,
    VectorLiteral,
    iter_log_queries,
    iter_nodes,
)
from tests.conftest import REPO

CONTRACT_LINE = '10.1.2.3 - - [24/Nov/2026:10:00:00 +0000] "GET /cart HTTP/1.1" 200 512 "-" "Mozilla/5.0" 0.012'
"""The example line of DESIGN.md §1.1."""


@pytest.fixture(scope="module")
def frontend():
    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.project.config import load_project
    from dashctl.project.discovery import discover_definitions

    project = load_project(REPO)
    (environment,) = project.select_environments(["dev"])
    discovery = discover_definitions(project)
    (definition,) = [d for d in discovery.of_kind("dashboard") if d.options["uid"] == "frontend"]
    model = compile_dashboard(definition, definition.build(environment), environment).model
    return {panel["title"]: [parse_logql(t["expr"]) for t in panel.get("targets", [])] for panel in model["panels"]}


@pytest.fixture(scope="module")
def pattern():
    import telemetry

    return telemetry.FRONTEND_ACCESS_LOG_PATTERN


def stages(log_query):
    return list(log_query.stages)


def filters(log_query):
    """The label predicates of the pipeline, as (label, op, value) tuples."""
    found = []
    for stage in log_query.stages:
        if isinstance(stage, LabelFilterStage):
            predicate = stage.predicate
            if isinstance(predicate, LabelComparison):
                found.append((predicate.name, predicate.op, predicate.value))
            elif isinstance(predicate, LabelFilter):
                found.append(predicate.matcher.as_tuple())
    return found


def assert_access_log_requests(log_query, pattern):
    """The frontend's stdout streams, parsed with the contract's pattern, the lines with a status."""
    matchers = {m.as_tuple()[0]: m.as_tuple()[1:] for m in log_query.selector.matchers}
    assert matchers["namespace"] == ("=", "$namespace")
    assert matchers["app"] == ("=", "frontend")
    assert matchers["stream"] == ("=", "stdout"), "the access log only: nginx's error log is on stderr"
    parsers = [stage for stage in stages(log_query) if isinstance(stage, LabelParser)]
    assert [(p.kind, p.param) for p in parsers] == [("pattern", pattern)]
    assert ("status", "!=", "") in filters(log_query), "a line is a request when it has a status"


def test_request_rate_counts_lines_per_path(frontend, pattern):
    (query,) = frontend["Request rate by path"]
    assert isinstance(query, VectorAggregation) and query.op == "topk"
    inner = query.expr
    assert isinstance(inner, VectorAggregation) and inner.op == "sum" and inner.grouping.labels == ("path",)
    rate = inner.expr
    assert isinstance(rate, RangeAggregation) and rate.op == "rate" and rate.range.unwrap is None
    assert rate.range.range.text == "$__auto"
    assert_access_log_requests(rate.range.query, pattern)


def test_error_ratio_is_5xx_lines_over_request_lines(frontend, pattern):
    (query,) = frontend["Error ratio (5xx / all)"]
    assert isinstance(query, BinaryOperation) and query.op == "/"
    numerator, denominator = query.left, query.right
    assert isinstance(numerator, BinaryOperation) and numerator.op == "or"
    assert isinstance(numerator.right, VectorLiteral), "no 5xx at all reads 0, not no data"
    errors = numerator.left.expr.range.query
    requests = denominator.expr.range.query
    for log_query in (errors, requests):
        assert_access_log_requests(log_query, pattern)
    assert ("status", ">=", "500") in filters(errors) and ("__error__", "=", "") in filters(errors)
    assert ("status", ">=", "500") not in filters(requests)
    assert {n.range.range.text for n in iter_nodes(query) if isinstance(n, RangeAggregation)} == {"$__auto"}


def test_latency_quantiles_unwrap_the_request_time(frontend, pattern):
    queries = frontend["Latency p50 / p90 / p99"]
    assert [float(q.param.text) for q in queries] == [0.5, 0.9, 0.99]
    for query in queries:
        assert isinstance(query, RangeAggregation) and query.op == "quantile_over_time"
        assert query.range.unwrap is not None and query.range.unwrap.label == "request_time"
        assert query.range.unwrap.conversion is None, "nginx writes seconds as a plain number"
        assert [p.matcher.as_tuple() for p in query.range.unwrap.post_filters if isinstance(p, LabelFilter)] == [
            ("__error__", "=", "")
        ], "lines without a parsable request time are dropped, not an error"
        assert query.range.range.text == "$__auto"
        # Grouped by the labels the selector fixes: one series over every pod and path.
        assert set(query.grouping.labels) == {"namespace", "app", "stream"}
        assert_access_log_requests(query.range.query, pattern)


def test_client_and_server_errors_by_path(frontend, pattern):
    (query,) = frontend["4xx and 5xx by path"]
    inner = query.expr
    assert set(inner.grouping.labels) == {"path", "status"}
    log_query = inner.expr.range.query
    assert_access_log_requests(log_query, pattern)
    assert ("status", ">=", "400") in filters(log_query)


def test_every_frontend_log_query_reads_only_the_frontends_streams(frontend):
    for title, queries in frontend.items():
        for query in queries:
            for log_query in iter_log_queries(query):
                matchers = dict((m.as_tuple()[0], m.as_tuple()[2]) for m in log_query.selector.matchers)
                assert matchers.get("app") == "frontend", title


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Loki's pattern rules as a regex: a capture runs to the next literal; the last capture takes the rest."""
    pieces = re.split(r"(<[A-Za-z_][A-Za-z0-9_]*>)", pattern)
    regex = ""
    for index, piece in enumerate(pieces):
        if piece.startswith("<") and piece.endswith(">"):
            name = piece[1:-1]
            last = index >= len(pieces) - 2 and not pieces[-1]
            body = ".*" if last else ".*?"
            regex += f"(?P<{name}>{body})" if name != "_" else f"(?:{body})"
        else:
            regex += re.escape(piece)
    return re.compile(regex)


def test_the_pattern_extracts_the_contracts_example_line(pattern):
    match = pattern_regex(pattern).fullmatch(CONTRACT_LINE)
    assert match is not None
    fields = match.groupdict()
    assert (fields["method"], fields["path"], fields["status"], fields["request_time"]) == (
        "GET",
        "/cart",
        "200",
        "0.012",
    )
    assert float(fields["request_time"]) == 0.012  # what `| unwrap request_time` reads, in seconds
