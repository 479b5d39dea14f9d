"""Grafana-managed alerting as code: rules, contact points, the policy tree, SLOs and alert unit tests.

    from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group

    @rule_group(name="backend-http", folder="Backend", team="backend")
    def backend_http(env):
        return [AlertRule(uid="backend-5xx-ratio", title="Backend 5xx ratio high", severity="critical", ...)]

See docs/alerts.md. Importing this package is cheap: the compiler, the packaging and the test runner load only
when a command needs them.
"""

from dashctl.alerts.definitions import (
    alert_tests,
    contact_points,
    message_templates,
    mute_timings,
    notification_policy,
    rule_group,
    slo,
)
from dashctl.alerts.model import (
    SEVERITIES,
    AlertRule,
    DashboardPanel,
    LogQL,
    Math,
    PromQL,
    Reduce,
    RuleGroup,
    Threshold,
)
from dashctl.alerts.notification import ContactPoint, Email, Integration, MessageTemplate, PagerDuty, Slack, Webhook
from dashctl.alerts.policy import Matcher, MuteTiming, NotificationPolicy, Route, TimeInterval
from dashctl.alerts.service_level import PAGE_WINDOWS, SLO, TICKET_WINDOWS, BurnRateWindow, slo_panels
from dashctl.alerts.testing.model import AlertTest, Expect, ExpectedAlert, LogLines, Series
from dashctl.datasources.model import env_secret, file_secret

__all__ = [
    "AlertRule",
    "AlertTest",
    "BurnRateWindow",
    "ContactPoint",
    "DashboardPanel",
    "Email",
    "Expect",
    "ExpectedAlert",
    "Integration",
    "LogLines",
    "LogQL",
    "Matcher",
    "Math",
    "MessageTemplate",
    "MuteTiming",
    "NotificationPolicy",
    "PAGE_WINDOWS",
    "PagerDuty",
    "PromQL",
    "Reduce",
    "Route",
    "RuleGroup",
    "SEVERITIES",
    "SLO",
    "Series",
    "Slack",
    "TICKET_WINDOWS",
    "Threshold",
    "TimeInterval",
    "Webhook",
    "alert_tests",
    "contact_points",
    "env_secret",
    "file_secret",
    "message_templates",
    "mute_timings",
    "notification_policy",
    "rule_group",
    "slo",
    "slo_panels",
]
