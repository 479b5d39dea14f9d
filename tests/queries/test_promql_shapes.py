"""The recognizer of common PromQL shapes (`dashctl.queries.promql.shapes`) never calls valid what the exact path
(`parse_promql`: variables substituted, the crate's parse, Go's regex rules, experimental functions refused)
refuses, and it does recognise the shapes dashboards are made of."""

from __future__ import annotations

import random

import pytest

from dashctl.errors import QuerySyntaxError
from dashctl.queries.promql import check_promql, parse_promql
from dashctl.queries.promql import shapes
from dashctl.queries.promql.semantics import EXPERIMENTAL_AGGREGATIONS, EXPERIMENTAL_FUNCTIONS
from tests.queries.generated import QueryGenerator
from tests.queries.test_corpus_queries import CORPUS, _dashboard_queries, _rule_queries

COMMON = [
    'sum by (route) (rate(http_requests_total{svc="api",code=~"5.."}[$__rate_interval]))',
    "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job=\"api\"}[5m])))",
    'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
    "up == 0",
    'count(kube_pod_status_ready{condition="false", namespace!=""}) by (namespace)',
    "sum without (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[${__rate_interval}])) * 100",
    "max_over_time(process_resident_memory_bytes[1h])",
    "(sum(rate(a[5m])) - sum(rate(b[5m]))) / sum(rate(a[5m]))",
    "abs(delta(mongodb_connections{state=\"current\"}[10m]))",
    "job:http_requests:rate5m{job=\"api\"}\n  > 10",
]

NOT_RECOGNISED = [
    "1 > 2",  # two numbers compared without bool: invalid
    "sum by (job) (up) by (instance)",  # two groupings
    "abs(up) by (job)",  # a grouping after a function
    'up{job="api",}',  # a trailing comma the crate refuses
    "rate(up[5m:1m])",  # a subquery: left to the parser
    "rate(up[0s])",
    'up{job=~"a(b"}',  # a regex Go refuses
    "up offset 5m",
    "up and on(job) down",
    "sort_by_label(up, \"job\")",  # experimental
    'up{job="$job"} > $threshold',  # a variable as a number
    "rate(up[$__rate_interval:])",
    "on{job=\"x\"}",  # a keyword as a metric name
    "x{__name__=\"y\"}",
    "sum(rate(x[5m])) by ()",
]


def exact_verdict(query: str) -> bool:
    try:
        parse_promql(query, experimental_functions=False)
    except QuerySyntaxError:
        return False
    return True


@pytest.mark.parametrize("query", COMMON)
def test_common_shapes_are_recognised_and_are_valid(query: str) -> None:
    assert shapes.has_common_shape(query)
    assert exact_verdict(query)


@pytest.mark.parametrize("query", NOT_RECOGNISED)
def test_what_is_left_to_the_parser(query: str) -> None:
    assert not shapes.has_common_shape(query)


def test_a_bad_query_of_a_common_shape_still_fails_with_its_position() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        check_promql('sum(rate(http_requests_total{code=~"5(.."}[5m]))')
    assert caught.value.position == 35  # the regex's string
    assert "missing closing )" in str(caught.value)


# Names a generated query may use: plain ones, and every word the pattern must be careful with.
_WORDS = sorted(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "atan2",
     "inf", "nan", "start", "end", "step", "AND", "By", "Inf", "NaN", "topk", "quantile", "count_values",
     "histogram_quantile", "label_replace", "vector", "time", "scalar", *shapes._RANGE_FUNCTIONS,
     *shapes._VECTOR_FUNCTIONS, *shapes._AGGREGATIONS, *EXPERIMENTAL_FUNCTIONS, *EXPERIMENTAL_AGGREGATIONS}
)  # fmt: skip
# Each choice is tame (what the recognizer is meant to take) or wild (around it), wild more often in some queries.
_PLAIN = (["up", "http_requests_total", "a", "job:rate5m", "_x", "le", "code", "x1"], ["__name__", "__x", "ä", "1x"])
_STRINGS = (["", "api", "5..", "a|b", "$job", ".*", "[", "a b"], ["a(b", "x\\.y", 'q"q', "ü", "a{2,1}", "\\d+", "\t"])
_RANGES = (["5m", "1h", "30s", "100ms", "1d", "2w", "1y", "$__rate_interval", "${__interval}", "$__range", "$x"],
           ["0s", "1h30m", "5", "[[x]]", "${x:raw}", "5m:1m", "$__rate_interval:", "$1", "5M"])
_NUMBERS = (["0", "1", "0.95", "100"], ["1e3", "01", ".5", "-1", "inf", "0x1f"])
_OPERATORS = (["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<="],
              ["and", "or", "unless", "> bool", "atan2", "=", "=~", "**"])


class _Generator(QueryGenerator):
    def space(self) -> str:
        return self.pick((["", "", "", " ", " ", "\n  ", "\t"], ["\r", "  # c\n", "\u00a0"]))

    def name(self) -> str:
        return self.pick((_PLAIN[0], _PLAIN[1] + _WORDS))

    def string(self) -> str:
        return self.pick((['"'], ['"', "'", "`"])) + self.pick(_STRINGS) + '"'

    def selector(self) -> str:
        text = self.name()
        if self.rng.random() < 0.7:
            matchers = [
                self.name() + self.space() + self.pick((["=", "!=", "=~", "!~"], ["==", "~", "!"])) + self.space() + self.string()
                for _ in range(self.rng.randint(0, 3))
            ]
            text += self.space() + "{" + ("," + self.space()).join(matchers) + self.pick(([""], [",", ", "])) + "}"
        return text

    def grouping(self) -> str:
        labels = [self.name() for _ in range(self.rng.randint(0, 2) if self.wildness else self.rng.randint(1, 2))]
        return self.pick((["by", "without"], ["BY", "on", "ignoring"])) + self.space() + "(" + ", ".join(labels) + ")"

    def number(self) -> str:
        return self.pick(_NUMBERS)

    def vector(self, depth: int) -> str:
        shape = self.rng.randint(0, 6 if depth > 0 else 1)
        if shape == 0:
            return self.selector()
        if shape == 1:
            function = self.pick((list(shapes._RANGE_FUNCTIONS), ["abs", "sum", "quantile_over_time", "Rate"]))
            return function + "(" + self.space() + self.selector() + "[" + self.pick(_RANGES) + "]" + ")"
        inner = self.chain(depth - 1)
        if shape == 2:
            aggregation = self.pick((list(shapes._AGGREGATIONS), ["topk", "limitk", "rate", "SUM"]))
            grouping = self.grouping() if self.rng.random() < 0.5 else ""
            if self.rng.random() < 0.5:
                return aggregation + self.space() + grouping + self.space() + "(" + inner + ")"
            return aggregation + "(" + inner + ")" + self.space() + grouping
        if shape == 3:
            return self.pick((list(shapes._VECTOR_FUNCTIONS), ["rate", "sort_by_label", "vector"])) + "(" + inner + ")"
        if shape == 4:
            return "histogram_quantile(" + self.number() + "," + self.space() + inner + ")"
        return "(" + self.space() + inner + self.space() + ")"

    def chain(self, depth: int) -> str:
        terms = [self.vector(depth) if self.rng.random() < 0.9 else self.number()]
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            operator = self.pick(_OPERATORS)
            term = self.vector(depth) if self.rng.random() < 0.6 else self.number()
            terms.append(self.space() + operator + self.space() + term)
        return "".join(terms)



@pytest.mark.parametrize("seed", range(12))
def test_the_recognizer_never_accepts_what_the_parser_refuses(seed: int) -> None:
    rng = random.Random(seed)
    generate = _Generator(rng)
    recognised = 0
    for _ in range(1500):
        generate.wildness = rng.choice([0.0, 0.0, 0.05, 0.2, 0.5])
        query = generate.chain(rng.randint(0, 4))
        for candidate in (query, generate.mutate(query), generate.mutate(generate.mutate(query))):
            if shapes.has_common_shape(candidate):
                recognised += 1
                assert exact_verdict(candidate), f"seed {seed}: recognised, but the parser refuses {candidate!r}"
    # The generator writes the common shapes often enough for the test to say something.
    assert recognised > 500, f"seed {seed}: only {recognised} queries recognised"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (public corpus, not in the repo)")
def test_the_corpus_queries_the_recognizer_takes_are_valid_and_most_of_them() -> None:
    queries = sorted({expr for _, language, expr in [*_dashboard_queries(), *_rule_queries()] if language == "PromQL"})
    recognised = [query for query in queries if shapes.has_common_shape(query)]
    assert [query for query in recognised if not exact_verdict(query)] == []
    # Written by others for real Prometheus servers: the shapes are common there too (81% when written).
    assert len(recognised) > 0.7 * len(queries)
