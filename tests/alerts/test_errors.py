"""Bad alerting definitions: each a clear error with file, line and a hint, all reported together, exit 3, and
deploy/ left exactly as it was."""

from __future__ import annotations

import pytest

from tests.alerts.sources import NOTIFICATIONS, RULES

RULE = '''
from dashctl.alerts import AlertRule, Math, PromQL, Threshold, rule_group


@rule_group(name="bad", folder="Shop")
def bad(env):
    return [
        AlertRule(
            uid={uid!r},
            title="Bad rule",
            severity={severity!r},
            query=PromQL(expr={expr!r}),
            condition={condition},
            summary="s",
            runbook_url={runbook!r},
        ),
    ]
'''


def rule(*, uid="bad-rule", severity="warning", expr="up == 0", condition="Threshold(above=1)", runbook=None):
    return RULE.format(uid=uid, severity=severity, expr=expr, condition=condition, runbook=runbook)


@pytest.fixture
def built(make_project):
    project = make_project({"alerts/shop.py": RULES, "alerts/notifications.py": NOTIFICATIONS})
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return project


def assert_refused(project, files, *needles):
    before = project.snapshot()
    for path, text in files.items():
        project.write(path, text)
    result = project.run("build")
    assert result.exit_code == 3, (result.stdout, result.stderr)
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert project.snapshot() == before
    return result


@pytest.mark.parametrize(
    "source, needles",
    [
        (rule(severity="urgent"),
         ["alerts/zz_bad.py:10", "unknown severity 'urgent'", "one of critical, warning, info"]),
        (rule(severity="critical"), ["alerts/zz_bad.py:7", "a critical rule needs a runbook_url"]),
        (rule(condition='Math(expression="$B > 1")'), ["names refId 'B', which no query has", "known refIds: A"]),
        (rule(condition='Threshold(above=1, input="Q")'), ["the condition names refId 'Q'"]),
        (rule(uid="x" * 41), ["is 41 characters long", "at most 40"]),
        (rule(uid="has space"), ["characters Grafana rejects"]),
        (rule(expr="sum(rate(x[5m])"), ["invalid PromQL", "alerts/zz_bad.py:11"]),
        (rule(expr='up{namespace="$namespace"} == 0'), ["$namespace, a dashboard variable"]),
        (rule(condition='Math(expression="$A >")'), ["invalid math expression"]),
        (rule(condition="Threshold(above=1, below=2)"), ["give exactly one of above, below, within, outside"]),
    ],
    ids=["unknown-severity", "critical-without-runbook", "math-missing-ref", "threshold-missing-ref", "uid-too-long",
         "uid-characters", "promql-syntax", "dashboard-variable", "math-syntax", "two-thresholds"],
)
def test_bad_rule_is_refused(built, source, needles):
    assert_refused(built, {"alerts/zz_bad.py": source}, *needles)


def test_several_problems_of_one_rule_and_of_several_files_are_reported_together(built):
    result = assert_refused(
        built,
        {"alerts/zz_bad.py": rule(severity="critical", condition='Math(expression="$Z > 1")'),
         "alerts/zz_other.py": rule(uid="other", severity="urgent").replace('name="bad"', 'name="other"')},
        "a critical rule needs a runbook_url", "names refId 'Z'", "unknown severity 'urgent'", "alerts/zz_other.py",
    )
    assert "3 problems found" in result.stderr


def test_webhook_url_with_a_literal_token_is_refused(built):
    source = NOTIFICATIONS.replace(
        'Webhook(url="https://hooks.example.com/alerts", authorization_credentials=env_secret("HOOK_TOKEN"))',
        'Webhook(url="https://hooks.example.com/alerts?token=s3cr3t-value")',
    )
    assert source != NOTIFICATIONS
    assert_refused(built, {"alerts/notifications.py": source},
                   "alerts/notifications.py:", "url has a literal secret", "query parameter 'token'", "env_secret")


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ('integration_key=env_secret("PD_KEY")', 'integration_key="0123456789abcdef0123456789abcdef"',
         "integration_key is a literal secret"),
        ('Slack(url=env_secret("SLACK_URL")', 'Slack(url="https://hooks.slack.com/services/T000/B000/XXXX"',
         "url is a literal secret"),
        ('Webhook(url="https://hooks.example.com/alerts"', 'Webhook(url="https://user:pw@hooks.example.com/alerts"',
         "it carries user credentials"),
        ('Webhook(url="https://hooks.example.com/alerts"',
         'Webhook(url="https://hooks.example.com/a8F3kL9mQ2xZ7vB1nC4d"', "looks like a token"),
    ],
    ids=["pagerduty-key", "slack-webhook", "webhook-userinfo", "webhook-token-path"],
)
def test_literal_secrets_in_contact_points_are_refused(built, old, new, needle):
    assert old in NOTIFICATIONS
    assert_refused(built, {"alerts/notifications.py": NOTIFICATIONS.replace(old, new)}, needle)


def test_literal_secret_in_a_rule_annotation_is_refused(built):
    source = rule().replace(
        'summary="s"', 'summary="s", description="post to https://hooks.slack.com/services/T1/B2/abc"')
    assert_refused(built, {"alerts/zz_bad.py": source}, "contains a Slack webhook URL")


def test_two_policy_trees_for_one_environment_are_refused(built):
    second = '''
from dashctl.alerts import NotificationPolicy, notification_policy


@notification_policy(environments=["prod"])
def more_routing(env):
    return NotificationPolicy(receiver="oncall")
'''
    result = assert_refused(built, {"alerts/zz_routing.py": second},
                            "a second notification policy tree for environment 'prod'", "alerts/zz_routing.py:4",
                            "one @notification_policy per environment")
    assert "environment 'dev'" not in result.stderr


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ('receiver="chat",', 'receiver="nobody",', "routes to contact point 'nobody'"),
        ('mute_timings=["nights"]', 'mute_timings=["weekends"]', "names mute timing 'weekends'"),
        ('{{ template "shop.title" . }}', '{{ template "missing.title" . }}', "uses template 'missing.title'"),
    ],
    ids=["unknown-receiver", "unknown-mute-timing", "unknown-template"],
)
def test_notification_references_must_resolve(built, old, new, needle):
    assert old in NOTIFICATIONS
    assert_refused(built, {"alerts/notifications.py": NOTIFICATIONS.replace(old, new)}, needle)


def test_duplicate_rule_uid_names_both_places(built):
    copy = rule(uid="shop-5xx-ratio")
    assert_refused(built, {"alerts/zz_bad.py": copy}, "duplicate alert rule uid 'shop-5xx-ratio'",
                   "alerts/shop.py:", "alerts/zz_bad.py:7")


def test_unknown_dashboard_panel_is_refused(built):
    source = RULES.replace('panel="Requests"', 'panel="Nope"')
    assert_refused(built, {"alerts/shop.py": source}, "dashboard 'shop-api' has no panel 'Nope'", "'Requests'")


def test_logql_query_on_a_prometheus_datasource_is_refused(built):
    source = RULES.replace("query=LogQL(expr=", 'query=LogQL(datasource="metrics", expr=')
    assert_refused(built, {"alerts/shop.py": source}, "uses datasource 'metrics', which is a prometheus datasource")


def test_group_interval_must_be_a_multiple_of_ten_seconds(built):
    assert_refused(built, {"alerts/zz_bad.py": rule().replace('folder="Shop"', 'folder="Shop", interval="15s"')},
                   "interval '15s' must be a positive multiple of 10s")
