"""The decorators that declare alerting definitions, each a function of the environment.

    @rule_group(name="backend-http", folder="Backend", interval="1m", team="backend")
    def backend_http(env): return [AlertRule(...), ...]

    @contact_points(environments=["prod"])          def sre(env): return [ContactPoint(...)]
    @notification_policy                            def routing(env): return NotificationPolicy(...)
    @message_templates                              def texts(env): return [MessageTemplate(...)]
    @mute_timings                                   def quiet(env): return [MuteTiming(...)]
    @slo(folder="SLOs")                             def availability(env): return SLO(...)
    @alert_tests                                    def backend_http_tests(env): return [AlertTest(...)]

They register through `dashctl.definitions.define`, like @dashboard and @datasources; nothing is built until a
command asks for an environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from dashctl.alerts.model import check_group_fields, raise_problems
from dashctl.definitions import define, location_of
from dashctl.errors import DefinitionError

__all__ = [
    "ALERT_TESTS",
    "CONTACT_POINTS",
    "MESSAGE_TEMPLATES",
    "MUTE_TIMINGS",
    "NOTIFICATION_POLICY",
    "RULE_GROUP",
    "SLO_KIND",
    "alert_tests",
    "contact_points",
    "message_templates",
    "mute_timings",
    "notification_policy",
    "rule_group",
    "slo",
]

F = TypeVar("F", bound=Callable[..., Any])

RULE_GROUP = "rule_group"
CONTACT_POINTS = "contact_points"
NOTIFICATION_POLICY = "notification_policy"
MESSAGE_TEMPLATES = "message_templates"
MUTE_TIMINGS = "mute_timings"
SLO_KIND = "slo"
ALERT_TESTS = "alert_tests"


def rule_group(
    *, name: str, folder: str, interval: str = "1m", team: str | None = None, environments: list[str] | None = None
) -> Callable[[F], F]:
    """Declare a rule group: the function takes the Environment and returns a list of AlertRule.

    `folder` is the Grafana folder title the rules are filed under, `interval` how often Grafana evaluates the
    group (a multiple of 10s), `team` the default `team` label of its rules.
    """

    def decorate(function: F) -> F:
        location = location_of(function)
        problems: list[DefinitionError] = []

        def add(message: str, hint: str | None = None) -> None:
            problems.append(DefinitionError(message, location=location, definition=f"rule group {name!r}", hint=hint))

        check_group_fields(name, folder, interval, add)
        if team is not None and not (isinstance(team, str) and team):
            add("team must be a non-empty string")
        raise_problems(problems)
        options = {"name": name, "folder": folder, "interval": interval, "team": team}
        return define(RULE_GROUP, function, options=options, environments=environments)

    return decorate


def _simple(kind: str, what: str) -> Callable[..., Any]:
    def decorator(function: F | None = None, *, environments: list[str] | None = None) -> Any:
        def decorate(inner: F) -> F:
            return define(kind, inner, options={}, environments=environments)

        return decorate(function) if function is not None else decorate

    decorator.__name__ = kind
    decorator.__doc__ = f"Declare {what}: the decorated function takes the Environment and returns them."
    return decorator


contact_points = _simple(CONTACT_POINTS, "contact points (a list of ContactPoint)")
notification_policy = _simple(
    NOTIFICATION_POLICY, "the notification policy tree (one NotificationPolicy; one per environment)"
)
message_templates = _simple(MESSAGE_TEMPLATES, "notification message templates (a list of MessageTemplate)")
mute_timings = _simple(MUTE_TIMINGS, "mute timings (a list of MuteTiming)")
alert_tests = _simple(ALERT_TESTS, "alert unit tests (a list of AlertTest), run by `dashctl test`")


def slo(
    *, folder: str, group: str | None = None, interval: str = "1m", environments: list[str] | None = None
) -> Callable[[F], F]:
    """Declare a service level objective: the function takes the Environment and returns an SLO.

    dashctl generates its multi-window multi-burn-rate alert rules into the rule group `group` (default: the
    SLO's uid) of `folder`.
    """

    def decorate(function: F) -> F:
        location = location_of(function)
        problems: list[DefinitionError] = []

        def add(message: str, hint: str | None = None) -> None:
            problems.append(DefinitionError(message, location=location, definition="slo", hint=hint))

        check_group_fields(group or "slo", folder, interval, add)
        raise_problems(problems)
        return define(SLO_KIND, function, options={"folder": folder, "group": group, "interval": interval},
                      environments=environments)

    return decorate
