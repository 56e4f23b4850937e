"""Promise 5 (defined in conftest.py): transport safety.

A plain ``http://`` base URL to a non-loopback host is refused (flag, environment or
config file) unless ``--insecure``; loopback is fine. TLS verification stays on for the
API client, the storage client and the direct download path (``--insecure`` only allows
plain http, it never turns verification off), and a server with an untrusted
certificate gets neither a request nor the key.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import ssl
import subprocess
import threading

import httpx
import pytest

from axom_tui.api import AxomClient
from axom_tui.api.errors import TransportError
from axom_tui.cli.launch import settings_from_args
from axom_tui.cli.main import main
from axom_tui.download import transfer
from axom_tui.download.errors import FatalFileError
from axom_tui.runtime.services import build_services
from rel_helpers import KEY, PYTHON, REPO, child_env, figure, leaks_in

REMOTE_HTTP = [
    "http://example.com/api",
    "http://10.1.2.3:8080/api",
    "http://[2001:db8::1]/api",
    "http://192.168.0.7/api",
    "http://localhost.example.com/api",
]
LOOPBACK_HTTP = [
    "http://127.0.0.1:8321/api",
    "http://localhost:8321/api",
    "http://[::1]:8321/api",
    "http://127.5.6.7/api",
]


def run_cli(capsys, monkeypatch, tmp_path, *argv: str, env: dict[str, str] | None = None):
    monkeypatch.setenv("AXOM_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("AXOM_KEY", KEY)
    monkeypatch.delenv("AXOM_BASE_URL", raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    figure("transport: CLI invocations checked", 1)
    return code, out.out, out.err


@pytest.mark.parametrize("url", REMOTE_HTTP)
@pytest.mark.parametrize(
    "command",
    [["config", "show"], ["jobs"], ["download", "j1"], []],
    ids=["config-show", "jobs", "download", "dashboard"],
)
def test_plain_http_to_a_remote_host_is_refused(capsys, monkeypatch, tmp_path, url, command):
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, *command, "--base-url", url)
    assert code == 2, (code, out, err)
    assert "http://" in err and ("refusing" in err or "--insecure" in err), err
    assert leaks_in(out + err) == []


@pytest.mark.parametrize("url", REMOTE_HTTP[:2])
def test_refused_from_environment_and_config_file_too(capsys, monkeypatch, tmp_path, url):
    code, _, err = run_cli(
        capsys, monkeypatch, tmp_path, "config", "show", env={"AXOM_BASE_URL": url}
    )
    assert code == 2 and "refusing plain http://" in err and "AXOM_BASE_URL" in err
    config = tmp_path / "c.toml"
    config.write_text(f'theme = "axom-dark"\nbase_url = "{url}"\n')
    code, _, err = run_cli(capsys, monkeypatch, tmp_path, "config", "show", "--config", str(config))
    assert code == 2 and "refusing plain http://" in err and f"{config}:2" in err


@pytest.mark.parametrize("url", REMOTE_HTTP[:2])
def test_insecure_flag_allows_plain_http(capsys, monkeypatch, tmp_path, url):
    code, out, err = run_cli(
        capsys, monkeypatch, tmp_path, "--base-url", url, "--insecure", "config", "show"
    )
    assert code == 0, err
    assert f'base_url = "{url}"' in out and "insecure = true" in out


@pytest.mark.parametrize("url", LOOPBACK_HTTP)
def test_loopback_http_needs_no_flag(capsys, monkeypatch, tmp_path, url):
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, "--base-url", url, "config", "show")
    assert code == 0, err


def test_dashboard_subprocess_refuses_plain_http(tmp_path):
    out = subprocess.run(
        [PYTHON, "-m", "axom_tui", "--base-url", "http://example.com/api"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=child_env(AXOM_CONFIG=str(tmp_path / "none.toml")),
    )
    assert out.returncode == 2
    assert "refusing plain http:// to example.com" in out.stderr and "--insecure" in out.stderr
    assert out.stdout == ""  # no UI was started
    assert leaks_in(out.stderr) == []


# ---------------------------------------------------------------- TLS verification


def _pool_context(client: httpx.AsyncClient) -> ssl.SSLContext:
    return client._transport._pool._ssl_context  # type: ignore[attr-defined]


def _verifies(context: ssl.SSLContext) -> bool:
    return context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


async def test_tls_verification_is_on_everywhere(tmp_path):
    client = AxomClient("https://console.axomlabs.ai/api", KEY)
    assert _verifies(_pool_context(client._http))
    await client.aclose()
    # the dashboard's services, built the way launch.py builds them, even with --insecure
    args = argparse.Namespace(
        base_url="http://example.com/api",
        insecure=True,
        theme=None,
        ascii=None,
        mouse=None,
        log_cap=None,
        config=str(tmp_path / "x.toml"),
        profile=None,
    )
    settings = settings_from_args(args)
    assert settings.insecure is True
    services = build_services(settings.base_url, settings.key)
    assert _verifies(_pool_context(services.client._http))
    await services.aclose()
    assert _verifies(transfer.ssl_context())  # storage downloads


@pytest.fixture(scope="module")
def untrusted_https(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; records what it got."""
    assert shutil.which("openssl"), "openssl is needed to make a self-signed certificate"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    received: list[bytes] = []
    handshakes: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(2)
                    handshakes.append("ok")
                    received.append(tls.recv(65536))
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")
            except (ssl.SSLError, OSError) as exc:
                handshakes.append(type(exc).__name__)
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{sock.getsockname()[1]}", received, handshakes
    stop.set()
    thread.join(2)
    sock.close()


async def test_untrusted_certificate_gets_no_request_and_no_key(untrusted_https, tmp_path):
    origin, received, handshakes = untrusted_https
    async with AxomClient(origin + "/api", KEY, retries=0) as client:
        with pytest.raises(TransportError):
            await client.list_jobs()
    with pytest.raises(FatalFileError, match="not trusted"):
        await transfer.fetch(
            origin + "/storage/x?sig=abc", 0, 10, lambda b: None, lambda: None, lambda s: None, 5.0
        )
    await asyncio.sleep(0.3)
    assert received == [], "nothing was sent over an unverified connection"
    assert len(handshakes) >= 2 and "ok" not in handshakes
    figure("transport: untrusted TLS handshakes refused", len(handshakes))
