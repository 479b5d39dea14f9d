"""`backtest_revision`: every alert rule that differs between a base revision and the working tree, replayed in
its old and new version over the same window of each environment's real history.

The rules are read from the same place `dashctl diff` reads them: the committed provisioning files of the base
revision and a fresh in-memory build of the working tree (`dashctl.diff.review.revision_snapshots`), so what is
replayed is exactly what Grafana would load. A rule counts as changed when anything that decides when it fires
differs: its queries and expressions, condition, `for`, `keep_firing_for`, no-data and error handling, the
group's interval, or being paused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from dashctl.backtest.replay import VersionResult, replay_rule
from dashctl.backtest.rule import ReplayRule, Unsupported, read_rule
from dashctl.backtest.window import Window
from dashctl.datasource_api import DatasourceClient, Endpoint, resolve_endpoint
from dashctl.diff.objects import AlertRule, Datasource
from dashctl.durations import spoken_duration
from dashctl.errors import UsageError

__all__ = ["BacktestReport", "RuleBacktest", "backtest_revision", "backtest_rules", "behaviour_differs"]

_BEHAVIOUR = ("data", "condition", "for_", "keep_firing_for", "no_data_state", "exec_err_state", "interval",
              "paused")


@dataclass(frozen=True, kw_only=True)
class RuleBacktest:
    """One rule in one environment: its versions and what each would have done (None: no such version)."""

    environment: str
    uid: str
    title: str
    status: str
    """`changed`, `added`, `removed`, or `unchanged` (named with --rule)."""
    before_rule: ReplayRule | None = None
    after_rule: ReplayRule | None = None
    before: VersionResult | None = None
    after: VersionResult | None = None
    skipped: str | None = None
    """Why the rule could not be replayed (an expression type, a datasource type), when it could not."""


@dataclass(frozen=True, kw_only=True)
class BacktestReport:
    base_ref: str
    base_commit: str
    window: Window
    rules: tuple[RuleBacktest, ...]
    endpoints: Mapping[str, str]
    """`environment/kind` → the URL queried (never with credentials)."""


def behaviour_differs(before: AlertRule | None, after: AlertRule | None) -> bool:
    """Whether the two versions can fire at different times (annotations and routing labels cannot change that)."""
    if before is None or after is None:
        return before is not after
    return any(getattr(before, name) != getattr(after, name) for name in _BEHAVIOUR)


def backtest_revision(project: object, *, base: str | None, environments: Iterable[str], window: Window,
                      rule_uids: Iterable[str] = (), overrides: Mapping[str, str | None] | None = None,
                      env: Mapping[str, str] | None = None, progress: Callable[[str], None] | None = None
                      ) -> BacktestReport:
    """Backtest the changed rules (or the rules named) of the environments against their Prometheus or Loki."""
    from dashctl.diff.review import revision_snapshots

    sides = revision_snapshots(project, base=base, environments=environments)  # type: ignore[arg-type]
    pairs: list[tuple[AlertRule | None, AlertRule | None]] = []
    keys = {key for snapshot in (sides.before, sides.after) for key in snapshot.objects
            if key.kind == AlertRule.KIND}
    wanted = tuple(dict.fromkeys(rule_uids))
    found = set()
    for key in sorted(keys, key=lambda item: item.sort_key()):
        old, new = sides.before.get(key), sides.after.get(key)
        uid = (old or new).uid  # type: ignore[union-attr]
        if wanted:
            if uid not in wanted:
                continue
            found.add(uid)
        elif not behaviour_differs(old, new):  # type: ignore[arg-type]
            continue
        pairs.append((old, new))  # type: ignore[arg-type]
    missing = [uid for uid in wanted if uid not in found]
    if missing:
        known = sorted({key.key for key in keys})
        listed = f" (known: {', '.join(known[:20])}{'…' if len(known) > 20 else ''})" if known else ""
        raise UsageError(f"no alert rule with uid {', '.join(map(repr, missing))} in the compared environments"
                         f"{listed}")
    types: dict[str, dict[str, str]] = {}
    for environment in project.environments.values():  # type: ignore[attr-defined]
        types[environment.name] = {ref.uid: ref.type for ref in environment.datasources.values()}
    for snapshot in (sides.before, sides.after):
        for item in snapshot:
            if isinstance(item, Datasource) and item.uid and isinstance(item.settings.get("type"), str):
                types.setdefault(item.environment, {}).setdefault(item.uid, item.settings["type"])
    return backtest_rules(project, pairs, window=window, datasource_types=types, overrides=overrides or {}, env=env,
                          base_ref=sides.revision.ref, base_commit=sides.revision.commit, progress=progress)


def backtest_rules(project: object, pairs: Iterable[tuple[AlertRule | None, AlertRule | None]], *, window: Window,
                   datasource_types: Mapping[str, Mapping[str, str]], overrides: Mapping[str, str | None],
                   env: Mapping[str, str] | None = None, base_ref: str = "", base_commit: str = "",
                   progress: Callable[[str], None] | None = None) -> BacktestReport:
    """Replay each (before, after) pair; clients are opened per environment and datasource kind, once."""
    clients: dict[tuple[str, str], DatasourceClient] = {}
    endpoints: dict[str, str] = {}
    fetched: dict[tuple, object] = {}  # both versions usually share their queries: fetch each once

    def client_for(environment_name: str, kinds: Mapping[str, str]) -> Callable[[str], DatasourceClient]:
        def get(uid: str) -> DatasourceClient:
            kind = kinds[uid]
            if (environment_name, kind) not in clients:
                environment = project.environments.get(environment_name)  # type: ignore[attr-defined]
                if environment is None:
                    raise UsageError(f"environment {environment_name!r} is no longer configured: it cannot be queried")
                endpoint: Endpoint = resolve_endpoint(kind, environment, override=overrides.get(kind), env=env)
                clients[(environment_name, kind)] = DatasourceClient(endpoint)
                endpoints[f"{environment_name}/{kind}"] = endpoint.url
            return clients[(environment_name, kind)]

        return get

    results = []
    try:
        for old, new in pairs:
            item = old or new
            assert item is not None
            kinds = datasource_types.get(item.environment, {})
            status = "added" if old is None else "removed" if new is None else (
                "changed" if behaviour_differs(old, new) else "unchanged")
            try:
                before_rule = read_rule(old, kinds) if old is not None and not old.paused else None
                after_rule = read_rule(new, kinds) if new is not None and not new.paused else None
            except Unsupported as reason:
                results.append(RuleBacktest(environment=item.environment, uid=item.uid, title=item.rule_title,
                                            status=status, skipped=str(reason)))
                continue
            get = client_for(item.environment, kinds)
            if progress:
                progress(f"{item.environment}: replaying {item.uid} over {spoken_duration(window.seconds)}")
            before = replay_rule(before_rule, window, get, cache=fetched) if before_rule else None
            after = replay_rule(after_rule, window, get, cache=fetched) if after_rule else None
            results.append(RuleBacktest(environment=item.environment, uid=item.uid, title=(new or old).rule_title,
                                        status=status, before_rule=before_rule, after_rule=after_rule,
                                        before=before, after=after))
    finally:
        for client in clients.values():
            client.close()
    return BacktestReport(base_ref=base_ref, base_commit=base_commit, window=window, rules=tuple(results),
                          endpoints=dict(sorted(endpoints.items())))
