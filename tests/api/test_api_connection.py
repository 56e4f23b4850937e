"""connection.check_base_url and resolve_connection: where the key may be sent."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from axom_tui.api import DEFAULT_BASE_URL
from axom_tui.config.connection import (
    ConnectionSettingsError,
    check_base_url,
    is_loopback_host,
    resolve_connection,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/api",
        "http://127.0.0.1/api",
        "http://127.1.2.3:9/api",
        "http://localhost:8000/api",
        "http://localhost/api/",
        "http://[::1]:8000/api",
        "http://[::1]/api",
        "https://console.axomlabs.ai/api",
        "https://10.0.0.5:8443/api",
    ],
)
def test_allowed_without_insecure(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://console.axomlabs.ai/api",
        "http://10.0.0.5:8000/api",
        "http://192.168.1.20/api",
        "http://0.0.0.0:8000/api",
        "http://localhost.evil.example/api",
        "http://127.0.0.1.nip.io/api",
        "http://[::ffff:8.8.8.8]/api",
    ],
)
def test_plain_http_to_other_hosts_refused_unless_insecure(url: str) -> None:
    with pytest.raises(ConnectionSettingsError, match="insecure"):
        check_base_url(url)
    assert check_base_url(url, insecure=True) == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://console.axomlabs.ai/api",
        "file:///etc/passwd",
        "ws://localhost:8000/api",
        "javascript:alert(1)",
        "console.axomlabs.ai/api",
        "https://",
        "",
        "https://[::1",
    ],
)
@pytest.mark.parametrize("insecure", [False, True])
def test_non_http_schemes_and_garbage_refused(url: str, insecure: bool) -> None:
    with pytest.raises(ConnectionSettingsError):
        check_base_url(url, insecure=insecure)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example\\@127.0.0.1/api",
        "http://evil.example@127.0.0.1/api",
        "https://user:secret@console.axomlabs.ai/api",
        "http://127.0.0.1%2e.evil.example/api",
        "http://local host/api",
        "http://localhost:99999/api",
        "http://localhost:80a/api",
        "http://[not-an-ip]/api",
        "http://localhost/api\n",
        "http://exa\tmple.com/api",
    ],
)
@pytest.mark.parametrize("insecure", [False, True])
def test_urls_two_parsers_could_read_differently_are_refused(url: str, insecure: bool) -> None:
    with pytest.raises(ConnectionSettingsError):
        check_base_url(url, insecure=insecure)


_URL_PIECES = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTP://",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "[::ffff:8.8.8.8]",
        "example.com",
        "bücher.example",
        "@",
        ":",
        ":8080",
        "/",
        "/api",
        "%2e",
        ".",
        "\\",
        "?",
        "#",
        "x",
        "-",
        "_",
        "[",
        "]",
        " ",
        "\t",
        "0x7f.1",
        "%40",
        "0",
        "1",
        "::",
        "-bücher",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_URL_PIECES, min_size=1, max_size=8).map("".join))
def test_an_accepted_url_means_the_same_host_to_httpx(url: str) -> None:
    """The check parses with urllib (httpx loads after the first frame); the requests are
    made by httpx. Any URL the check accepts must name the same host and scheme to both,
    so "plain http only to loopback" cannot be slipped past with a parser difference."""
    try:
        checked = check_base_url(url, insecure=True)
    except ConnectionSettingsError:
        return
    parsed = httpx.URL(checked)
    assert parsed.scheme in ("http", "https")
    assert parsed.scheme == url.split(":", 1)[0].lower()
    if parsed.scheme == "http":
        try:
            strict = check_base_url(url)
        except ConnectionSettingsError:
            assert not is_loopback_host(parsed.host)
        else:
            assert is_loopback_host(parsed.host) and strict == checked


@pytest.mark.parametrize(
    "url",
    [
        "http://Console.AxomLabs.ai:8443/api",
        "http://[::ffff:8.8.8.8]:8000/api",
        "http://bücher.example/api",
    ],
)
def test_the_refused_host_is_the_host_httpx_would_connect_to(url: str) -> None:
    with pytest.raises(ConnectionSettingsError) as refused:
        check_base_url(url)
    assert f"plain http:// to {httpx.URL(url).host}:" in str(refused.value)


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("127.255.0.1", True),
        ("example.com", False),
        ("10.0.0.1", False),
        ("::", False),
        ("localhostx", False),
        ("", False),
    ],
)
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
    settings = resolve_connection(
        base_url="https://flag.example/api", key="axom_live_fromflag012345", env=env
    )
    assert settings.base_url == "https://flag.example/api"
    assert settings.key.reveal() == "axom_live_fromflag012345"


def test_resolve_explicit_empty_key_is_not_replaced_by_env() -> None:
    settings = resolve_connection(key="", env={"AXOM_KEY": "axom_live_fromenv0123456789"})
    assert not settings.key


def test_resolve_checks_the_env_url_too() -> None:
    with pytest.raises(ConnectionSettingsError):
        resolve_connection(env={"AXOM_BASE_URL": "http://api.example.com/api"})
    settings = resolve_connection(
        insecure=True, env={"AXOM_BASE_URL": "http://api.example.com/api"}
    )
    assert settings.base_url == "http://api.example.com/api" and settings.insecure


def test_resolve_reads_process_env_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXOM_BASE_URL", "http://localhost:9999/api")
    monkeypatch.setenv("AXOM_KEY", " axom_live_processenv0123456 ")
    settings = resolve_connection()
    assert settings.base_url == "http://localhost:9999/api"
    assert settings.key.reveal() == "axom_live_processenv0123456"
