"""Contact points and message templates: where the platform's alerts go, and how they read.

dev: the developers' Slack channel. prod: the SRE on-call in PagerDuty (with a copy by email) and the SRE Slack
channel. Every credential is a reference to Grafana's environment (the `grafana-env` Secret), never a literal.
"""

from dashctl.alerts import (
    ContactPoint,
    Email,
    MessageTemplate,
    PagerDuty,
    Slack,
    contact_points,
    env_secret,
    message_templates,
)

TITLE = '{{ template "platform.title" . }}'
TEXT = '{{ template "platform.text" . }}'


@contact_points(environments=["dev"])
def developers(env):
    return [
        ContactPoint(
            name="developers",
            integrations=[Slack(url=env_secret("SLACK_DEVELOPERS_WEBHOOK_URL"), title=TITLE, text=TEXT)],
        )
    ]


@contact_points(environments=["prod"])
def sre(env):
    return [
        ContactPoint(
            name="sre-oncall",
            integrations=[
                PagerDuty(integration_key=env_secret("PAGERDUTY_SRE_INTEGRATION_KEY"), severity="critical",
                          summary=TITLE),
                Email(addresses=["sre-oncall@example.com"], subject=TITLE, message=TEXT),
            ],
        ),
        ContactPoint(
            name="sre-slack",
            integrations=[Slack(url=env_secret("SLACK_SRE_WEBHOOK_URL"), title=TITLE, text=TEXT)],
        ),
    ]


@message_templates
def platform_templates(env):
    return [
        MessageTemplate(
            name="platform",
            template="""\
{{ define "platform.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}] \
{{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }}){{ end }}
{{ define "platform.text" }}{{ range .Alerts }}*{{ .Annotations.summary }}*
{{ with .Annotations.description }}{{ . }}
{{ end }}{{ with .Annotations.runbook_url }}Runbook: {{ . }}
{{ end }}{{ with .PanelURL }}Panel: {{ . }}
{{ end }}{{ end }}{{ end }}
""",
        )
    ]
