"""connection.check_base_url and resolve_connection: where the key may be sent."""

from __future__ import annotations

import pytest

from axom_tui.api import DEFAULT_BASE_URL
from axom_tui.connection import (
    ConnectionSettingsError, check_base_url, is_loopback_host, resolve_connection,
)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/api",
    "http://127.0.0.1/api",
    "http://127.1.2.3:9/api",
    "http://localhost:8000/api",
    "http://localhost/api/",
    "http://[::1]:8000/api",
    "http://[::1]/api",
    "https://console.axomlabs.ai/api",
    "https://10.0.0.5:8443/api",
])
def test_allowed_without_insecure(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", [
    "http://console.axomlabs.ai/api",
    "http://10.0.0.5:8000/api",
    "http://192.168.1.20/api",
    "http://0.0.0.0:8000/api",
    "http://localhost.evil.example/api",
    "http://127.0.0.1.nip.io/api",
    "http://[::ffff:8.8.8.8]/api",
])
def test_plain_http_to_other_hosts_refused_unless_insecure(url: str) -> None:
    with pytest.raises(ConnectionSettingsError, match="insecure"):
        check_base_url(url)
    assert check_base_url(url, insecure=True) == url


@pytest.mark.parametrize("url", [
    "ftp://console.axomlabs.ai/api",
    "file:///etc/passwd",
    "ws://localhost:8000/api",
    "javascript:alert(1)",
    "console.axomlabs.ai/api",
    "https://",
    "",
    "https://[::1",
])
@pytest.mark.parametrize("insecure", [False, True])
def test_non_http_schemes_and_garbage_refused(url: str, insecure: bool) -> None:
    with pytest.raises(ConnectionSettingsError):
        check_base_url(url, insecure=insecure)


@pytest.mark.parametrize("host, loopback", [
    ("localhost", True), ("127.0.0.1", True), ("::1", True), ("[::1]", True), ("127.255.0.1", True),
    ("example.com", False), ("10.0.0.1", False), ("::", False), ("localhostx", False), ("", False),
])
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_resolve_defaults() -> None:
    settings = resolve_connection(env={})
    assert settings.base_url == DEFAULT_BASE_URL
    assert not settings.key and settings.insecure is False


def test_resolve_env_used_when_no_flags() -> None:
    env = {"AXOM_BASE_URL": "http://127.0.0.1:8765/api/", "AXOM_KEY": "axom_live_fromenv0123456789"}
    settings = resolve_connection(env=env)
    assert settings.base_url == "http://127.0.0.1:8765/api"
    assert settings.key.reveal() == "axom_live_fromenv0123456789"


def test_resolve_flags_beat_env() -> None:
    env = {"AXOM_BASE_URL": "http://127.0.0.1:8765/api", "AXOM_KEY": "axom_live_fromenv0123456789"}
    settings = resolve_connection(base_url="https://flag.example/api", key="axom_live_fromflag012345",
                                  env=env)
    assert settings.base_url == "https://flag.example/api"
    assert settings.key.reveal() == "axom_live_fromflag012345"


def test_resolve_explicit_empty_key_is_not_replaced_by_env() -> None:
    settings = resolve_connection(key="", env={"AXOM_KEY": "axom_live_fromenv0123456789"})
    assert not settings.key


def test_resolve_checks_the_env_url_too() -> None:
    with pytest.raises(ConnectionSettingsError):
        resolve_connection(env={"AXOM_BASE_URL": "http://api.example.com/api"})
    settings = resolve_connection(insecure=True, env={"AXOM_BASE_URL": "http://api.example.com/api"})
    assert settings.base_url == "http://api.example.com/api" and settings.insecure


def test_resolve_reads_process_env_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXOM_BASE_URL", "http://localhost:9999/api")
    monkeypatch.setenv("AXOM_KEY", " axom_live_processenv0123456 ")
    settings = resolve_connection()
    assert settings.base_url == "http://localhost:9999/api"
    assert settings.key.reveal() == "axom_live_processenv0123456"
