"""The recognizer of common LogQL log queries (`dashctl.queries.logql.shapes`) never calls valid what the parser
(`parse_logql`: grammar and Loki's checks) refuses, and it does recognise what Logs panels are made of."""

from __future__ import annotations

import random

import pytest

from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql import parse_logql, shapes
from tests.queries.generated import QueryGenerator

COMMON = [
    '{app="api"}',
    '{app="api", namespace="prod"} |= "error"',
    '{app="s17"} |= "error" | logfmt | level="1"',
    '{job="mongodb", pod!="x"} != "debug" | json | status!="200"',
    '{app="$app"} |= "$search" | logfmt',
]
NOT_RECOGNISED = [
    '{app=""}',  # every matcher matches the empty string: Loki refuses it
    '{app!="api"}',
    '{app=~"api|web"}',  # a regex: RE2's rules are the parser's business
    '{app="api"} |~ "err(or"',
    '{app="api"} | json foo="bar"',
    '{app="api"} | logfmt | json="x"',
    'count_over_time({app="api"}[5m])',
    '{app="api"} | level="1" |',
]


def exact_verdict(query: str) -> bool:
    try:
        parse_logql(query)
    except QuerySyntaxError:
        return False
    return True


@pytest.mark.parametrize("query", COMMON)
def test_common_shapes_are_recognised_and_valid(query: str) -> None:
    assert shapes.has_common_shape(query)
    assert exact_verdict(query)


@pytest.mark.parametrize("query", NOT_RECOGNISED)
def test_what_is_left_to_the_parser(query: str) -> None:
    assert not shapes.has_common_shape(query)


_LABELS = (["app", "level", "namespace", "pod", "_x", "status", "a1"],
           ["__name__", "__x", "json", "logfmt", "by", "and", "unwrap", "line_format", "1a", "é", "ip", "offset"])
_STRINGS = (["api", "error", "0", "$app", "a b", "x.y", "[", "{"], ["", 'q"q', "a\\.b", "ü", "\t", "`"])
_OPERATORS = (["=", "!="], ["=~", "!~", "==", "~", "<", ">="])
_STAGES = (["|=", "!=", "| json", "| logfmt", "| label"],
           ["|~", "!~", "| json x", "| logfmt --strict", "| regexp", "| unpack", "| line_format", "|", "| drop a",
            "| label > 5", "|= ip"])


class _Generator(QueryGenerator):
    inserted = '{}|=!~"`, _0a$[]()'

    def space(self) -> str:
        return self.pick((["", " ", " ", "\n  "], ["\t", "\r", "  # c\n"]))

    def string(self) -> str:
        return self.pick((['"'], ['"', "`", "'"])) + self.pick(_STRINGS) + '"'

    def matcher(self) -> str:
        return self.pick(_LABELS) + self.space() + self.pick(_OPERATORS) + self.space() + self.string()

    def query(self) -> str:
        matchers = [self.matcher() for _ in range(self.rng.randint(1, 3))]
        text = "{" + ("," + self.space()).join(matchers) + self.pick(([""], [",", ""])) + "}"
        for _ in range(self.rng.randint(0, 4)):
            stage = self.pick(_STAGES)
            if stage in ("|=", "!=", "|~", "!~"):
                stage += self.space() + self.string()
            elif stage == "| label":
                stage = "| " + self.pick(_LABELS) + self.space() + self.pick(_OPERATORS) + self.space() + self.string()
            text += self.space() + stage
        return text



@pytest.mark.parametrize("seed", range(10))
def test_the_recognizer_never_accepts_what_the_parser_refuses(seed: int) -> None:
    rng = random.Random(seed)
    generate = _Generator(rng)
    recognised = 0
    for _ in range(1000):
        generate.wildness = rng.choice([0.0, 0.0, 0.05, 0.2, 0.5])
        query = generate.query()
        for candidate in (query, generate.mutate(query), generate.mutate(generate.mutate(query))):
            if shapes.has_common_shape(candidate):
                recognised += 1
                assert exact_verdict(candidate), f"seed {seed}: recognised, but the parser refuses {candidate!r}"
    assert recognised > 300, f"seed {seed}: only {recognised} queries recognised"


def test_no_query_of_the_invalid_collection_is_recognised() -> None:
    from pathlib import Path

    lines = (Path(__file__).parent / "invalid.txt").read_text(encoding="utf-8").splitlines()
    queries = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(queries) > 50
    assert [query for query in queries if shapes.has_common_shape(query)] == []
