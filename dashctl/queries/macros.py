"""The variables Grafana's own datasource backends replace in a query that runs without a dashboard: an alert rule's.

A dashboard's variables (`$namespace`, `${cluster}`, `[[job]]`) and Grafana's front-end ones (`$__from`,
`${__user.login}`) are replaced in the browser. An alert rule is evaluated by the server, where only the
datasource's backend interpolates, and only these macros (exact texts, no `:format`); anything else reaches
Prometheus or Loki as written, which refuse it, so the rule never evaluates:

- Prometheus (pkg/promlib/models/query.go, `interpolateVariables`): `$__interval`, `$__interval_ms`, `$__range`,
  `$__range_s`, `$__range_ms`, `$__rate_interval`, `$__rate_interval_ms`, each also as `${...}`.
- Loki (pkg/tsdb/loki/parse_query.go, `interpolateVariables`): `$__interval`, `$__interval_ms`, `$__range`,
  `$__range_s`, `$__range_ms`, each also as `${...}`, and `$__auto` (not `${__auto}`).
"""

from __future__ import annotations

from dashctl.queries.variables import VariableReference, find_variables
from dashctl.spelling import closest

__all__ = ["BACKEND_MACROS", "describe_uninterpolated", "uninterpolated_variables"]

_COMMON = ("__interval", "__interval_ms", "__range", "__range_s", "__range_ms")
BACKEND_MACROS: dict[str, frozenset[str]] = {
    "PromQL": frozenset(text for name in (*_COMMON, "__rate_interval", "__rate_interval_ms")
                        for text in (f"${name}", f"${{{name}}}")),
    "LogQL": frozenset({*(text for name in _COMMON for text in (f"${name}", f"${{{name}}}")), "$__auto"}),
}
"""Per query language, the exact texts its Grafana backend replaces in an alert rule's query."""


def uninterpolated_variables(expr: str, language: str) -> tuple[VariableReference, ...]:
    """The variable references of `expr` that Grafana's `language` backend leaves as written in an alert rule.

    `$1` and `${1}` are not variables but regex capture groups (label_replace's replacement), left alone.
    """
    macros = BACKEND_MACROS.get(language, frozenset())
    return tuple(reference for reference in find_variables(expr)
                 if reference.text not in macros and not reference.name.isdigit())


def describe_uninterpolated(reference: VariableReference, language: str) -> tuple[str, str]:
    """(what is wrong, how to fix it) for one reference `uninterpolated_variables` found."""
    known = BACKEND_MACROS.get(language, frozenset())
    # Listed as `$name`; every one but `$__auto` may also be written `${name}`.
    macros = sorted(text for text in known if not text.startswith("${"))
    if reference.builtin:
        what = (f"uses {reference.text}, which Grafana's {'Loki' if language == 'LogQL' else 'Prometheus'} backend "
                f"does not replace in an alert rule (only a dashboard's browser does): the query reaches the "
                f"datasource as written and the rule never evaluates")
        guess = closest(reference.text, known)
        hint = (f"did you mean {guess}? " if guess else "") + f"an alert rule's query may use {', '.join(macros)}"
        return what, hint
    what = (f"uses {reference.text}, a dashboard variable: an alert rule is evaluated without a dashboard, so the "
            f"query reaches the datasource as written and the rule never evaluates")
    hint = ("put the value in the query, e.g. f'namespace=\"{env.namespace}\"' or env.value(...); "
            f"the only variables an alert rule's query may use are {', '.join(macros)}")
    return what, hint
