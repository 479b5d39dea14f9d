"""Credentials over plain `http://`: allowed to a loopback Grafana, refused elsewhere unless the user insists.

Anyone on the path can read a token sent without TLS and use it until it is revoked (issue 9.6). kubectl and
Terraform's Grafana provider send what they are told; dashctl refuses unless the host is this machine or the caller
allows it explicitly, and the CLI warns in every case.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["credentials_in_clear", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine: `localhost` (and its subdomains), 127.0.0.0/8 or ::1."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials_in_clear(url: str) -> bool:
    """Whether credentials sent to `url` would travel unencrypted."""
    return urlsplit(url).scheme == "http"
