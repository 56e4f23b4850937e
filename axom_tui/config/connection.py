"""Where to connect and with which key: flags over environment over defaults.

The key is never taken from the command line (it would show in `ps` and shell
history); only from ``AXOM_KEY`` or the config file.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from axom_tui.api.defaults import DEFAULT_BASE_URL
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


_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\\]")  # controls, spaces, backslash
_HOST_NAME = re.compile(r"[a-z0-9_.-]+")
_DOTTED_NUMBERS = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_NETLOC = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\[\]:@/?#]+)(:[0-9]{1,5})?")


def _host_of(base_url: str) -> tuple[str, str]:
    """(scheme, host) of a base URL, refusing anything two URL parsers could read
    differently (the HTTP layer parses it again with httpx): odd characters, user info,
    percent-encoded or malformed hosts, bad ports."""
    invalid = ConnectionSettingsError(f"base URL {base_url!r} is not a valid URL")
    if _UNSAFE_CHARS.search(base_url):
        raise invalid
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise invalid from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise ConnectionSettingsError(f"base URL {base_url!r} must start with https://")
    if "@" in parts.netloc:
        raise ConnectionSettingsError(
            f"base URL {base_url!r} must not contain a user name or password"
        )
    if not _NETLOC.fullmatch(parts.netloc):
        raise invalid
    if parts.netloc.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise invalid from None
    elif host.isascii():
        if not _HOST_NAME.fullmatch(host):
            raise invalid
        if _DOTTED_NUMBERS.fullmatch(host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                raise invalid from None
    else:
        import idna  # what httpx encodes international names with (IDNA 2008)

        try:
            idna.encode(host)
        except idna.IDNAError:
            raise invalid from None
    return scheme, host


def check_base_url(base_url: str, insecure: bool = False) -> str:
    """Refuse URLs that are not http(s), and plain http to a non-loopback host unless insecure."""
    scheme, host = _host_of(base_url)
    if scheme == "http" and not is_loopback_host(host) and not insecure:
        raise ConnectionSettingsError(
            f"refusing plain http:// to {host}: the key would cross the network unencrypted. "
            "Use https://, or pass --insecure if you really mean it."
        )
    return base_url.rstrip("/")


def resolve_connection(
    base_url: str | None = None,
    key: str | None = None,
    insecure: bool = False,
    env: dict[str, str] | None = None,
) -> ConnectionSettings:
    environ = os.environ if env is None else env
    url = base_url or environ.get("AXOM_BASE_URL") or DEFAULT_BASE_URL
    raw_key = key if key is not None else environ.get("AXOM_KEY", "")
    return ConnectionSettings(
        base_url=check_base_url(url, insecure), key=ApiKey(raw_key), insecure=insecure
    )
