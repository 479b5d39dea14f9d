"""The Grafana objects a build deploys, as `dashctl diff` compares them: typed, immutable, keyed per environment.

Each object is what Grafana would hold after provisioning the files of one environment: an alert rule by uid, a
dashboard by uid (with its panels and variables), a datasource by uid, a contact point by name, the notification
policy tree of an organisation, a message template or mute timing by name, and each pending deletion
(`deleteRules`, `deleteContactPoints`, ...). Nested JSON is frozen (mappings read-only, lists as tuples), and
secrets are already masked (`dashctl.diff.masking`), so nothing taken from here can print one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

__all__ = [
    "AlertRule",
    "ContactPoint",
    "Dashboard",
    "Datasource",
    "Deletion",
    "GrafanaObject",
    "Integration",
    "KIND_ORDER",
    "Matcher",
    "MuteTiming",
    "ObjectKey",
    "Panel",
    "PolicyTree",
    "Route",
    "RuleNode",
    "Snapshot",
    "Target",
    "Template",
    "Variable",
    "freeze",
    "org_key",
    "thaw",
]

# How kinds are ordered in every output: what pages people first.
KIND_ORDER = (
    "alert rule",
    "notification policy",
    "contact point",
    "template",
    "mute timing",
    "deleteRules",
    "deleteContactPoints",
    "deleteTemplates",
    "deleteMuteTimes",
    "resetPolicies",
    "dashboard",
    "datasource",
    "deleteDatasources",
)
EXPRESSION_DATASOURCES = ("__expr__", "-100")


def freeze(value: Any) -> Any:
    """A read-only copy of a JSON-like value: mappings as sorted MappingProxyType, lists as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(key): freeze(value[key]) for key in sorted(value, key=str)})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """The plain dicts and lists of a frozen value (for JSON)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [thaw(item) for item in value]
    return value


def org_key(key: str, org_id: Any) -> str:
    """Objects of organisation 1 (every dashctl build) by their plain key; others marked with their org."""
    return key if org_id in (None, 1, "1") else f"{key}@org{org_id}"


class ObjectKey(NamedTuple):
    environment: str
    kind: str
    key: str

    def sort_key(self) -> tuple[str, int, str]:
        rank = KIND_ORDER.index(self.kind) if self.kind in KIND_ORDER else len(KIND_ORDER)
        return (self.environment, rank, self.key)


@dataclass(frozen=True, kw_only=True)
class GrafanaObject:
    """One object of one environment; `source` says which file and data key it came from."""

    environment: str
    source: str = field(default="", compare=False)

    KIND: ClassVar[str] = ""

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def key(self) -> str:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    @property
    def title(self) -> str:
        return ""

    @property
    def object_key(self) -> ObjectKey:
        return ObjectKey(self.environment, self.kind, self.key)


# ----------------------------------------------------------------------------------------------------------------
# Alert rules


@dataclass(frozen=True, kw_only=True)
class RuleNode:
    """One entry of a rule's `data`: a datasource query, or a server-side expression (`__expr__`)."""

    ref_id: str
    datasource_uid: str
    query_type: str = ""
    relative_time_range: tuple[int, int] | None = None
    model: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_expression(self) -> bool:
        return self.datasource_uid in EXPRESSION_DATASOURCES

    @property
    def expression_type(self) -> str:
        return str(self.model.get("type", "")) if self.is_expression else ""


@dataclass(frozen=True, kw_only=True)
class AlertRule(GrafanaObject):
    """A Grafana-managed alert rule, with the group and folder it is filed under."""

    uid: str
    org_id: int = 1
    rule_title: str = ""
    folder: str = ""
    group: str = ""
    interval: str = ""
    condition: str = ""
    data: tuple[RuleNode, ...] = ()
    for_: str = "0s"
    keep_firing_for: str = "0s"
    no_data_state: str = "NoData"
    exec_err_state: str = "Alerting"
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    annotations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    paused: bool = False
    notification_settings: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    KIND: ClassVar[str] = "alert rule"

    @property
    def key(self) -> str:
        return org_key(self.uid, self.org_id)

    @property
    def title(self) -> str:
        return self.rule_title

    def routing_labels(self) -> dict[str, str]:
        """The labels the policy tree sees: the rule's own, plus `alertname` and `grafana_folder` from Grafana."""
        return {**{key: str(value) for key, value in self.labels.items()}, "alertname": self.rule_title,
                "grafana_folder": self.folder}


# ----------------------------------------------------------------------------------------------------------------
# Notifications


@dataclass(frozen=True, kw_only=True)
class Integration:
    """One receiver of a contact point (Slack, PagerDuty, ...), its settings with secrets masked."""

    uid: str
    type: str
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    disable_resolve_message: bool = False

    @property
    def label(self) -> str:
        return f"{self.type} {self.uid}"


@dataclass(frozen=True, kw_only=True)
class ContactPoint(GrafanaObject):
    name: str
    org_id: int = 1
    integrations: tuple[Integration, ...] = ()

    KIND: ClassVar[str] = "contact point"

    @property
    def key(self) -> str:
        return org_key(self.name, self.org_id)

    @property
    def title(self) -> str:
        return ", ".join(sorted({integration.type for integration in self.integrations}))


@dataclass(frozen=True, kw_only=True)
class Matcher:
    """A label matcher of a route: `label op value` with op one of = != =~ !~ (regexes fully anchored)."""

    label: str
    op: str
    value: str

    def __str__(self) -> str:
        return f'{self.label}{self.op}"{self.value}"'


@dataclass(frozen=True, kw_only=True)
class Route:
    """A node of the notification policy tree; None means inherited from the parent."""

    receiver: str | None = None
    matchers: tuple[Matcher, ...] = ()
    continue_: bool = False
    group_by: tuple[str, ...] | None = None
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def selector(self) -> str:
        return ", ".join(str(matcher) for matcher in self.matchers) or "(every alert)"


@dataclass(frozen=True, kw_only=True)
class PolicyTree(GrafanaObject):
    """The notification policy tree of one organisation (each `policies[]` entry replaces the whole tree)."""

    org_id: int = 1
    root: Route = field(default_factory=Route)

    KIND: ClassVar[str] = "notification policy"

    @property
    def key(self) -> str:
        return f"org-{self.org_id}"

    @property
    def title(self) -> str:
        return "policy tree"


@dataclass(frozen=True, kw_only=True)
class Template(GrafanaObject):
    name: str
    org_id: int = 1
    template: str = ""

    KIND: ClassVar[str] = "template"

    @property
    def key(self) -> str:
        return org_key(self.name, self.org_id)


@dataclass(frozen=True, kw_only=True)
class MuteTiming(GrafanaObject):
    name: str
    org_id: int = 1
    time_intervals: tuple[Any, ...] = ()

    KIND: ClassVar[str] = "mute timing"

    @property
    def key(self) -> str:
        return org_key(self.name, self.org_id)


@dataclass(frozen=True, kw_only=True)
class Deletion(GrafanaObject):
    """An entry of `deleteRules`, `deleteContactPoints`, `deleteTemplates`, `deleteMuteTimes`,
    `deleteDatasources` or `resetPolicies`: something Grafana deletes when the file is synced."""

    list_name: str
    name: str

    @property
    def kind(self) -> str:
        return self.list_name

    @property
    def key(self) -> str:
        return self.name


# ----------------------------------------------------------------------------------------------------------------
# Dashboards and datasources


@dataclass(frozen=True, kw_only=True)
class Target:
    """A panel query: `text` is its expression (`expr`, `query`, `rawSql`...), `settings` the rest."""

    ref_id: str
    text: str | None = None
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class Panel:
    """A panel; `row` is the title of the row it sits under, `grid` its (x, y, w, h)."""

    id: int | None
    title: str
    type: str
    row: str | None = None
    grid: tuple[int, int, int, int] | None = None
    targets: tuple[Target, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def label(self) -> str:
        number = f" (#{self.id})" if self.id is not None else ""
        return f'panel "{self.title}"{number}'


@dataclass(frozen=True, kw_only=True)
class Variable:
    name: str
    type: str
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class Dashboard(GrafanaObject):
    uid: str
    dashboard_title: str = ""
    folder: str | None = None
    panels: tuple[Panel, ...] = ()
    variables: tuple[Variable, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    KIND: ClassVar[str] = "dashboard"

    @property
    def key(self) -> str:
        return self.uid

    @property
    def title(self) -> str:
        return self.dashboard_title


@dataclass(frozen=True, kw_only=True)
class Datasource(GrafanaObject):
    """A provisioned datasource; `settings` is everything but name and uid, secrets masked."""

    uid: str | None
    name: str
    org_id: int = 1
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    KIND: ClassVar[str] = "datasource"

    @property
    def key(self) -> str:
        return org_key(self.uid or self.name, self.org_id)

    @property
    def title(self) -> str:
        return self.name


# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """Every object of the compared environments on one side of a diff, and what could not be read."""

    environments: tuple[str, ...] = ()
    objects: Mapping[ObjectKey, GrafanaObject] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))

    def __iter__(self) -> Iterator[GrafanaObject]:
        return iter(self.objects.values())

    def get(self, key: ObjectKey) -> GrafanaObject | None:
        return self.objects.get(key)

    def policy(self, environment: str, org_id: int) -> PolicyTree | None:
        found = self.objects.get(ObjectKey(environment, PolicyTree.KIND, f"org-{org_id}"))
        return found if isinstance(found, PolicyTree) else None
