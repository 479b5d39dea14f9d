"""lint/suppression-unused: a suppression comment is well formed, names known rules, and silences something."""

from __future__ import annotations

from collections.abc import Iterator

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.suppression import SuppressionContext
from dashctl.spelling import closest

_SYNTAX = "# dashctl-lint: ignore[area/rule, ...] reason: <why>"


@rule(id="lint/suppression-unused", scope=Scope.SUPPRESSION, severity=Severity.WARNING,
      summary="suppression that silences nothing")
def check(context: SuppressionContext) -> Iterator[Problem]:
    suppression = context.suppression
    if suppression.malformed:
        yield Problem(message=f"suppression comment not understood: {suppression.text.strip()}",
                      hint=f"write {_SYNTAX}")
        return
    unknown = [name for name in suppression.rules if name not in context.known_rules]
    for name in unknown:
        guess = closest(name, context.known_rules)
        yield Problem(message=f"the suppression names {name}, which is not a lint rule",
                      hint=f"did you mean {guess}?" if guess else "`dashctl lint --list-rules` lists them")
    if not suppression.reason or not context.complete:
        return  # without a reason it silences nothing by design; with environments left out, "unused" is unsure
    for name in suppression.rules:
        if name in context.known_rules and name not in context.used_rules:
            yield Problem(
                message=f"the suppression of {name} silences no finding here: the problem is gone, or the "
                "comment is not next to the definition it is about",
                hint="remove the comment, or move it to the line a finding points at or the line above it",
            )
