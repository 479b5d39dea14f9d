import pytest

from tests.lint.harness import Case, Expect, check_case

RULE = "alert/unreachable-contact-point"
POINTS = "alerts/notifications.py"


def notifications(policy: str | None, points: tuple[str, ...] = ("email", "slack", "pager")) -> str:
    made = ",\n        ".join(
        f'ContactPoint(\n            name="{name}",\n'
        f'            integrations=[Webhook(url=env_secret("HOOK_{name.upper()}"))],\n        )'
        for name in points)
    text = f'''
from dashctl.alerts import (ContactPoint, NotificationPolicy, Route, Webhook, contact_points, env_secret,
                            notification_policy)


@contact_points
def points(env):
    return [
        {made},
    ]
'''
    if policy is not None:
        text += f'''

@notification_policy
def routing(env):
    return {policy}
'''
    return text


def route(receiver: str, *, matchers: str = '[("severity", "=", "critical")]', continue_: bool = False) -> str:
    return f'Route(receiver="{receiver}", matchers={matchers}' + (", continue_=True)" if continue_ else ")")


def policy(receiver: str, *routes: str) -> str:
    return f'NotificationPolicy(receiver="{receiver}", routes=[{", ".join(routes)}])'


CASES = [
    Case("every contact point is routed to", files={POINTS: notifications(policy(
        "email", route("slack", matchers='[("team", "=", "shop")]'), route("pager")))}),
    Case("a catch-all that continues lets the next routes see every alert", files={POINTS: notifications(policy(
        "email", route("slack", matchers="[]", continue_=True), route("pager"), route("email")))}),
    Case("a route without a receiver inherits its parent's", files={POINTS: notifications(policy(
        "email", 'Route(receiver="slack", matchers=[("team", "=", "shop")], routes=[Route(matchers=[("x", "=", "y")])])',
        route("pager")))}),
    Case("a contact point no route names", files={POINTS: notifications(policy("email", route("pager")))},
         expect=[Expect(POINTS, at='name="slack"', message="no route of the notification policy sends to it")]),
    Case("a route after a catch-all", files={POINTS: notifications(policy(
        "email", route("pager", matchers="[]"), route("slack")))},
         expect=[Expect(POINTS, at='name="slack"', message="comes after a sibling route without matchers"),
                 # and the root's own receiver: every alert goes down the catch-all instead
                 Expect(POINTS, at='name="email"', message="no route of the notification policy sends to it")]),
    Case("no policy at all", files={POINTS: notifications(None, points=("slack",))},
         expect=[Expect(POINTS, at='name="slack"', message="provisions no notification policy",
                        environments=("dev", "prod"))]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)


def test_a_suppression_on_the_contact_point_call_silences_it(make_project):
    files = {POINTS: notifications(policy("email", route("pager"))).replace(
        'ContactPoint(\n            name="slack"',
        'ContactPoint(  # dashctl-lint: ignore[alert/unreachable-contact-point] reason: UI test notifications\n'
        '            name="slack"')}
    case = Case("suppressed", files=files)
    assert check_case(make_project, RULE, case) == []
