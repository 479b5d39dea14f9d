"""Where alerts go: contact points and their integrations (Slack, PagerDuty, email, webhook), message templates.

A contact point is a named set of integrations; the notification policy tree (`dashctl.alerts.policy`) routes
alerts to contact points by label. Integration settings that are credentials (a Slack webhook URL or token, a
PagerDuty integration key, a webhook password) must be references to Grafana's environment
(`env_secret("SLACK_WEBHOOK_URL")` → `$__env{SLACK_WEBHOOK_URL}`), so the files can live in ConfigMaps.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from dashctl.interpolation import escape_values
from dashctl.alerts.model import raise_problems
from dashctl.credentials import SECRET_NAME, is_reference, literal_secret_in_url, looks_like_secret
from dashctl.definitions import UID_MAX_LENGTH, caller_location, validate_uid
from dashctl.errors import DefinitionError, SourceLocation

__all__ = [
    "ContactPoint",
    "Email",
    "Integration",
    "MessageTemplate",
    "PagerDuty",
    "Slack",
    "Webhook",
    "template_names",
    "used_templates",
]

_TEMPLATE_DEFINE = re.compile(r"\{\{-?\s*define\s+\"([^\"]+)\"\s*-?\}\}")
_TEMPLATE_USE = re.compile(r"\{\{-?\s*template\s+\"([^\"]+)\"")
_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")


class _Checks:
    def __init__(self, what: str, location: SourceLocation):
        self.what = what
        self.location = location
        self.problems: list[DefinitionError] = []

    def add(self, message: str, hint: str | None = None) -> None:
        self.problems.append(DefinitionError(message, location=self.location, definition=self.what, hint=hint))

    def reference(self, name: str, value: Any, *, required: bool = False) -> None:
        """A credential setting: it must be `$__env{NAME}` or `$__file{path}`."""
        if value is None:
            if required:
                self.add(f"{name} is required", hint=f"{name}=env_secret('NAME')")
            return
        if not is_reference(value):
            self.add(
                f"{name} is a literal secret",
                hint=f"reference it instead: {name}=env_secret('NAME') (Grafana reads $__env{{NAME}} from its "
                "environment, e.g. the grafana-env Secret), or file_secret('/path') for a mounted file",
            )

    def url(self, name: str, value: Any, *, required: bool = False) -> None:
        """A URL that may be literal, as long as it carries no credential."""
        if value is None:
            if required:
                self.add(f"{name} is required")
            return
        if not isinstance(value, str) or not value:
            self.add(f"{name} must be a URL string")
            return
        why = literal_secret_in_url(value)
        if why:
            self.add(
                f"{name} has a literal secret: {why}",
                hint=f"put the whole URL (or the secret part) in Grafana's environment: {name}=env_secret('NAME')",
            )

    def raise_if_any(self) -> None:
        raise_problems(self.problems)


@dataclass(frozen=True, kw_only=True)
class _Integration:
    """One integration of a contact point. `uid` is derived from the contact point's name unless given."""

    uid: str | None = None
    disable_resolve_message: bool = False
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    type: ClassVar[str] = ""
    # The settings (as Grafana names them) that hold a credential and so may be `$__env{}`/`$__file{}`
    # references, which Grafana expands; in every other setting a `$` is written escaped.
    reference_settings: ClassVar[frozenset[str]] = frozenset()

    def settings(self) -> dict[str, Any]:  # pragma: no cover - every integration overrides it
        raise NotImplementedError

    def secret_settings(self) -> frozenset[str]:
        return self.reference_settings

    def provisioned_settings(self) -> dict[str, Any]:
        """The settings as written to the file: escaped for Grafana's interpolation, references kept where meant."""
        keep = self.secret_settings()
        return {name: escape_values(value, keep_references=name in keep) for name, value in self.settings().items()}

    def _check(self) -> _Checks:
        checks = _Checks(f"{self.type} integration", self.location)
        if self.uid is not None:
            try:
                validate_uid(self.uid, what=f"{self.type} integration", location=self.location)
            except DefinitionError as error:
                checks.add(error.message, hint="the uid identifies the integration for deleteContactPoints")
        return checks


@dataclass(frozen=True, kw_only=True)
class Slack(_Integration):
    """Slack, by incoming-webhook `url` or by bot `token` + `recipient` (a channel); both are secrets."""

    url: str | None = None
    token: str | None = None
    recipient: str | None = None
    username: str | None = None
    icon_emoji: str | None = None
    mention_channel: str | None = None
    title: str | None = None
    text: str | None = None

    type: ClassVar[str] = "slack"
    reference_settings: ClassVar[frozenset[str]] = frozenset({"url", "token"})

    def __post_init__(self) -> None:
        checks = self._check()
        if (self.url is None) == (self.token is None):
            checks.add("give either url (an incoming webhook) or token (a bot token, with recipient)")
        checks.reference("url", self.url)
        checks.reference("token", self.token)
        if self.token is not None and not self.recipient:
            checks.add("a bot token needs a recipient (a channel such as '#alerts')")
        if self.mention_channel not in (None, "", "here", "channel"):
            checks.add("mention_channel must be 'here' or 'channel'")
        checks.raise_if_any()

    def settings(self) -> dict[str, Any]:
        return _present({
            "url": self.url, "token": self.token, "recipient": self.recipient, "username": self.username,
            "icon_emoji": self.icon_emoji, "mentionChannel": self.mention_channel, "title": self.title,
            "text": self.text,
        })


@dataclass(frozen=True, kw_only=True)
class PagerDuty(_Integration):
    """PagerDuty Events API v2; `integration_key` is a secret. `severity` is PagerDuty's (critical, error, ...)."""

    integration_key: str | None = None
    severity: str = "critical"
    class_: str | None = None
    component: str | None = None
    group: str | None = None
    summary: str | None = None
    source: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    type: ClassVar[str] = "pagerduty"
    reference_settings: ClassVar[frozenset[str]] = frozenset({"integrationKey"})

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
        checks = self._check()
        checks.reference("integration_key", self.integration_key, required=True)
        if not (self.severity in ("critical", "error", "warning", "info") or "{{" in self.severity):
            checks.add(f"PagerDuty severity {self.severity!r} must be critical, error, warning, info or a template")
        checks.raise_if_any()

    def settings(self) -> dict[str, Any]:
        return _present({
            "integrationKey": self.integration_key, "severity": self.severity, "class": self.class_,
            "component": self.component, "group": self.group, "summary": self.summary, "source": self.source,
            "details": dict(self.details) or None,
        })


@dataclass(frozen=True, kw_only=True)
class Email(_Integration):
    """Email to `addresses` (Grafana's SMTP settings send it); `single_email` sends one mail to all."""

    addresses: Sequence[str] = ()
    single_email: bool = False
    subject: str | None = None
    message: str | None = None

    type: ClassVar[str] = "email"

    def __post_init__(self) -> None:
        object.__setattr__(self, "addresses", tuple(self.addresses))
        checks = self._check()
        if isinstance(self.addresses, str) or not self.addresses:
            checks.add("addresses must be a non-empty list of email addresses")
        for address in self.addresses:
            if not (isinstance(address, str) and _EMAIL.match(address)):
                checks.add(f"{address!r} is not an email address")
        checks.raise_if_any()

    def settings(self) -> dict[str, Any]:
        return _present({
            "addresses": ";".join(self.addresses), "singleEmail": self.single_email or None,
            "subject": self.subject, "message": self.message,
        })


@dataclass(frozen=True, kw_only=True)
class Webhook(_Integration):
    """An HTTP webhook. The `url` may be literal when it carries no credential; `password` and
    `authorization_credentials` are secrets (references only)."""

    url: str = ""
    http_method: str = "POST"
    username: str | None = None
    password: str | None = None
    authorization_scheme: str | None = None
    authorization_credentials: str | None = None
    max_alerts: int | None = None
    title: str | None = None
    message: str | None = None

    type: ClassVar[str] = "webhook"
    reference_settings: ClassVar[frozenset[str]] = frozenset({"url", "password", "authorization_credentials"})

    def __post_init__(self) -> None:
        checks = self._check()
        checks.url("url", self.url or None, required=True)
        if self.http_method not in ("POST", "PUT"):
            checks.add("http_method must be POST or PUT")
        checks.reference("password", self.password)
        checks.reference("authorization_credentials", self.authorization_credentials)
        if self.password is not None and self.authorization_credentials is not None:
            checks.add("use either basic auth (username, password) or authorization_credentials, not both")
        if self.max_alerts is not None and (not isinstance(self.max_alerts, int) or self.max_alerts < 0):
            checks.add("max_alerts must be a non-negative integer (0: no limit)")
        checks.raise_if_any()

    def settings(self) -> dict[str, Any]:
        return _present({
            "url": self.url, "httpMethod": self.http_method, "username": self.username, "password": self.password,
            "authorization_scheme": self.authorization_scheme,
            "authorization_credentials": self.authorization_credentials, "maxAlerts": self.max_alerts,
            "title": self.title, "message": self.message,
        })


@dataclass(frozen=True, kw_only=True)
class Integration(_Integration):
    """Any other Grafana integration type (`opsgenie`, `teams`, `telegram`...), settings as Grafana names them.

    Every setting whose name looks like a credential (`apiKey`, `token`, `password`...) or that is a URL with a
    credential in it must be a reference.
    """

    kind: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        checks = _Checks(f"{self.kind or '?'} integration", self.location)
        if not (isinstance(self.kind, str) and re.match(r"^[a-z][a-z0-9_-]*$", self.kind)):
            checks.add(f"kind {self.kind!r} must be a Grafana integration type such as 'opsgenie'")
        if not self.options:
            checks.add("options are required: the integration's settings")
        for name, value in self.options.items():
            if not isinstance(value, str):
                continue
            if SECRET_NAME.search(name) and not name.lower().endswith(("url", "_scheme", "scheme")):
                checks.reference(name, value)
            elif "url" in name.lower():
                checks.url(name, value)
        checks.raise_if_any()

    @property
    def type(self) -> str:  # type: ignore[override]
        return self.kind

    def secret_settings(self) -> frozenset[str]:
        """The options named like a credential or a URL: the ones checked as references or credential-free URLs."""
        return frozenset(name for name in self.options if SECRET_NAME.search(name) or "url" in name.lower())

    def settings(self) -> dict[str, Any]:
        return dict(self.options)


_ContactIntegration = Slack | PagerDuty | Email | Webhook | Integration


@dataclass(frozen=True, kw_only=True)
class ContactPoint:
    """A named contact point, the receiver the policy tree routes to, with one or more integrations."""

    name: str
    integrations: Sequence[_ContactIntegration] = ()
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "integrations", tuple(self.integrations))
        checks = _Checks(f"contact point {self.name!r}", self.location)
        if not isinstance(self.name, str) or not self.name.strip() or self.name != self.name.strip():
            checks.add("a contact point needs a name without surrounding spaces")
        if not self.integrations:
            checks.add("a contact point needs at least one integration", hint="integrations=[Slack(url=...)]")
        for integration in self.integrations:
            if not isinstance(integration, _Integration):
                checks.add(f"integrations holds Slack, PagerDuty, Email, Webhook or Integration, not "
                           f"{type(integration).__name__}")
        checks.raise_if_any()

    def uids(self) -> list[str]:
        """Each integration's uid: its own, or `<name>-<type>` (numbered when a type repeats), at most 40 chars."""
        counts: dict[str, int] = {}
        uids = []
        for integration in self.integrations:
            if integration.uid:
                uids.append(integration.uid)
                continue
            counts[integration.type] = counts.get(integration.type, 0) + 1
            count = counts[integration.type]
            suffix = integration.type if count == 1 else f"{integration.type}-{count}"
            uids.append(_derived_uid(self.name, suffix))
        return uids

    def to_provisioning(self, org_id: int = 1) -> dict[str, Any]:
        """The `contactPoints[]` entry; settings are escaped for Grafana's interpolation."""
        receivers = []
        for uid, integration in zip(self.uids(), self.integrations):
            receiver: dict[str, Any] = {
                "uid": uid,
                "type": integration.type,
                "settings": integration.provisioned_settings(),
            }
            if integration.disable_resolve_message:
                receiver["disableResolveMessage"] = True
            receivers.append(receiver)
        return {"orgId": org_id, "name": escape_values(self.name), "receivers": receivers}

    def literal_secrets(self) -> list[str]:
        """Well-known credential formats found literally in any setting (a Slack token in a title...)."""
        found = []
        for integration in self.integrations:
            for name, value in integration.settings().items():
                if isinstance(value, str) and not is_reference(value):
                    kind = looks_like_secret(value)
                    if kind:
                        found.append(f"{integration.type} setting {name!r} contains {kind}")
        return found


@dataclass(frozen=True, kw_only=True)
class MessageTemplate:
    """A notification template group: Go templates with `{{ define "name" }}...{{ end }}`, used by integrations
    as `{{ template "name" . }}` in titles and texts."""

    name: str
    template: str
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        checks = _Checks(f"message template {self.name!r}", self.location)
        if not isinstance(self.name, str) or not re.match(r"^[A-Za-z0-9_.-]+$", self.name or ""):
            checks.add("a template needs a name of letters, digits, '.', '_' and '-'")
        if not isinstance(self.template, str) or not _TEMPLATE_DEFINE.search(self.template):
            checks.add('the template defines nothing', hint='{{ define "platform.title" }}...{{ end }}')
        elif self.template.count("{{") != self.template.count("}}"):
            checks.add("the template's {{ and }} do not pair up")
        elif looks_like_secret(self.template):
            checks.add(f"the template contains {looks_like_secret(self.template)}")
        checks.raise_if_any()

    @property
    def defines(self) -> list[str]:
        return template_names(self.template)

    def to_provisioning(self, org_id: int = 1) -> dict[str, Any]:
        return {"orgId": org_id, "name": self.name, "template": self.template}


def template_names(text: str) -> list[str]:
    """The templates a text defines with `{{ define "name" }}`."""
    return _TEMPLATE_DEFINE.findall(text)


def used_templates(value: Any) -> set[str]:
    """The templates a setting (or a nested structure of them) calls with `{{ template "name" }}`."""
    if isinstance(value, str):
        return set(_TEMPLATE_USE.findall(value))
    if isinstance(value, dict):
        return set().union(*(used_templates(item) for item in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(used_templates(item) for item in value)) if value else set()
    return set()


def _derived_uid(name: str, suffix: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "contact"
    uid = f"{slug}-{suffix}"
    if len(uid) <= UID_MAX_LENGTH:
        return uid
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    room = UID_MAX_LENGTH - len(suffix) - len(digest) - 2
    return f"{slug[:room].rstrip('-')}-{digest}-{suffix}"


def _present(settings: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in settings.items() if value is not None}
