"""Routing with Grafana's (Alertmanager's) semantics: depth-first, first match unless continue, inheritance."""

from __future__ import annotations

import pytest

from dashctl.diff.objects import AlertRule, Matcher, PolicyTree, Route, freeze
from dashctl.diff.routing import matches, parse_matcher, route_alert, route_rule


def m(label: str, op: str, value: str) -> Matcher:
    return Matcher(label=label, op=op, value=value)


TREE = PolicyTree(
    environment="prod",
    root=Route(
        receiver="default",
        matchers=(m("never", "=", "matched"),),  # the root's matchers are ignored: it takes every alert
        routes=(
            Route(receiver="audit", matchers=(m("team", "=~", ".+"),), continue_=True),
            Route(
                receiver="sre-slack",
                matchers=(m("team", "=", "sre"),),
                routes=(
                    Route(receiver="sre-pagerduty", matchers=(m("severity", "=", "critical"),)),
                    Route(matchers=(m("severity", "=~", "warn.*"),)),  # inherits sre-slack
                ),
            ),
            Route(receiver="everyone-else", matchers=(m("severity", "!=", "info"), m("team", "!~", "sre|db"))),
            Route(receiver="never-reached", matchers=(m("team", "=", "sre"),)),
        ),
    ),
)


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        ({}, ("everyone-else",)),  # absent labels are "", which != "info" and !~ "sre|db"
        ({"severity": "info"}, ("default",)),
        ({"team": "sre", "severity": "critical"}, ("audit", "sre-pagerduty")),
        ({"team": "sre", "severity": "warning"}, ("audit", "sre-slack")),
        ({"team": "sre", "severity": "info"}, ("audit", "sre-slack")),  # no child matches: the route itself
        # A `continue` route that matched counts as a match: the root is no longer the fallback (as in Alertmanager).
        ({"team": "db", "severity": "critical"}, ("audit",)),
        ({"team": "web", "severity": "warning"}, ("audit", "everyone-else")),
    ],
)
def test_route_alert(labels, receivers):
    assert route_alert(TREE, labels).receivers == receivers


def test_the_routes_taken_are_named_by_path():
    routing = route_alert(TREE, {"team": "sre", "severity": "critical"})
    assert routing.routes == ('root › team=~".+"', 'root › team="sre" › severity="critical"')


def test_regexes_are_anchored():
    assert matches(m("team", "=~", "sre"), {"team": "sre"})
    assert not matches(m("team", "=~", "sre"), {"team": "sre-eu"})
    assert matches(m("team", "!~", "sre"), {"team": "sre-eu"})
    assert not matches(m("team", "=~", "("), {"team": "("})  # an invalid regex matches nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('severity="critical"', m("severity", "=", "critical")),
        ("team =~ sre|db", m("team", "=~", "sre|db")),
        ('msg!="say \\"hi\\""', m("msg", "!=", 'say "hi"')),
        ("env!~prod.*", m("env", "!~", "prod.*")),
    ],
)
def test_parse_matcher(text, expected):
    assert parse_matcher(text) == expected


def _rule(**labels: str) -> AlertRule:
    return AlertRule(environment="prod", uid="r", rule_title="High errors", folder="Checkout",
                     labels=freeze(labels))


def test_a_rule_is_routed_with_alertname_and_folder():
    tree = PolicyTree(environment="prod", root=Route(receiver="default", routes=(
        Route(receiver="checkout", matchers=(m("grafana_folder", "=", "Checkout"), m("alertname", "=~", "High.*"))),
    )))
    assert str(route_rule(_rule(), tree)) == "checkout"


def test_the_rules_own_receiver_overrides_the_tree():
    rule = AlertRule(environment="prod", uid="r", rule_title="x", notification_settings=freeze({"receiver": "ops"}))
    assert str(route_rule(rule, TREE)) == "ops (the rule's own notification settings)"
    assert route_rule(_rule(), None) is None


def test_policy_files_are_read_into_routes():
    from dashctl.diff.extract import extract_snapshot
    from dashctl.encoding import dump_yaml

    alerting = dump_yaml({"apiVersion": 1, "policies": [{
        "orgId": 1, "receiver": "default",
        "routes": [
            {"receiver": "a", "object_matchers": [["team", "=", "sre"]], "continue": True},
            {"receiver": "b", "matchers": ['severity=~"crit.*"']},
            {"receiver": "c", "match": {"env": "prod"}, "match_re": {"team": "d.*"}},
        ],
    }]})
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                  "data": {"alerting.prod.yaml": alerting}}
    snapshot = extract_snapshot({"prod/a.yaml": dump_yaml(config_map).encode()}, ["prod"], origin="test")
    tree = snapshot.policy("prod", 1)

    assert tree is not None
    assert route_alert(tree, {"team": "sre", "severity": "critical"}).receivers == ("a", "b")
    assert route_alert(tree, {"team": "db", "env": "prod"}).receivers == ("c",)
