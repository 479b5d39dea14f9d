"""A first dashboard: one metric panel and one logs panel. Rename the uid and title to your service's."""

from grafanalib.core import Dashboard, Logs, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="my-service", folder="Services")
def my_service(env):
    return Dashboard(
        title="My service",
        editable=False,  # the code deploys it; UI edits could not be saved
        panels=[
            TimeSeries(
                title="Targets up",
                description="Scrape targets that answered, by job.",
                dataSource="metrics",
                unit="short",
                targets=[Target(expr="sum by (job) (up)", legendFormat="{{job}}", refId="A")],
            ),
            Logs(
                title="Logs",
                description="Log lines of the namespace.",
                dataSource="logs",
                targets=[Target(expr=f'{{namespace="{env.namespace}"}}', refId="A")],
            ),
        ],
    )
