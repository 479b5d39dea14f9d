"""alert/unreachable-contact-point: every contact point is the receiver of a route that alerts can reach.

How Grafana routes (Alertmanager's routing, which Grafana's notifier runs): an alert enters the root policy and
goes down the first child route whose matchers all match, then on to the following siblings only while the
matched route has `continue`; a child without matchers matches every alert. An alert that matches no child
stops at the route it is in and goes to that route's receiver; a route without a receiver uses its parent's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dashctl.lint.finding import Problem, Severity
from dashctl.lint.registry import Scope, rule
from dashctl.lint.walk import SettingsContext


# A warning: Grafana accepts the contact point, and one kept on purpose (for a test notification from the UI) is
# possible; but usually it is the one the author meant alerts to go to (a Slack channel) while they go elsewhere.
@rule(id="alert/unreachable-contact-point", scope=Scope.SETTINGS, severity=Severity.WARNING,
      summary="contact point that no notification route reaches")
def check(settings: SettingsContext) -> Iterator[Problem]:
    if settings.kind != "contact point" or settings.alerting is None:
        return
    policy = getattr(settings.alerting, "policy", None)
    if policy is None:
        yield Problem(
            message=f"contact point {settings.name!r} receives nothing: the environment provisions no notification "
            "policy, so Grafana's own policy tree routes every alert (to grafana-default-email unless someone "
            "changed it by hand)",
            location=settings.keyword_location("name"),
            hint=f"add a @notification_policy with NotificationPolicy(receiver={settings.name!r}, ...) or a "
            f"Route(receiver={settings.name!r}, matchers=[...]) below it",
        )
        return
    reached, shadowed = _receivers(policy.as_route(), policy.receiver)
    if settings.name in reached:
        return
    if settings.name in shadowed:
        yield Problem(
            message=f"contact point {settings.name!r} receives nothing: the route that names it comes after a "
            "sibling route without matchers and without continue_, which takes every alert first",
            hint="move the catch-all route last, or give it matchers, or set continue_=True on it",
            location=settings.keyword_location("name"),
        )
        return
    named = sorted(reached)
    yield Problem(
        message=f"contact point {settings.name!r} receives nothing: no route of the notification policy sends to "
        f"it (alerts go to {', '.join(map(repr, named))})",
        location=settings.keyword_location("name"),
        hint=f"add Route(receiver={settings.name!r}, matchers=[(\"team\", \"=\", \"...\")]) to the policy's routes, "
        "or remove the contact point",
    )


def _receivers(route: Any, receiver: str) -> tuple[set[str], set[str]]:
    """(the receivers alerts reach at `route` and below, whose receiver is `receiver`; the receivers named only
    on routes that no alert reaches)."""
    reachable = list(_reachable(route.routes))
    reached: set[str] = set()
    shadowed: set[str] = set()
    for child in reachable:
        below, hidden = _receivers(child, child.receiver or receiver)
        reached |= below
        shadowed |= hidden
    for child in route.routes[len(reachable):]:
        shadowed.update(item.receiver for item in child.walk() if item.receiver)
    if all(child.matchers for child in reachable):
        # Some alert matches no child (every child has matchers) and stays here.
        reached.add(receiver)
    return reached, shadowed - reached


def _reachable(routes: Any) -> Iterator[Any]:
    """The child routes an alert can enter: up to the first one without matchers and without continue."""
    for child in routes:
        yield child
        if not child.matchers and not child.continue_:
            return
