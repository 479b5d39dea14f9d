"""The typed model: each object checks its own fields where it is built, reporting every problem with the
user's file and line; refIds, conditions and Grafana's math expressions."""

from __future__ import annotations

import pytest

from dashctl.alerts import (
    AlertRule,
    ContactPoint,
    Email,
    Integration,
    LogQL,
    Math,
    MuteTiming,
    NotificationPolicy,
    PagerDuty,
    PromQL,
    Reduce,
    Route,
    Slack,
    Threshold,
    TimeInterval,
    Webhook,
    env_secret,
)
from dashctl.alerts.expression import MathSyntaxError, evaluate_number, parse_math, references
from dashctl.alerts.model import ThresholdExpression
from dashctl.credentials import literal_secret_in_url, looks_like_secret
from dashctl.errors import DefinitionError, DefinitionErrors
from dashctl.interpolation import escape_value, unescape_value


def rule(**overrides):
    options = dict(uid="r", title="R", severity="warning", summary="s", query=PromQL(expr="up"),
                   condition=Threshold(above=1))
    options.update(overrides)
    return AlertRule(**options)


def problems(call):
    with pytest.raises((DefinitionError, DefinitionErrors)) as caught:
        call()
    error = caught.value
    return list(error.errors) if isinstance(error, DefinitionErrors) else [error]


def test_threshold_builds_query_reduce_threshold():
    built = rule(condition=Threshold(below=0.5, reduce="max"))
    a, b, c = built.data
    assert isinstance(a, PromQL) and a.ref_id == "A"
    assert (b.ref_id, b.input, b.reducer) == ("B", "A", "max")
    assert c == ThresholdExpression(ref_id="C", input="B", evaluator="lt", params=(0.5,))
    assert built.condition_ref == "C"


def test_threshold_without_reduce_and_free_ref_ids():
    built = rule(query=None, queries=[PromQL(expr="a", ref_id="B"), PromQL(expr="b", ref_id="C")],
                 condition=Threshold(outside=(1, 2), reduce=None, input="C"))
    assert [node.ref_id for node in built.data] == ["B", "C", "A"]
    assert built.data[-1] == ThresholdExpression(ref_id="A", input="C", evaluator="outside_range", params=(1.0, 2.0))


def test_math_condition_and_intermediate_nodes():
    built = rule(query=None, queries=[PromQL(expr="a", ref_id="A", range="1h"),
                                      Reduce(ref_id="M", input="A", reducer="mean")],
                 condition=Math(expression="$M > 3"))
    assert [node.ref_id for node in built.data] == ["A", "M", "B"]
    assert built.language == "PromQL"
    mixed = rule(query=None, queries=[PromQL(expr="a", ref_id="A"), LogQL(expr="sum(rate({a=\"b\"}[1m]))",
                                                                          ref_id="L")],
                 condition=Math(expression="$A + $L > 1"))
    assert mixed.language == "mixed"


def test_every_problem_of_a_rule_is_reported_with_its_line():
    found = problems(lambda: rule(uid="x" * 41, severity="page", summary="", for_="5 min",
                                  labels={"1bad": "x", "team": "t", "alertname": "a"},
                                  annotations={"runbook_url": "u"}, no_data_state="Nope"))
    messages = "\n".join(error.message for error in found)
    for needle in ("41 characters long", "unknown severity 'page'", "needs a summary", "not a duration",
                   "label name '1bad'", "set team with AlertRule(team=...)", "'alertname' is reserved",
                   "set runbook_url with AlertRule", "unknown no_data_state"):
        assert needle in messages
    assert {error.location.file for error in found} == {__file__}
    assert len({error.location.line for error in found}) == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"query": None}, "give either query=... or queries=[...]"),
        ({"query": None, "queries": [Reduce(ref_id="B", input="A")]}, "reads refId 'A', which no earlier"),
        ({"query": None, "queries": [PromQL(expr="a"), PromQL(expr="b")]}, "refId 'A' is used twice"),
        ({"query": None, "queries": [PromQL(expr="a", ref_id="A"), PromQL(expr="b", ref_id="B")]},
         "Threshold(input=...) must name the one"),
        ({"condition": Math(expression="$A > 1", ref_id="A")}, "already used by a query"),
        ({"runbook_url": "runbooks/x"}, "is not an http(s) URL"),
        ({"summary": "x ${HOME}"}, "which Grafana may replace with an environment variable"),
    ],
)
def test_rule_relations(overrides, message):
    assert any(message in error.message for error in problems(lambda: rule(**overrides)))


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: PromQL(expr=""), "the query is empty"),
        (lambda: PromQL(expr="a", range="10m", step="3m"), "not a multiple of step"),
        (lambda: PromQL(expr="a", ref_id="1A"), "refId '1A'"),
        (lambda: LogQL(expr='{app="x"} |= "error"'), "needs a LogQL metric query"),
        (lambda: Reduce(ref_id="B", input="A", reducer="median"), "unknown reducer 'median'"),
        (lambda: Threshold(within=(2, 1)), "low < high"),
        (lambda: Threshold(above="1"), "above must be a number"),
        (lambda: Math(expression="$A >> 1"), "invalid math expression"),
        (lambda: Math(expression="sqrt($A) > 1"), "unknown function 'sqrt'"),
        (lambda: Math(expression="1 > 2"), "refers to no query"),
    ],
)
def test_node_fields(build, message):
    assert any(message in error.message for error in problems(build))


@pytest.mark.parametrize(
    "text, refs, values, result",
    [
        ("$A > 1", ["A"], {"A": 2}, 1.0),
        ("${A} / $B >= 0.5 && !($A == 0)", ["A", "B"], {"A": 1, "B": 2}, 1.0),
        ("$A > 1 || $B > 1", ["A", "B"], {"A": 0, "B": 0}, 0.0),
        ("($A ** 2) * -1 + abs($B) % 3", ["A", "B"], {"A": 2, "B": -5}, -2.0),
        ("2 ** 3 ** 2", [], {}, 512.0),
        ("round(log($A))", ["A"], {"A": 8}, 2.0),
    ],
)
def test_math_expressions(text, refs, values, result):
    tree = parse_math(text)
    assert references(tree) == refs
    assert evaluate_number(tree, values) == result


def test_math_syntax_error_has_a_position():
    with pytest.raises(MathSyntaxError) as caught:
        parse_math("$A > (1 + ")
    assert caught.value.position == 10


@pytest.mark.parametrize(
    "url, reason",
    [
        ("https://example.com/hook", None),
        ("https://example.com/hook?channel=ops", None),
        ("$__env{HOOK_URL}", None),
        ("https://example.com/hook?token=$__env{HOOK_TOKEN}", None),
        ("https://example.com/hook?token=abc", "query parameter 'token'"),
        ("https://example.com/hook?apikey=abc", "query parameter 'apikey'"),
        ("https://bot:pw@example.com/hook", "user credentials"),
        ("https://example.com/hooks/Zq81kLmN0pXr2sTuV9wY", "path segment"),
        ("https://example.com/hook?x=AbC123dEf456GhI789jKl0", "looks like a token"),
    ],
)
def test_literal_secrets_in_urls(url, reason):
    found = literal_secret_in_url(url)
    assert (found is None) if reason is None else (reason in found)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("see xoxb-1234567890-abcdefghij", "a Slack token"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwx", "a bearer token"),
        ("-----BEGIN RSA PRIVATE KEY-----", "a private key"),
        ("postgres://app:hunter2@db:5432/app", "a URL with a password"),
        ("{{ $labels.pod }} is down", None),
        ("https://runbooks.example.com/backend", None),
    ],
)
def test_known_secret_formats(text, kind):
    assert looks_like_secret(text) == kind


def test_interpolation_escape_keeps_references():
    assert escape_value("{{ $labels.pod }} costs $5") == "{{ $$labels.pod }} costs $$5"
    assert escape_value("$__env{URL}/x$y", keep_references=True) == "$__env{URL}/x$$y"
    assert escape_value("$__env{URL}/x$y") == "$$__env{URL}/x$$y"
    assert unescape_value(escape_value("a $b $$c")) == "a $b $$c"
    assert escape_value("plain") == "plain"


def test_contact_point_integrations_and_uids():
    point = ContactPoint(name="On Call / SRE", integrations=[
        PagerDuty(integration_key=env_secret("PD")), Slack(url=env_secret("A")), Slack(url=env_secret("B")),
        Webhook(url="https://example.com/x", uid="custom-uid")])
    assert point.uids() == ["on-call-sre-pagerduty", "on-call-sre-slack", "on-call-sre-slack-2", "custom-uid"]
    long = ContactPoint(name="a" * 60, integrations=[Email(addresses=["a@example.com"])])
    assert len(long.uids()[0]) <= 40 and long.uids()[0].endswith("-email")
    generic = Integration(kind="opsgenie",
                          options={"apiKey": env_secret("OPSGENIE_KEY"), "apiUrl": "https://api.eu.opsgenie.com"})
    assert ContactPoint(name="g", integrations=[generic]).to_provisioning()["receivers"][0]["type"] == "opsgenie"


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Slack(url="https://hooks.slack.com/services/T1/B2/C3"), "url is a literal secret"),
        (lambda: Slack(token=env_secret("T")), "needs a recipient"),
        (lambda: Slack(), "give either url"),
        (lambda: PagerDuty(), "integration_key is required"),
        (lambda: Email(addresses=["not-an-address"]), "is not an email address"),
        (lambda: Webhook(url="https://x.example.com", password="hunter2"), "password is a literal secret"),
        (lambda: Integration(kind="opsgenie", options={"apiKey": "abc"}), "apiKey is a literal secret"),
        (lambda: ContactPoint(name="x", integrations=[]), "at least one integration"),
    ],
)
def test_integration_fields(build, message):
    assert any(message in error.message for error in problems(build))


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Route(matchers=[("severity", "~", "x")]), "matcher operator '~'"),
        (lambda: Route(matchers=[("severity", "=~", "(")]), "matcher regex '(' is invalid"),
        (lambda: Route(group_wait="soon"), "not a duration"),
        (lambda: NotificationPolicy(receiver=""), "receiver"),
        (lambda: MuteTiming(name="m", intervals=[TimeInterval(times=[("23:00", "22:00")])]), "start before end"),
        (lambda: MuteTiming(name="m", intervals=[TimeInterval(weekdays=["funday"])]), "weekday 'funday'"),
        (lambda: MuteTiming(name="m", intervals=[TimeInterval(location="Mars/Olympus")]), "IANA time zone"),
        (lambda: MuteTiming(name="m"), "at least one TimeInterval"),
    ],
)
def test_policy_and_timing_fields(build, message):
    assert any(message in error.message for error in problems(build))


def test_policy_lists_receivers_and_timings():
    policy = NotificationPolicy(receiver="a", routes=[
        Route(receiver="b", mute_timings=["nights"], routes=[Route(receiver="c", active_timings=["days"])])])
    assert policy.receivers() == ["a", "b", "c"]
    assert policy.timings() == ["nights", "days"]


def test_a_misspelt_severity_gets_the_closest():
    with pytest.raises(DefinitionError) as raised:
        AlertRule(uid="r", title="t", severity="warnign", summary="s", query=PromQL(expr="up"),
                  condition=Threshold(above=0))
    assert "did you mean 'warning'? (one of critical, warning, info)" in str(raised.value)
