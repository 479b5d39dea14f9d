"""Runbook links of the platform's alerts: one page per alert under the environment's runbook base URL."""


def runbook(env, name):
    """The runbook URL of alert `name` (the page is named like the rule's uid)."""
    return f"{env.value('alert_runbook_base').rstrip('/')}/{name}"
