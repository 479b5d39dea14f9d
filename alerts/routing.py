"""The notification policy tree of each environment, and the mute timings it uses.

The receivers come from the environment (`alert_receiver_*` values): in dev everything goes to the developers'
channel; in prod critical alerts page the SRE on-call and warnings go to the SRE channel, muted during the
weekly maintenance window.
"""

from dashctl.alerts import (
    MuteTiming,
    NotificationPolicy,
    Route,
    TimeInterval,
    mute_timings,
    notification_policy,
)


@notification_policy
def routing(env):
    default = env.value("alert_receiver_default")
    routes = []
    for severity in ("critical", "warning"):
        receiver = env.value(f"alert_receiver_{severity}")
        mutes = env.value(f"alert_{severity}_mute_timings", [])
        if receiver != default or mutes:
            routes.append(Route(receiver=receiver, matchers=[("severity", "=", severity)], mute_timings=mutes))
    return NotificationPolicy(
        receiver=default,
        group_by=["grafana_folder", "alertname"],
        group_wait="30s",
        group_interval="5m",
        repeat_interval="4h",
        routes=routes,
    )


@mute_timings(environments=["prod"])
def maintenance(env):
    return [
        MuteTiming(
            name="weekly-maintenance",
            intervals=[TimeInterval(weekdays=["sunday"], times=[("02:00", "04:00")], location="Europe/Berlin")],
        )
    ]
