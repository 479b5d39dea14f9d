"""logql/line-filter-order: line filters come before the parser stage (Loki's query best practice)."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import QueryContext
from dashctl.queries.logql.ast import Decolorize, LabelParser, LineFilter, LineFormat, iter_log_queries

# Stages that rewrite the line: a filter after them sees a different line, so it cannot move before them.
_REWRITES = (LineFormat, Decolorize)


@rule(id="logql/line-filter-order", scope=Scope.QUERY, severity=Severity.WARNING,
      summary="line filter after a parser stage")
def check(query: QueryContext) -> Iterator[Problem]:
    if query.language != "LogQL" or query.parsed is None:
        return
    for log_query in iter_log_queries(query.parsed):
        parser = None
        for stage in log_query.stages:
            if isinstance(stage, _REWRITES):
                break
            if isinstance(stage, LabelParser) and parser is None:
                parser = stage
            elif isinstance(stage, LineFilter) and parser is not None:
                text = " or ".join(f'"{term.value}"' for term in stage.terms)
                yield Problem(
                    message=f"line filter {stage.op} {text} comes after the {parser.kind} parser: Loki parses "
                    "every line before it drops any, where the filter alone would have skipped most of them",
                    hint=f"move `{stage.op} {text}` before `| {parser.kind}`; it tests the same raw line there",
                    position=stage.position,
                )
