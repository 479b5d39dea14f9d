"""Template variables: what `$name` in a query stands for, and how Grafana offers its values.

A `Variable` is one entry of a dashboard's `templating.list`. It renders only the keys current Grafana's dashboard
schema knows (grafanalib's `Template` writes `current` without text and value, and legacy keys such as `useTags`,
which the schema rejects), so presets and dashboards use these instead:

    namespace = constant("namespace", env.namespace)
    pods = label_values("pod", label="pod", selector=metric("up", namespace="$namespace", container="backend"))
    search = textbox("search", label="Search")

A variable that filters by a label (`label_values`) can be passed to the presets as a filter: every selector of
the preset then gets `pod=~"$pod"`, and the variable comes back in the preset's `Section.variables`.
`merge_variables` joins the variables of several sections, once each, and refuses two different definitions under
one name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashctl.errors import DefinitionError
from dashctl.project.environment import DatasourceRef
from dashctl.queries.logql_builder import LogQuery
from dashctl.queries.promql import Selector

__all__ = [
    "ALL",
    "DatasourceSpec",
    "HIDE_LABEL",
    "HIDE_VARIABLE",
    "SHOW",
    "Variable",
    "constant",
    "datasource_json",
    "datasource_variable",
    "label_values",
    "merge_variables",
    "namespace_variable",
    "textbox",
]

# VariableHide (kinds/dashboard): 0 show label and value, 1 value only, 2 nothing.
SHOW, HIDE_LABEL, HIDE_VARIABLE = 0, 1, 2
# VariableRefresh: 1 on dashboard load, 2 when the time range changes (values follow the pods that existed then).
_REFRESH_ON_TIME_RANGE = 2
_SORT_ALPHABETICAL = 1
ALL = "$__all"
"""The value Grafana stores when "All" is selected; queries then see the variable's `allValue`."""

_TYPES = frozenset({"query", "constant", "custom", "textbox", "datasource", "interval"})


@dataclass(frozen=True, kw_only=True)
class Variable:
    """One dashboard template variable (`templating.list[]`): its name, type, and where its values come from.

    `type` is Grafana's variable type: `query` (values from a datasource query such as
    `label_values(up, pod)`), `constant` (a hidden fixed value), `custom` (a comma-separated list), `textbox`
    (free text), `datasource` (a picker of datasources of one plugin type, `query` being the plugin id),
    `interval`. `filters_label` names the label a `label_values` variable filters, so presets can add
    `label=~"$name"` to their selectors.
    """

    name: str
    type: str
    query: str = ""
    label: str | None = None
    description: str | None = None
    datasource: str | DatasourceRef | None = None
    multi: bool = False
    include_all: bool = False
    all_value: str | None = None
    current: str | None = None
    current_text: str | None = None
    hide: int = SHOW
    refresh: int | None = None
    sort: int | None = None
    regex: str | None = None
    filters_label: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier() or self.name.startswith("__"):
            raise DefinitionError(
                f"invalid template variable name {self.name!r}",
                hint="use letters, digits and '_'; names starting with '__' are Grafana's own ($__interval, ...)",
            )
        if self.type not in _TYPES:
            raise DefinitionError(
                f"variable {self.name!r}: unknown type {self.type!r}", hint=f"use one of {', '.join(sorted(_TYPES))}"
            )

    @property
    def reference(self) -> str:
        """`$name`, as a query writes it."""
        return f"${self.name}"

    def regex_reference(self) -> str:
        """`${name:regex}`: the value formatted as a regex, for places Grafana does not format by itself (links)."""
        return f"${{{self.name}:regex}}"

    def to_json_data(self) -> dict[str, Any]:
        """The variable as Grafana's dashboard JSON writes it (grafanalib's encoder calls this)."""
        data: dict[str, Any] = {"name": self.name, "type": self.type, "query": self.query, "hide": self.hide}
        optional = {
            "label": self.label,
            "description": self.description,
            "datasource": datasource_json(self.datasource) if self.datasource is not None else None,
            "allValue": self.all_value,
            "refresh": self.refresh,
            "sort": self.sort,
            "regex": self.regex,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        if self.type in ("query", "custom", "datasource"):
            data.update(multi=self.multi, includeAll=self.include_all)
        if self.current is not None:
            text = self.current_text if self.current_text is not None else self.current
            data["current"] = {"text": text, "value": self.current}
        if self.type in ("constant", "textbox"):
            data["options"] = [{"selected": True, "text": self.query, "value": self.query}]
        return data


DatasourceSpec = str | DatasourceRef | Variable
"""Where a preset's panels query: a logical name (`"metrics"`), an environment's DatasourceRef
(`env.datasource("logs")`), or a datasource Variable (`datasource_variable(...)`)."""


def datasource_json(spec: DatasourceSpec | Mapping[str, str]) -> str | dict[str, str]:
    """The panel or variable `datasource` value for `spec`: a logical name, `${var}`, or `{type, uid}`."""
    if isinstance(spec, Variable):
        if spec.type != "datasource":
            raise DefinitionError(f"variable {spec.name!r} is a {spec.type} variable, not a datasource variable")
        return f"${{{spec.name}}}"
    if isinstance(spec, DatasourceRef):
        return spec.to_json()
    if isinstance(spec, Mapping):
        return dict(spec)
    if isinstance(spec, str) and spec:
        return spec
    raise DefinitionError(
        f"invalid datasource {spec!r}",
        hint="use a logical name ('metrics'), env.datasource('logs'), or a datasource_variable(...)",
    )


def constant(name: str, value: str, *, description: str | None = None) -> Variable:
    """A hidden constant: `$name` is `value` everywhere, and links carry it (`${name:queryparam}`)."""
    return Variable(name=name, type="constant", query=value, hide=HIDE_VARIABLE, description=description)


def namespace_variable(namespace: str, *, name: str = "namespace") -> Variable:
    """The environment's Kubernetes namespace as a hidden constant `$namespace`, for every selector."""
    return constant(name, namespace, description="The Kubernetes namespace of this environment.")


def label_values(
    name: str,
    *,
    label: str,
    selector: Selector | LogQuery,
    datasource: DatasourceSpec = "metrics",
    title: str | None = None,
    description: str | None = None,
    multi: bool = True,
    include_all: bool = True,
) -> Variable:
    """A variable offering the values `label` has on the series of `selector`: `label_values(up{...}, pod)`.

    `selector` is a metric selector for a Prometheus datasource, or a stream selector (`stream(...)`, without
    pipeline stages) for a Loki one. With "All" selected the queries see `.*`, so `label=~"$name"` matches every
    value, including series that appeared after the dashboard loaded.
    """
    if not (isinstance(selector, Selector) or (isinstance(selector, LogQuery) and not selector.stages)):
        raise DefinitionError(
            f"variable {name!r}: selector must be a metric selector, e.g. metric('up', namespace='$namespace'), "
            "or a log stream selector without stages, e.g. stream(namespace='$namespace', app='frontend')"
        )
    source = selector.metric if isinstance(selector, Selector) else None
    return Variable(
        name=name,
        type="query",
        query=f"label_values({selector.render()}, {label})",
        label=title or name.replace("_", " ").capitalize(),
        description=description or f"Values of the {label!r} label on {source or 'the selected'} series.",
        datasource=datasource,
        multi=multi,
        include_all=include_all,
        all_value=".*" if include_all else None,
        current=ALL if include_all else None,
        current_text="All" if include_all else None,
        refresh=_REFRESH_ON_TIME_RANGE,
        sort=_SORT_ALPHABETICAL,
        filters_label=label,
    )


def textbox(name: str, *, title: str | None = None, default: str = "", description: str | None = None) -> Variable:
    """A free-text variable, e.g. a search string for a logs panel's line filter (`|= "$search"`)."""
    return Variable(
        name=name,
        type="textbox",
        query=default,
        label=title or name.capitalize(),
        description=description,
        current=default,
    )


def datasource_variable(
    name: str,
    *,
    plugin: str,
    current: DatasourceRef | None = None,
    title: str | None = None,
    regex: str | None = None,
    description: str | None = None,
) -> Variable:
    """A datasource picker of one plugin type (`prometheus`, `loki`); panels use it as `dataSource="${name}"`.

    `current` (e.g. `env.datasource("metrics")`) is what the dashboard opens with; `regex` limits the choice by
    datasource name.
    """
    return Variable(
        name=name,
        type="datasource",
        query=plugin,
        label=title or "Data source",
        description=description,
        current=current.uid if current is not None else None,
        regex=regex,
    )


def merge_variables(variables: Iterable[Variable]) -> tuple[Variable, ...]:
    """Each variable once, in order of first appearance; two different definitions of one name are an error."""
    merged: dict[str, Variable] = {}
    for variable in variables:
        known = merged.get(variable.name)
        if known is None:
            merged[variable.name] = variable
        elif known != variable:
            raise DefinitionError(
                f"template variable {variable.name!r} is defined twice, differently",
                hint="pass the same Variable object to every preset that filters by it, or rename one",
            )
    return tuple(merged.values())
