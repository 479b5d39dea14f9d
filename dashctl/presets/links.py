"""Data links and panel links: from a graph to the logs behind it, from one dashboard to another.

A data link (`fieldConfig.defaults.links[]`) is offered when a user clicks a point of a graph; Grafana interpolates
the URL at that moment, with the dashboard's variables (`$namespace`), the clicked series' labels
(`${__field.labels.route}`), the clicked value (`${__value.raw}`) and the time range (`${__from}`, `${__to}`,
`${__url_time_range}`), URL-encoding each value unless the reference names a format (`${pod:regex}`).

`explore_link` opens Grafana Explore on a log query, over the dashboard's time range: the way from a RED panel to
the matching logs. `dashboard_link` opens another dashboard with the same time range and chosen variables.

Grafana reads `title`, `url` and `targetBlank` of a link. The dashboard schema types links as DashboardLink, which
requires its other keys too, so every link carries them with neutral values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from dashctl.errors import DefinitionError
from dashctl.project.environment import DatasourceRef
from dashctl.presets.variables import DatasourceSpec, Variable
from dashctl.queries.logql_builder import LogQuery
from dashctl.queries.variables import VARIABLE_PATTERN

__all__ = ["DataLink", "dashboard_link", "explore_link", "explore_query", "url_with_variables"]

_EXPLORE_PANE = "logs"


@dataclass(frozen=True, kw_only=True)
class DataLink:
    """A link on a panel (`links[]`) or on its data points (`fieldConfig.defaults.links[]`)."""

    title: str
    url: str
    new_tab: bool = False

    def __post_init__(self) -> None:
        if not self.title or not self.url:
            raise DefinitionError("a link needs a title and a url")

    def to_json_data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "targetBlank": self.new_tab,
            # Required by the schema's DashboardLink; Grafana ignores them on data links.
            "type": "link",
            "icon": "external link",
            "tooltip": "",
            "tags": [],
            "asDropdown": False,
            "includeVars": False,
            "keepTime": False,
        }


def url_with_variables(text: str) -> str:
    """Percent-encode `text` for a URL, leaving Grafana variable references for Grafana to interpolate."""
    pieces = []
    last = 0
    for match in VARIABLE_PATTERN.finditer(text):
        pieces.append(quote(text[last : match.start()], safe=""))
        pieces.append(match.group())
        last = match.end()
    pieces.append(quote(text[last:], safe=""))
    return "".join(pieces)


def _explore_datasource(spec: DatasourceSpec | Mapping[str, str]) -> tuple[str, str]:
    """The uid (or `${variable}`) and plugin type Explore needs; a logical name cannot be resolved here."""
    if isinstance(spec, DatasourceRef):
        return spec.uid, spec.type
    if isinstance(spec, Variable) and spec.type == "datasource":
        return f"${{{spec.name}}}", spec.query
    if isinstance(spec, Mapping) and "uid" in spec:
        return spec["uid"], spec.get("type", "loki")
    raise DefinitionError(
        f"a link to Explore needs the logs datasource's uid, not {spec!r}",
        hint="pass datasource=env.datasource('logs') (or a datasource_variable) to ServiceLogs",
    )


def explore_query(url: str) -> str:
    """The log query of an `explore_link` URL, as Grafana will run it (variables not yet interpolated)."""
    from urllib.parse import parse_qs, urlsplit

    panes = parse_qs(urlsplit(url).query)["panes"][0]
    return json.loads(panes)[_EXPLORE_PANE]["queries"][0]["expr"]


def explore_link(title: str, query: LogQuery | str, datasource: DatasourceSpec) -> DataLink:
    """A link that opens `query` in Grafana Explore on `datasource`, over the dashboard's time range.

    The URL is Explore's current form (`/explore?schemaVersion=1&panes=...`, Grafana 10.2 and later); the query
    may use dashboard variables and the clicked series' labels, which Grafana fills in when the link is followed.
    """
    uid, plugin = _explore_datasource(datasource)
    panes = {
        _EXPLORE_PANE: {
            "datasource": uid,
            "queries": [
                {"refId": "A", "expr": str(query), "queryType": "range", "datasource": {"type": plugin, "uid": uid}}
            ],
            "range": {"from": "${__from}", "to": "${__to}"},
        }
    }
    encoded = url_with_variables(json.dumps(panes, separators=(",", ":"), sort_keys=True))
    return DataLink(title=title, url=f"/explore?schemaVersion=1&panes={encoded}")


def dashboard_link(
    title: str,
    uid: str,
    *,
    variables: Iterable[Variable | str] = (),
    values: Mapping[str, str] | None = None,
    new_tab: bool = False,
) -> DataLink:
    """A link to dashboard `uid` with the current time range, the current value of `variables`, and `values`.

    `values` sets variables of the target (`{"route": "${__field.labels.route}"}`) from the clicked series.
    """
    parameters = ["${__url_time_range}"]
    for variable in variables:
        name = variable.name if isinstance(variable, Variable) else variable
        parameters.append(f"${{{name}:queryparam}}")
    for name, value in (values or {}).items():
        parameters.append(f"var-{quote(name, safe='')}={url_with_variables(value)}")
    return DataLink(title=title, url=f"/d/{uid}?{'&'.join(parameters)}", new_tab=new_tab)
