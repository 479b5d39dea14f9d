"""Where an alert rule's notifications go: its labels matched against the environment's policy tree.

Grafana routes with Alertmanager's algorithm (prometheus/alertmanager dispatch/route.go `Route.Match`): the root
matches every alert; its children are tried depth-first in order, and the first child that matches takes the
alert (its own children are tried the same way), unless that child has `continue`, in which case the following
siblings are tried too. A route that matches but none of whose children do is where the alert lands. A route
without a receiver uses its parent's. A rule with `notification_settings.receiver` bypasses the tree: Grafana
routes it to that contact point through an auto-generated route.

Matchers: `=` and `!=` compare the label's value (an absent label is the empty string), `=~` and `!~` match a
regex anchored at both ends. The labels an alert carries are the rule's own plus `alertname` (the rule title) and
`grafana_folder` (its folder title).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dashctl.diff.objects import AlertRule, Matcher, PolicyTree, Route

__all__ = ["Routing", "matches", "parse_matcher", "route_alert", "route_rule"]

_MATCHER = re.compile(r'^\s*([A-Za-z_:][A-Za-z0-9_:]*|"[^"]*")\s*(=~|!~|!=|=)\s*(.*?)\s*$')


@dataclass(frozen=True, kw_only=True)
class Routing:
    """The contact points an alert goes to, and the routes that took it (`root › severity="critical"`)."""

    receivers: tuple[str, ...]
    routes: tuple[str, ...] = ()
    overridden: bool = False

    def __str__(self) -> str:
        text = ", ".join(self.receivers) or "(no contact point)"
        return f"{text} (the rule's own notification settings)" if self.overridden else text


def parse_matcher(text: str) -> Matcher | None:
    """An Alertmanager matcher string (`severity="critical"`, `team=~"a|b"`), or None when it is not one."""
    found = _MATCHER.match(text)
    if found is None:
        return None
    label, op, value = found.groups()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return Matcher(label=label.strip('"'), op=op, value=value)


def matches(matcher: Matcher, labels: Mapping[str, str]) -> bool:
    value = labels.get(matcher.label, "")
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    try:
        found = re.fullmatch(matcher.value, value) is not None
    except re.error:
        return False
    return found if matcher.op == "=~" else not found


def route_alert(tree: PolicyTree, labels: Mapping[str, str]) -> Routing:
    """The receivers (in order, without repeats) and routes an alert with `labels` is sent through."""
    landed: list[tuple[str | None, str]] = []
    root = tree.root
    _match(root, labels, root.receiver, "root", landed, is_root=True)
    receivers: list[str] = []
    for receiver, _ in landed:
        if receiver and receiver not in receivers:
            receivers.append(receiver)
    return Routing(receivers=tuple(receivers), routes=tuple(path for _, path in landed))


def _match(
    route: Route, labels: Mapping[str, str], inherited: str | None, path: str,
    landed: list[tuple[str | None, str]], *, is_root: bool = False,
) -> bool:
    if not is_root and not all(matches(matcher, labels) for matcher in route.matchers):
        return False
    receiver = route.receiver or inherited
    found = False
    for child in route.routes:
        if _match(child, labels, receiver, f"{path} › {child.selector}", landed):
            found = True
            if not child.continue_:
                break
    if not found:
        landed.append((receiver, path))
    return True


def route_rule(rule: AlertRule, tree: PolicyTree | None) -> Routing | None:
    """Where `rule` notifies: its own receiver when set, else the tree's answer; None without either."""
    settings = rule.notification_settings or {}
    receiver = settings.get("receiver")
    if receiver:
        return Routing(receivers=(str(receiver),), overridden=True)
    if tree is None:
        return None
    return route_alert(tree, rule.routing_labels())
