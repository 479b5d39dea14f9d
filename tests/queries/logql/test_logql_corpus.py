"""Every query of valid.txt parses; every query of invalid.txt fails where and how its `#=>` line says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql import check_logql, parse_logql

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Case:
    query: str
    line: int
    position: int | None = None
    message: str | None = None


def read_corpus(name: str) -> list[Case]:
    """Read one query per line; skip `#` comments; attach a following `#=> @POSITION MESSAGE` to its query."""
    cases: list[Case] = []
    for number, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#=> "):
            position, _, message = line[len("#=> ") :].partition(" ")
            last = cases[-1]
            cases[-1] = Case(last.query, last.line, int(position.removeprefix("@")), message)
        elif line.strip() and not line.startswith("#"):
            cases.append(Case(line, number))
    return cases


VALID = read_corpus("valid.txt")
INVALID = read_corpus("invalid.txt")


def test_corpus_sizes() -> None:
    assert len(VALID) >= 60
    assert len(INVALID) >= 40
    assert all(case.position is not None for case in INVALID), "every invalid case says where its error is"


@pytest.mark.parametrize("case", VALID, ids=lambda case: f"valid.txt:{case.line}")
def test_valid_query_parses(case: Case) -> None:
    expr = parse_logql(case.query)
    assert check_logql(case.query) is None
    assert expr.is_metric in (True, False)


@pytest.mark.parametrize("case", INVALID, ids=lambda case: f"invalid.txt:{case.line}")
def test_invalid_query_is_rejected_at_the_offending_token(case: Case) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        check_logql(case.query)
    error = raised.value
    assert error.language == "LogQL"
    assert error.query == case.query
    assert error.position == case.position, error.message
    assert error.message.startswith(case.message or ""), error.message
