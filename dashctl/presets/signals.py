"""What the presets are built from: a request-duration histogram, a log line format, a service's logs.

    histogram = Histogram(name="http_request_duration_seconds", route_label="route", status_label="status_code")
    logs = ServiceLogs(selector={"namespace": "$namespace", "app": "backend"}, format=PINO_HTTP,
                       datasource=env.datasource("logs"))

Two log formats are ready to use: `PINO_HTTP` (one JSON object a line as pino-http writes it) and
`NGINX_COMBINED_REQUEST_TIME` (nginx's `combined` access log format followed by `$request_time`); `LogFormat`
describes any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from dashctl.dashboards import units
from dashctl.errors import DefinitionError
from dashctl.presets.variables import DatasourceSpec, Variable
from dashctl.queries.logql_builder import LogQuery, Parser
from dashctl.queries.promql import Selector
from dashctl.queries.promql.selectors import LabelValue, Matcher

__all__ = [
    "Histogram",
    "LogFormat",
    "NGINX_COMBINED_PATTERN",
    "NGINX_COMBINED_REQUEST_TIME",
    "PINO_HTTP",
    "ServiceLogs",
    "filter_matchers",
    "metric_selector",
]

_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def _check_label(what: str, label: str | None) -> None:
    if label is not None and not _LABEL.fullmatch(label):
        raise DefinitionError(f"{what}: invalid label name {label!r}", hint="label names match [a-zA-Z_][a-zA-Z0-9_]*")


def filter_matchers(filters: Iterable[Variable], *, regex_format: bool = False) -> tuple[Matcher, ...]:
    """`label=~"$name"` for each filter variable (`${name:regex}` where Grafana does not format it, in links)."""
    matchers = []
    for variable in filters:
        if not isinstance(variable, Variable) or variable.filters_label is None:
            raise DefinitionError(
                f"a filter must be a label_values(...) variable, not {variable!r}",
                hint="filters=[label_values('pod', label='pod', selector=metric(...))]",
            )
        value = variable.regex_reference() if regex_format else variable.reference
        matchers.append(Matcher(label=variable.filters_label, operator="=~", value=value))
    return tuple(matchers)


@dataclass(frozen=True, kw_only=True)
class Histogram:
    """A Prometheus histogram of request durations in seconds, and the labels its requests carry.

    `name` is the histogram's base name; Prometheus stores it as `<name>_bucket{le}`, `<name>_count` and
    `<name>_sum`. `route_label` holds the route template (Express `/api/products/:id`), `status_label` the
    HTTP status code, `method_label` the HTTP method.
    """

    name: str
    route_label: str = "route"
    status_label: str = "status_code"
    method_label: str = "method"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z_:][A-Za-z0-9_:]*", self.name):
            raise DefinitionError(f"invalid histogram name {self.name!r}")
        if self.name.endswith(_HISTOGRAM_SUFFIXES):
            raise DefinitionError(
                f"histogram name {self.name!r} ends in a series suffix",
                hint=f"give the base name, e.g. {re.sub('_(bucket|count|sum)$', '', self.name)!r}",
            )
        for what in ("route_label", "status_label", "method_label"):
            _check_label(f"Histogram.{what}", getattr(self, what))

    @property
    def buckets(self) -> str:
        return f"{self.name}_bucket"

    @property
    def count(self) -> str:
        return f"{self.name}_count"


@dataclass(frozen=True, kw_only=True)
class LogFormat:
    """How to read one kind of log line: the parser stage, and which extracted label holds what.

    Labels left None are not in the format; presets leave out what needs them. `duration_unit` is the unit of
    the `duration` label's values (`units.SECONDS` or `units.MILLISECONDS`).
    """

    name: str
    parser: Parser
    level: str | None = None
    error_levels: tuple[str, ...] = ("error", "fatal")
    status: str | None = None
    method: str | None = None
    path: str | None = None
    route: str | None = None
    duration: str | None = None
    duration_unit: str = units.SECONDS

    def __post_init__(self) -> None:
        if not isinstance(self.parser, Parser):
            raise DefinitionError(f"log format {self.name!r}: parser must be a logql_builder.Parser stage")
        for what in ("level", "status", "method", "path", "route", "duration"):
            _check_label(f"log format {self.name!r} {what}", getattr(self, what))
        if self.duration_unit not in (units.SECONDS, units.MILLISECONDS):
            raise DefinitionError(f"log format {self.name!r}: duration_unit must be units.SECONDS or MILLISECONDS")

    def parse(self, query: LogQuery) -> LogQuery:
        """`query` with this format's parser stage appended."""
        return query.then(self.parser)


NGINX_COMBINED_PATTERN = (
    '<_> - <_> [<_>] "<method> <path> <_>" <status> <_> "<_>" "<_>" <request_time>'
)
"""nginx's `combined` log format followed by `$request_time`, as a Loki `pattern`: method, path, status and the
request time in seconds are extracted, the rest skipped (`<_>`)."""

NGINX_COMBINED_REQUEST_TIME = LogFormat(
    name="nginx combined + request_time",
    parser=Parser(kind="pattern", expression=NGINX_COMBINED_PATTERN),
    status="status",
    method="method",
    path="path",
    duration="request_time",
    duration_unit=units.SECONDS,
)
"""`10.1.2.3 - - [24/Nov/2026:10:00:00 +0000] "GET /cart HTTP/1.1" 200 512 "-" "Mozilla/5.0" 0.012`"""

PINO_HTTP = LogFormat(
    name="pino-http JSON",
    parser=Parser(kind="json"),
    level="level",
    status="res_statusCode",
    method="req_method",
    path="req_url",
    duration="responseTime",
    duration_unit=units.MILLISECONDS,
)
"""One JSON object a line with `level`, `msg`, `req.method`, `req.url`, `res.statusCode` and `responseTime` in
milliseconds; Loki's `json` parser flattens `res.statusCode` into the label `res_statusCode`."""


@dataclass(frozen=True, kw_only=True)
class ServiceLogs:
    """A service's logs: the stream selector that finds them, their format, and the datasource that holds them.

    `datasource` must name the uid (`env.datasource("logs")`) or be a datasource variable, because the links
    into Explore that presets add need it; panels use it too.
    """

    selector: Mapping[str, LabelValue]
    format: LogFormat
    datasource: DatasourceSpec
    _matchers: tuple[Matcher, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        if not self.selector:
            raise DefinitionError("ServiceLogs needs a stream selector, e.g. {'namespace': '$namespace', 'app': 'x'}")
        matchers = tuple(Matcher.of(label, value) for label, value in self.selector.items())
        object.__setattr__(self, "selector", MappingProxyType(dict(self.selector)))
        object.__setattr__(self, "_matchers", matchers)

    def stream(self, filters: Iterable[Variable] = (), *, regex_format: bool = False) -> LogQuery:
        """The service's streams, narrowed by the filter variables: `{namespace="$namespace", app="x", pod=~"$pod"}`."""
        return LogQuery(matchers=self._matchers + filter_matchers(filters, regex_format=regex_format))

    @property
    def fixed_labels(self) -> tuple[str, ...]:
        """The labels the selector fixes with `=`: one value each, so grouping by them keeps one series."""
        return tuple(matcher.label for matcher in self._matchers if matcher.operator == "=")


def metric_selector(
    name: str, selector: Mapping[str, LabelValue], filters: Iterable[Variable] = (), **labels: LabelValue
) -> Selector:
    """`name{selector..., filter=~"$filter"..., labels...}`."""
    matchers = tuple(Matcher.of(label, value) for label, value in selector.items())
    matchers += filter_matchers(filters)
    matchers += tuple(Matcher.of(label, value) for label, value in labels.items())
    return Selector(metric=name, matchers=matchers)

