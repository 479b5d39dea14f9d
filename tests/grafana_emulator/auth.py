"""Who is calling: Bearer service-account tokens and Basic users, org selection, and role checks (spec §2)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from .bodies import ApiError, errutil, rbac_denied
from .state import EmulatorState, Identity, OrgStore


def authenticate(
    state: EmulatorState, headers: Mapping[str, str], query: Mapping[str, list[str]]
) -> tuple[Identity, OrgStore]:
    """The identity behind the request's credentials and the organisation it acts in; 401 otherwise."""
    header = headers.get("Authorization") or ""
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential:
        identity, is_token = _token_identity(state, credential), True
    elif scheme.lower() == "basic" and credential:
        identity, is_token = _basic_identity(state, credential)
    else:
        raise _unauthorized()
    org_id = _requested_org(headers, query, default=identity.org_id)
    if is_token and org_id != identity.org_id:
        raise errutil(
            401,
            "api-key.organization-mismatch",
            "API key does not belong to the requested organization",
            extra_null=True,
        )
    if (org_id != identity.org_id and org_id not in identity.other_orgs) or org_id not in state.orgs:
        # The real status and body for a user outside the org are unconfirmed (spec §9); a 401 is the guess.
        raise _unauthorized()
    return identity, state.orgs[org_id]


def authorize(identity: Identity, role: str, permission: str) -> None:
    """403 in the RBAC shape when the identity's basic role is below `role`."""
    if not identity.allows(role):
        raise rbac_denied(permission)


def _token_identity(state: EmulatorState, token: str) -> Identity:
    identity = state.settings.tokens.get(token)
    if identity is None:
        raise errutil(401, "api-key.invalid", "Invalid API key", extra_null=True)
    if identity.token_state == "expired":
        raise errutil(401, "api-key.expired", "Expired API key", extra_null=True)
    if identity.token_state == "revoked":
        raise errutil(401, "api-key.revoked", "Revoked API key", extra_null=True)
    return identity


def _basic_identity(state: EmulatorState, credential: str) -> tuple[Identity, bool]:
    try:
        user, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorized() from None
    if user == "api_key":  # a token sent as the password of the pseudo-user api_key
        return _token_identity(state, password), True
    known = state.settings.users.get(user)
    if known is None or known[0] != password:
        raise _unauthorized()
    return known[1], False


def _requested_org(headers: Mapping[str, str], query: Mapping[str, list[str]], *, default: int) -> int:
    """`?targetOrgId=` wins over `X-Grafana-Org-Id`; both absent means the identity's own org."""
    raw = (query.get("targetOrgId") or [None])[0] or headers.get("X-Grafana-Org-Id")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise _unauthorized() from None


def _unauthorized() -> ApiError:
    return errutil(401, "auth.unauthorized", "Unauthorized", extra_null=True)
