"""Alert changes as an SRE reviews them: threshold, for, severity, routing, the query word by word."""

from __future__ import annotations

import json
import re
from functools import partial

from tests.diff.conftest import PAGING_VALUES, alerts
from tests.golden_files import compare_golden

golden = partial(compare_golden, "diff")


def paging_change(repository) -> None:
    repository.write("alerts/checkout.py", alerts(**PAGING_VALUES))


def test_threshold_change_reads_well_in_markdown(alerting_repository, update_golden):
    paging_change(alerting_repository)
    commit = alerting_repository.git("rev-parse", "HEAD").strip()

    result = alerting_repository.run("diff", "--env", "prod", "--format", "markdown")

    assert result.exit_code == 0, result.stderr
    assert commit[:12] in result.stdout
    golden("alert-threshold.md", result.stdout.replace(commit[:12], "<commit>"), update_golden)


def test_threshold_change_in_text(alerting_repository):
    paging_change(alerting_repository)

    result = alerting_repository.run("diff", "--env", "prod")

    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert '~ prod alert rule checkout-error-ratio "Checkout error ratio high": changed' in lines
    expected = [
        "threshold: > 0.02 → > 0.05",
        "for: 5m → 10m",
        "severity: warning → critical",
        "routing: sre-slack → sre-pagerduty",
    ]
    assert [line for line in lines if line in expected] == expected  # in this order, what pages first
    query = next(line for line in lines if line.startswith("query A:"))
    assert query.count("[-5m-]{+10m+}") == 2
    assert 'status_code=~"5.."' in query  # the unchanged words are there, plainly
    assert "summary: More than [-2-]{+5+}% of checkout requests fail" in lines
    assert lines[-1] == "1 object differs: 0 added, 1 changed, 0 removed"


def test_every_environment_is_compared_by_default(alerting_repository):
    paging_change(alerting_repository)

    result = alerting_repository.run("diff", "--format", "json")

    document = json.loads(result.stdout)
    assert [(row["environment"], row["kind"], row["changed"]) for row in document["summary"]] == [
        ("dev", "alert rule", 1),
        ("prod", "alert rule", 1),
    ]
    fields = {item["field"]: item for item in document["changes"][0]["fields"]}
    assert fields["threshold"]["before"] == "> 0.02" and fields["threshold"]["after"] == "> 0.05"
    assert {"op": "insert", "text": "10m"} in fields["query A"]["words"]


def test_a_policy_change_shows_the_route_path_and_the_rules_it_reroutes(alerting_repository):
    routes = (
        'Route(receiver="sre-slack", matchers=[("severity", "=", "critical")]), '
        'Route(receiver="sre-pagerduty", matchers=[("team", "=~", "check.*"), ("severity", "!=", "info")], '
        'group_wait="1m")'
    )
    alerting_repository.write("alerts/checkout.py", alerts(ROUTES=routes))

    result = alerting_repository.run("diff", "--env", "dev")

    out = result.stdout
    assert '~ dev notification policy org-1 "policy tree": changed' in out
    assert 'route root › severity="critical" › receiver: sre-pagerduty → sre-slack' in out
    assert 'route root › team=~"check.*", severity!="info": added → sre-pagerduty' in out
    # The warning rule of team checkout now matches the new route: its routing changes with no edit of its own.
    assert re.search(r"~ dev alert rule checkout-error-ratio .*\n    routing: sre-slack → sre-pagerduty\n", out)


def test_a_reordered_route_is_reported_as_an_order_change(alerting_repository):
    first = 'Route(receiver="sre-pagerduty", matchers=[("severity", "=", "critical")]), ' \
            'Route(receiver="sre-slack", matchers=[("team", "=", "checkout")])'
    second = 'Route(receiver="sre-slack", matchers=[("team", "=", "checkout")]), ' \
             'Route(receiver="sre-pagerduty", matchers=[("severity", "=", "critical")])'
    alerting_repository.write("alerts/checkout.py", alerts(ROUTES=first))
    alerting_repository.build_and_commit("two routes")
    alerting_repository.write("alerts/checkout.py", alerts(ROUTES=second))

    out = alerting_repository.run("diff", "--env", "dev").stdout

    assert ('root › order of routes: severity="critical"; team="checkout" → team="checkout"; severity="critical"'
            in out)
    assert "receiver:" not in out  # nothing else about the routes changed


def test_removing_a_rule_shows_it_removed_and_its_delete_rules_entry(alerting_repository):
    text = alerts().replace("    return [\n        AlertRule(", "    return []\n    [\n        AlertRule(", 1)
    alerting_repository.write("alerts/checkout.py", text)

    result = alerting_repository.run("diff", "--env", "dev", "--format", "text")

    out = result.stdout
    assert '- dev alert rule checkout-error-ratio "Checkout error ratio high": removed' in out
    assert "    severity: warning\n" in out and "    threshold: > 0.02\n" in out
    assert '+ dev deleteRules checkout-error-ratio "Checkout error ratio high": added' in out
    markdown = alerting_repository.run("diff", "--env", "dev", "--format", "markdown").stdout
    assert "| dev | deleteRules | 1 | 0 | 0 |" in markdown


def test_a_contact_point_secret_reference_change_is_shown_by_name(alerting_repository):
    alerting_repository.write("alerts/checkout.py", alerts(SLACK_ENV="SLACK_ONCALL_URL"))

    out = alerting_repository.run("diff", "--env", "dev").stdout

    assert '~ dev contact point sre-slack "slack": changed' in out
    # A reference names where the secret lives, not the secret: it is shown, and is not called a secret change.
    assert "slack sre-slack-slack › settings.url: $__env{SLACK_SRE_URL} → $__env{SLACK_ONCALL_URL}" in out
    assert "secret value changed" not in out
    assert "***" not in out
