"""Where to connect and with which key: flags over environment over defaults.

The key is never taken from the command line (it would show in `ps` and shell
history); only from ``AXOM_KEY`` or the config file.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

import httpx

from axom_tui.api.client import DEFAULT_BASE_URL
from axom_tui.api.secret import ApiKey


class ConnectionSettingsError(Exception):
    """The base URL or key cannot be used; the message says what to do."""


@dataclass(frozen=True)
class ConnectionSettings:
    base_url: str
    key: ApiKey
    insecure: bool = False


def is_loopback_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str, insecure: bool = False) -> str:
    """Refuse URLs that are not http(s), and plain http to a non-loopback host unless insecure."""
    try:
        url = httpx.URL(base_url)
    except Exception:  # httpx raises several types for garbage
        raise ConnectionSettingsError(f"base URL {base_url!r} is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConnectionSettingsError(f"base URL {base_url!r} must start with https://")
    if url.scheme == "http" and not is_loopback_host(url.host) and not insecure:
        raise ConnectionSettingsError(
            f"refusing plain http:// to {url.host}: the key would cross the network unencrypted. "
            "Use https://, or pass --insecure if you really mean it."
        )
    return base_url.rstrip("/")


def resolve_connection(base_url: str | None = None, key: str | None = None,
                       insecure: bool = False, env: dict[str, str] | None = None) -> ConnectionSettings:
    environ = os.environ if env is None else env
    url = base_url or environ.get("AXOM_BASE_URL") or DEFAULT_BASE_URL
    raw_key = key if key is not None else environ.get("AXOM_KEY", "")
    return ConnectionSettings(base_url=check_base_url(url, insecure), key=ApiKey(raw_key), insecure=insecure)
