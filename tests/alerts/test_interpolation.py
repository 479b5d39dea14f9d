"""`$__env{}`, `$__file{}`, `$__vault{}`, `${}` and `$NAME` in what dashctl writes into provisioning files: Grafana
expands them when it reads the file, so every field that is not a documented secret reference is escaped (or, in
annotations, refused), and what Grafana makes of the file is exactly what the author wrote."""

from __future__ import annotations

import re

import pytest
import yaml

from dashctl.alerts import AlertRule, ContactPoint, PromQL, Slack, Threshold, Webhook
from dashctl.datasources import Loki
from dashctl.errors import DashctlError
from tests.alerts.test_format import alerting_files

# What Grafana's container would expand each form to, were it not escaped.
_SECRETS = {"GF_SECURITY_ADMIN_PASSWORD": "hunter2-admin", "SLACK_URL": "https://hooks.example/x"}
_EXPANDER = re.compile(r"\$(|__\w+)\{([^}]+)\}")
_PLAIN = re.compile(r"\$(\w+)")


def grafana_interpolate(value: str) -> str:
    """Grafana's `interpolateValue` (pkg/services/provisioning/values/values.go) with a fake environment:
    split on `$$`, expand `$__env{}`/`$__file{}`/`$__vault{}` and `${X}`, then `$X`, join with `$`."""

    def expand(part: str) -> str:
        part = _EXPANDER.sub(lambda m: f"<{m.group(1).lstrip('_') or 'env'}:{_SECRETS.get(m.group(2), '')}>", part)
        return _PLAIN.sub(lambda m: _SECRETS.get(m.group(1), ""), part)

    return "$".join(expand(part) for part in value.split("$$"))


HOSTILE = "$__env{GF_SECURITY_ADMIN_PASSWORD} ${GF_SECURITY_ADMIN_PASSWORD} $__file{/etc/shadow} $__vault{kv:x} $5"

RULES = f'''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="g {HOSTILE}", folder="Shop $__env{{X}}")
def hostile(env):
    return [AlertRule(uid="hostile", title="t {HOSTILE}", severity="warning", summary="{{{{ $labels.pod }}}}",
                      query=PromQL(expr="up == 0"), condition=Threshold(above=0),
                      labels={{"owner": "{HOSTILE}"}})]
'''

POINTS = f'''
from dashctl.alerts import ContactPoint, NotificationPolicy, Slack, contact_points, env_secret, notification_policy


@contact_points
def points(env):
    return [ContactPoint(name="chat", integrations=[
        Slack(url=env_secret("SLACK_URL"), title="{HOSTILE}", text="{{{{ $labels.pod }}}}")])]


@notification_policy
def policy(env):
    return NotificationPolicy(receiver="chat", group_by=["alertname"])
'''


def test_every_expandable_form_reaches_grafana_as_written(make_project):
    project = make_project({"alerts/hostile.py": RULES, "alerts/points.py": POINTS})
    result = project.run("build", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    documents = alerting_files(project.root / "deploy", "dev")
    group = next(doc for key, doc in documents.items() if key.startswith("alert-rules."))["groups"][0]
    rule = group["rules"][0]
    assert grafana_interpolate(group["name"]) == f"g {HOSTILE}"
    assert grafana_interpolate(group["folder"]) == "Shop $__env{X}"
    assert grafana_interpolate(rule["title"]) == f"t {HOSTILE}"
    assert grafana_interpolate(rule["labels"]["owner"]) == HOSTILE
    slack = documents["alerting.dev.yaml"]["contactPoints"][0]["receivers"][0]["settings"]
    assert grafana_interpolate(slack["title"]) == HOSTILE
    assert grafana_interpolate(slack["text"]) == "{{ $labels.pod }}"
    # The documented secret-reference field keeps its reference, which Grafana expands.
    assert slack["url"] == "$__env{SLACK_URL}"
    assert grafana_interpolate(slack["url"]) == "<env:https://hooks.example/x>"
    assert "hunter2" not in yaml.safe_dump(documents)


@pytest.mark.parametrize("form", ["$__env{GF_SECURITY_ADMIN_PASSWORD}", "$__file{/etc/x}", "$__vault{kv:a:b}",
                                  "${HOME}"])
@pytest.mark.parametrize("field", ["summary", "description", "annotations"])
def test_expandable_forms_in_annotations_are_refused(form, field):
    extra = {"annotations": {"owner": f"x {form}"}} if field == "annotations" else {field: f"x {form}"}
    arguments = {"summary": "s", **extra}
    with pytest.raises(DashctlError) as raised:
        AlertRule(uid="r", title="t", severity="warning", query=PromQL(expr="up"), condition=Threshold(above=0),
                  **arguments)
    text = str(raised.value)
    assert "which Grafana may replace" in text
    assert form.split("{")[1] not in text  # the argument (a variable or a path) is not repeated


def test_templates_in_annotations_stay_allowed():
    rule = AlertRule(uid="r", title="t", severity="warning", query=PromQL(expr="up"), condition=Threshold(above=0),
                     summary="{{ $labels.pod }} at {{ $value }}")
    assert rule.all_annotations()["summary"] == "{{ $labels.pod }} at {{ $value }}"


def test_contact_point_settings_keep_references_only_in_credential_fields():
    point = ContactPoint(name="hooks $__env{X}", integrations=[
        Webhook(url="https://hooks.example.com/$__env{HOOK_PATH}", title="$__env{GF_SECURITY_ADMIN_PASSWORD}",
                authorization_credentials="$__env{HOOK_TOKEN}"),
    ])
    entry = point.to_provisioning()
    settings = entry["receivers"][0]["settings"]
    assert settings["url"] == "https://hooks.example.com/$__env{HOOK_PATH}"
    assert settings["authorization_credentials"] == "$__env{HOOK_TOKEN}"
    assert settings["title"] == "$$__env{GF_SECURITY_ADMIN_PASSWORD}"
    assert entry["name"] == "hooks $$__env{X}"


def test_datasource_values_are_escaped_except_connection_settings_and_secure_json_data():
    loki = Loki(name="Loki $x", uid="loki", url="$__env{LOKI_URL}",
                json_data={"derivedFields": [{"name": "trace", "matcherRegex": "trace=(\\w+)$",
                                              "url": "${__value.raw}"}]},
                secure_json_data={"httpHeaderValue1": "$__env{LOKI_TENANT}"})
    entry = loki.to_provisioning()
    assert entry["url"] == "$__env{LOKI_URL}"
    assert entry["name"] == "Loki $$x"
    derived = entry["jsonData"]["derivedFields"][0]
    assert grafana_interpolate(derived["url"]) == "${__value.raw}"
    assert grafana_interpolate(derived["matcherRegex"]) == "trace=(\\w+)$"
    assert entry["secureJsonData"] == {"httpHeaderValue1": "$__env{LOKI_TENANT}"}


def test_slack_reference_in_a_title_is_escaped():
    settings = Slack(url="$__env{SLACK_URL}", title="$__env{SLACK_URL}").provisioned_settings()
    assert settings == {"url": "$__env{SLACK_URL}", "title": "$$__env{SLACK_URL}"}
