"""Definition files for the alert tests' throw-away projects (see tests/conftest.py `make_project`)."""

RULES = '''
from dashctl.alerts import (AlertRule, DashboardPanel, LogQL, Math, PromQL, Threshold, rule_group)


@rule_group(name="shop-http", folder="Shop", interval="1m", team="shop")
def shop_http(env):
    ratio = (f'sum(rate(http_requests_total{{namespace="{env.namespace}", code=~"5.."}}[5m])) '
             f'/ sum(rate(http_requests_total{{namespace="{env.namespace}"}}[5m]))')
    return [
        AlertRule(
            uid="shop-5xx-ratio",
            title="Shop 5xx ratio high",
            severity="critical",
            query=PromQL(expr=ratio),
            condition=Threshold(above=env.value("error_ratio")),
            for_="5m",
            no_data_state="OK",
            summary="Shop answers {{ humanizePercentage $values.B.Value }} with a 5xx",
            runbook_url="https://runbooks.example.com/shop-5xx",
            labels={"service": "shop"},
            dashboard=DashboardPanel(uid="shop-api", panel="Requests"),
        ),
        AlertRule(
            uid="shop-latency-mean",
            title="Shop mean latency high",
            severity="warning",
            query=PromQL(expr='avg(shop_latency_seconds)', range="10m", step="1m"),
            condition=Threshold(within=(0.5, 10), reduce="mean"),
            summary="Shop is slow",
        ),
        AlertRule(
            uid="shop-errors-vs-requests",
            title="Shop errors outpace requests",
            severity="info",
            queries=[PromQL(expr="sum(shop_errors)", ref_id="A"), PromQL(expr="sum(shop_requests)", ref_id="B")],
            condition=Math(expression="$A > 2 * $B && $A > 10"),
            summary="Errors: {{ $values.A.Value }}",
        ),
    ]


@rule_group(name="shop-logs", folder="Shop", interval="1m", team="shop")
def shop_logs(env):
    return [
        AlertRule(
            uid="shop-error-lines",
            title="Shop logs errors",
            severity="warning",
            query=LogQL(expr=f'sum by (level) (count_over_time({{namespace="{env.namespace}", app="shop"}} '
                             f'| json | level="error" [5m]))'),
            condition=Threshold(above=10),
            summary="{{ $values.B.Value }} error lines",
        ),
    ]
'''

NOTIFICATIONS = '''
from dashctl.alerts import (ContactPoint, Email, MessageTemplate, MuteTiming, NotificationPolicy, PagerDuty, Route,
                            Slack, TimeInterval, Webhook, contact_points, env_secret, message_templates,
                            mute_timings, notification_policy)


@contact_points
def points(env):
    return [
        ContactPoint(name="oncall", integrations=[
            PagerDuty(integration_key=env_secret("PD_KEY")),
            Email(addresses=["oncall@example.com"]),
        ]),
        ContactPoint(name="chat", integrations=[
            Slack(url=env_secret("SLACK_URL"), title='{{ template "shop.title" . }} {{ $labels.pod }}'),
            Webhook(url="https://hooks.example.com/alerts", authorization_credentials=env_secret("HOOK_TOKEN")),
        ]),
    ]


@message_templates
def texts(env):
    return [MessageTemplate(name="shop", template='{{ define "shop.title" }}[{{ .Status }}]{{ end }}')]


@mute_timings
def quiet(env):
    return [MuteTiming(name="nights", intervals=[TimeInterval(times=[("22:00", "24:00")], weekdays=["monday:friday"])])]


@notification_policy
def routing(env):
    return NotificationPolicy(
        receiver="chat",
        routes=[Route(receiver="oncall", matchers=[("severity", "=", "critical")], continue_=True),
                Route(matchers=[("severity", "=~", "warning|info")], mute_timings=["nights"])],
    )
'''

PROM_TESTS = '''
from dashctl.alerts import AlertTest, Expect, ExpectedAlert, Series, alert_tests


@alert_tests
def shop_tests(env):
    return [
        AlertTest(
            name="shop 5xx fires",
            series=[Series(series=f'http_requests_total{{namespace="{env.namespace}", code="500"}}', values="0+30x30"),
                    Series(series=f'http_requests_total{{namespace="{env.namespace}", code="200"}}', values="0+70x30")],
            expect=[Expect(rule="shop-5xx-ratio", at="3m", alerts=[]),
                    Expect(rule="shop-5xx-ratio", at="15m", alerts=[ExpectedAlert(
                        labels={LABELS},
                        annotations={"summary": "Shop answers 30% with a 5xx"})])],
        ),
    ]
'''


def prom_tests(labels: str = '{"severity": "critical", "team": "shop", "service": "shop"}') -> str:
    return PROM_TESTS.replace("{LABELS}", labels)
