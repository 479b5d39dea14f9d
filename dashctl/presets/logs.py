"""The logs row of a service: log volume by level, the rate of error lines, and the lines themselves.

    logs_row(service="backend", logs=ServiceLogs(selector={"namespace": "$namespace", "app": "backend"},
                                                 format=PINO_HTTP, datasource=env.datasource("logs")))

All three panels read the same streams (the ServiceLogs selector, narrowed by the filter variables). A line is an
error when its level is one of the format's error levels or, for formats without a level (access logs), when its
status is 5xx. Volume is broken down by the format's level, or by another label such as Promtail's `stream`
(`volume_by="stream"`: stdout and stderr). A `search` box filters the logs panel by a text the lines contain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashctl.dashboards import units
from dashctl.errors import DefinitionError
from dashctl.presets.links import explore_link
from dashctl.presets.panels import Query, logs_panel, row, time_series
from dashctl.presets.section import Section, sentence
from dashctl.presets.signals import ServiceLogs
from dashctl.presets.variables import Variable, textbox
from dashctl.queries.logql_builder import Expr, Ge, LogQuery, Regex, rate, sum_by

__all__ = ["LogsQueries", "error_lines", "logs_queries", "logs_row"]


@dataclass(frozen=True, kw_only=True)
class LogsQueries:
    """The LogQL of a logs row."""

    volume: Expr
    error_rate: Expr
    lines: LogQuery


def error_lines(logs: ServiceLogs, query: LogQuery) -> LogQuery:
    """`query` (the service's streams) narrowed to error lines: by level, or by a 5xx status."""
    log_format = logs.format
    parsed = log_format.parse(query)
    if log_format.level is not None:
        return parsed.where(**{log_format.level: Regex("|".join(log_format.error_levels))})
    if log_format.status is not None:
        return parsed.where(**{log_format.status: Ge(500)}).without_errors()
    raise DefinitionError(
        f"log format {log_format.name!r} has neither a level nor a status label: which lines are errors?",
        hint="give the LogFormat a level (or a status) label",
    )


def _volume_source(logs: ServiceLogs, query: LogQuery, volume_by: str) -> LogQuery:
    if volume_by == logs.format.level:
        # Lines that are not JSON (a stack trace, a panic) still count: keep them, without the parse error.
        return logs.format.parse(query).drop("__error__", "__error_details__")
    return query  # a stream label (stream, pod, container): no parsing needed


def logs_queries(
    logs: ServiceLogs,
    *,
    filters: Sequence[Variable] = (),
    volume_by: str | None = None,
    search: Variable | None = None,
    errors_only: bool = False,
) -> LogsQueries:
    """The LogQL behind `logs_row`."""
    volume_by = volume_by or logs.format.level
    if volume_by is None:
        raise DefinitionError(
            f"log format {logs.format.name!r} has no level: say what to break the volume down by",
            hint="logs_row(..., volume_by='stream') for stdout / stderr",
        )
    streams = logs.stream(filters)
    lines = streams.contains(search.reference) if search is not None else streams
    if errors_only:
        lines = error_lines(logs, lines)
    return LogsQueries(
        volume=sum_by([volume_by], rate(_volume_source(logs, streams, volume_by))),
        error_rate=sum_by([], rate(error_lines(logs, streams))),
        lines=lines,
    )


def logs_row(
    *,
    service: str,
    logs: ServiceLogs,
    filters: Sequence[Variable] = (),
    volume_by: str | None = None,
    search: bool = True,
    errors_only: bool = False,
    title: str | None = None,
) -> Section:
    """A row with the log volume by level, the error line rate and the log lines of `service`."""
    if not service:
        raise DefinitionError("logs_row needs the service's name, for titles and descriptions")
    search_variable = (
        textbox("search", title="Search logs", description="Show only log lines that contain this text.")
        if search
        else None
    )
    queries = logs_queries(
        logs, filters=filters, volume_by=volume_by, search=search_variable, errors_only=errors_only
    )
    volume_by = volume_by or logs.format.level
    assert volume_by is not None
    linked = logs.stream(filters, regex_format=True)
    clicked = "${__field.labels.%s}" % volume_by
    level_lines = _volume_source(logs, linked, volume_by).where(**{volume_by: clicked})
    which = "error lines" if errors_only else "lines"
    panels = [
        row(title or f"{sentence(service)}: logs"),
        time_series(
            title="Log volume by level" if volume_by == logs.format.level else f"Log volume by {volume_by}",
            description=f"Log lines per second that {service} wrote, by {volume_by}, over $__auto.",
            unit=units.COUNTS_PER_SECOND,
            datasource=logs.datasource,
            queries=[Query(expr=queries.volume, legend=f"{{{{{volume_by}}}}}")],
            links=[explore_link(f"{sentence(service)} {clicked} lines", level_lines, logs.datasource)],
            stacked=True,
            width=12,
        ),
        time_series(
            title="Error lines",
            description=f"Error lines per second in the {service} logs over $__auto: "
            + _error_definition(logs),
            unit=units.COUNTS_PER_SECOND,
            datasource=logs.datasource,
            queries=[Query(expr=queries.error_rate, legend="errors")],
            links=[explore_link(f"{sentence(service)} error lines", error_lines(logs, linked), logs.datasource)],
            minimum=0,
            width=12,
        ),
        logs_panel(
            title=f"{sentence(service)} {which}",
            description=f"The {which} of {service}, newest first"
            + (", containing the Search text." if search else "."),
            datasource=logs.datasource,
            query=queries.lines,
            height=12,
        ),
    ]
    variables = [*filters, *([search_variable] if search_variable else [])]
    if isinstance(logs.datasource, Variable):
        variables.append(logs.datasource)
    return Section(panels=panels, variables=variables)


def _error_definition(logs: ServiceLogs) -> str:
    log_format = logs.format
    if log_format.level is not None:
        return f"lines whose {log_format.level} is {' or '.join(log_format.error_levels)}."
    return f"lines whose {log_format.status} is 5xx."
