"""A first dashboard: one metric panel and one logs panel. Rename the uid and title to your service's.

The panels come from dashctl.panels, one typed factory per Grafana panel type (its docs: `dashctl docs panels`);
grafanalib panels and the presets' rows (red_row, logs_row) mix with them freely.
"""

from grafanalib.core import Dashboard

from dashctl.dashboards import units
from dashctl.definitions import dashboard
from dashctl.panels import Query, logs, time_series


@dashboard(uid="my-service", folder="Services")
def my_service(env):
    return Dashboard(
        title="My service",
        editable=False,  # the code deploys it; UI edits could not be saved
        panels=[
            time_series(
                title="Targets up",
                description="Scrape targets that answered, by job.",
                unit=units.SHORT,
                datasource="metrics",
                queries=[Query(expr="sum by (job) (up)", legend="{{job}}")],
            ),
            logs(
                title="Logs",
                description="Log lines of the namespace, newest first.",
                datasource="logs",
                query=f'{{namespace="{env.namespace}"}}',
            ),
        ],
    )
