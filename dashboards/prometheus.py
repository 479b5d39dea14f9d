"""Prometheus self-health: targets that are down, series in the head block, failing rule evaluations.

A `datasource` picker chooses which Prometheus to look at (this environment's by default), for Grafanas that
also have another one, such as the cluster's kube-prometheus-stack.
"""

from grafanalib.core import Dashboard, Time

import telemetry as t
from dashboards._services import NAMESPACE, PLATFORM_TAG, namespace, platform_links
from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.presets import Query, datasource_variable, metric_selector, row, stat, templating, time_series
from dashctl.queries.promql import count_by, rate, ratio, sum_by


@dashboard(uid="prometheus-health", folder="Observability")
def prometheus_health(env):
    prometheus = datasource_variable(
        "datasource",
        plugin="prometheus",
        current=env.datasource("metrics"),
        title="Prometheus",
        description="The Prometheus to inspect.",
    )
    targets = metric_selector(t.UP, NAMESPACE)
    per_job = f"{{{{{t.JOB_LABEL}}}}}"
    panels = [
        row("Scraping"),
        stat(
            title="Targets down",
            description="Scrape targets in the namespace whose last scrape failed (up == 0).",
            unit=units.SHORT,
            datasource=prometheus,
            queries=[sum_by([], targets.eq(0, as_bool=True))],
            thresholds=[(None, "green"), (1, "red")],
            width=6,
        ),
        stat(
            title="Head series",
            description="Series in Prometheus's head block (the last two hours, in memory): what drives its "
            "memory use.",
            unit=units.SHORT,
            datasource=prometheus,
            queries=[sum_by([], metric_selector(t.PROMETHEUS_HEAD_SERIES, NAMESPACE))],
            width=6,
        ),
        time_series(
            title="Targets up by job",
            description="Share of each job's scrape targets whose last scrape succeeded.",
            unit=units.PERCENT_UNIT,
            datasource=prometheus,
            queries=[
                Query(expr=ratio(sum_by([t.JOB_LABEL], targets), count_by([t.JOB_LABEL], targets)), legend=per_job)
            ],
            minimum=0,
            width=12,
        ),
        row("Storage and rules"),
        time_series(
            title="Head series by pod",
            description="Series in the head block of each Prometheus pod; a sudden climb is a cardinality "
            "explosion (a label with unbounded values).",
            unit=units.SHORT,
            datasource=prometheus,
            queries=[
                Query(
                    expr=sum_by([t.POD_LABEL], metric_selector(t.PROMETHEUS_HEAD_SERIES, NAMESPACE)),
                    legend=f"{{{{{t.POD_LABEL}}}}}",
                )
            ],
            minimum=0,
            width=12,
        ),
        time_series(
            title="Rule evaluation failures by group",
            description="Recording and alerting rule evaluations per second that failed, by rule group, over "
            "$__rate_interval. A failing alert rule never fires.",
            unit=units.OPS_PER_SECOND,
            datasource=prometheus,
            queries=[
                Query(
                    expr=sum_by([t.RULE_GROUP_LABEL], rate(metric_selector(t.PROMETHEUS_RULE_FAILURES, NAMESPACE))),
                    legend=f"{{{{{t.RULE_GROUP_LABEL}}}}}",
                )
            ],
            minimum=0,
            width=12,
        ),
    ]
    return Dashboard(
        editable=False,  # the code deploys it; UI edits could not be saved
        title="Prometheus",
        description="Health of the environment's Prometheus: scrape targets, head series, rule evaluations.",
        tags=[PLATFORM_TAG, "observability", "prometheus"],
        time=Time("now-3h", "now"),
        refresh="1m",
        timezone="browser",
        links=platform_links(),
        templating=templating(prometheus, namespace(env)),
        panels=panels,
    )
