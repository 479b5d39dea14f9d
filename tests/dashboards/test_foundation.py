"""A definition may return a grafana-foundation-sdk dashboard (builder or model): the compiler treats it like any
dashboard (logical datasource names, query validation, layout, Grafana's schema)."""

from __future__ import annotations

import json

import pytest

from dashctl.dashboards.compile import compile_dashboard
from dashctl.errors import DefinitionErrors
from tests.panels.test_panel_types import ENVIRONMENT, SCHEMA, definition, relaxed_schema

sdk = pytest.importorskip("grafana_foundation_sdk", reason="grafana-foundation-sdk is not installed (test extras)")

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries  # noqa: E402
from grafana_foundation_sdk.models.dashboard import DataSourceRef  # noqa: E402


def sdk_dashboard(expr: str = 'sum(rate(http_requests_total{namespace="dev"}[$__rate_interval]))'):
    metrics = DataSourceRef(uid="metrics")
    return (
        dashboard.Dashboard("Checkout")
        .uid("checkout")
        .with_panel(timeseries.Panel().title("Requests").description("Requests per second.").unit("reqps")
                    .datasource(metrics).with_target(prometheus.Dataquery().expr(expr).legend_format("{{route}}")))
        .with_panel(stat.Panel().title("Up").description("Healthy pods.").unit("none").datasource(metrics)
                    .with_target(prometheus.Dataquery().expr("sum(up)")))
    )


@pytest.mark.parametrize("form", ["builder", "model"])
def test_a_foundation_sdk_dashboard_compiles_like_any_other(form):
    built = sdk_dashboard() if form == "builder" else sdk_dashboard().build()
    model = compile_dashboard(definition("checkout"), built, ENVIRONMENT).model
    assert model["uid"] == "checkout" and model["title"] == "Checkout" and model["schemaVersion"] == 42
    series, single = model["panels"]
    assert (series["type"], single["type"]) == ("timeseries", "stat")
    assert series["datasource"] == {"type": "prometheus", "uid": "prom-dev"}
    assert series["targets"][0]["refId"] == "A" and series["targets"][0]["legendFormat"] == "{{route}}"
    assert series["fieldConfig"]["defaults"]["unit"] == "reqps"
    assert [panel["id"] for panel in model["panels"]] == [1, 2]
    assert model["annotations"] == {"list": []} and model["templating"] == {"list": []}
    assert compile_dashboard(definition("checkout"), json.loads(json.dumps(model)), ENVIRONMENT).model == model
    if SCHEMA.exists():
        import jsonschema

        assert [e.message for e in jsonschema.Draft7Validator(relaxed_schema()).iter_errors(model)] == []


def test_an_invalid_query_in_a_foundation_sdk_dashboard_is_reported():
    with pytest.raises(DefinitionErrors) as raised:
        compile_dashboard(definition("checkout"), sdk_dashboard(expr="sum(rate(x[5m])"), ENVIRONMENT)
    assert "panel 'Requests' query A" in str(raised.value)


def test_a_foundation_sdk_panel_alone_is_not_a_dashboard():
    from dashctl.errors import DefinitionError

    with pytest.raises(DefinitionError, match="returned a grafana-foundation-sdk Panel, not a Dashboard"):
        compile_dashboard(definition("checkout"), timeseries.Panel().title("x"), ENVIRONMENT)


def test_dashctl_build_takes_a_definition_returning_the_sdk_builder(make_project):
    project = make_project({"dashboards/checkout.py": '''
from grafana_foundation_sdk.builders import dashboard, prometheus, timeseries
from grafana_foundation_sdk.models.dashboard import DataSourceRef

from dashctl.definitions import dashboard as dashctl_dashboard


@dashctl_dashboard(uid="checkout", folder="Checkout")
def checkout(env):
    return (dashboard.Dashboard("Checkout")
            .with_panel(timeseries.Panel().title("Requests").description("Requests per second.").unit("reqps")
                        .datasource(DataSourceRef(uid="metrics"))
                        .with_target(prometheus.Dataquery().expr("sum(rate(http_requests_total[5m]))"))))
'''})
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    assert (project.root / "deploy/dev/dashboard-checkout.yaml").exists()
