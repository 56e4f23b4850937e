"""transfer.py: the one storage transport (http.client in a worker thread) builds a
credential-free request, reads every kind of body, follows redirects and proxies, and
relies on two http.client internals that a change of Python must not break silently."""

from __future__ import annotations

import http.client
import io
import socket
import threading

import pytest

from axom_tui.download import transfer
from axom_tui.download.errors import CorruptError, FatalFileError, TransientError

PROXY_VARS = (
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


class CannedServer:
    """A raw TCP server answering every connection with fixed bytes (one per request in
    turn, the last repeated), then closing; ``hold`` keeps the connection open instead."""

    def __init__(self, *answers: bytes, hold: bool = False) -> None:
        self.answers = list(answers)
        self.hold = hold
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.release = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    piece = conn.recv(65536)
                    if not piece:
                        break
                    data += piece
                self.requests.append(data)
                answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
                try:
                    conn.sendall(answer)
                    if self.hold:
                        self.release.wait(10)
                except (ConnectionResetError, BrokenPipeError):
                    pass  # the client hung up on an answer it refused: what some tests expect

    def close(self) -> None:
        self.release.set()
        self.sock.close()


def fetch(url: str, offset: int = 0, size: int = 10) -> bytes:
    got = bytearray()
    job = transfer.Fetch(
        url, offset, size, got.extend, got.clear, lambda start: None, stall_timeout=2.0
    )
    job.run()
    return bytes(got)


def serve(*answers: bytes) -> CannedServer:
    return CannedServer(*answers)


def head_names(request: bytes) -> set[str]:
    return {line.split(b":")[0].decode().lower() for line in request.split(b"\r\n")[1:] if line}


def test_request_carries_no_credentials_and_keeps_the_signature_verbatim() -> None:
    server = serve(
        b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-9/10\r\n"
        b"Content-Length: 6\r\n\r\n456789"
    )
    whole = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")
    try:
        got = fetch(f"{server.origin}/m/model%2000001.bin?X-Amz-Signature=ab%2Fcd&e=1", offset=4)
        assert fetch(f"{whole.origin}/m/x.bin?sig=1", offset=0) == b"0123456789"
    finally:
        server.close()
        whole.close()
    assert got == b"456789"
    first, second = server.requests[0], whole.requests[0]
    assert first.startswith(b"GET /m/model%2000001.bin?X-Amz-Signature=ab%2Fcd&e=1 HTTP/1.1\r\n")
    assert head_names(first) == {"host", "user-agent", "accept-encoding", "connection", "range"}
    assert f"host: 127.0.0.1:{server.port}".encode() in first.lower()
    assert b"range: bytes=4-\r\n" in first.lower()
    assert b"accept-encoding: identity\r\n" in first.lower()
    assert head_names(second) == {"host", "user-agent", "accept-encoding", "connection"}


def fetched(answer: bytes, path: str = "/o", offset: int = 0) -> bytes:
    """What fetch reads from a server that gives ``answer``."""
    server = serve(answer)
    try:
        return fetch(server.origin + path, offset=offset)
    finally:
        server.close()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789", id="close-delimited"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
            id="chunked",
        ),
    ],
)
def test_body_is_read_to_the_end(answer: bytes) -> None:
    assert fetched(answer, "/o?sig=s") == b"0123456789"


@pytest.mark.parametrize(
    ("answer", "offset", "error", "match"),
    [
        pytest.param(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789" + b"X" * 3_000_000,
            0,
            CorruptError,
            "more bytes",
            id="close-delimited-beyond-the-manifest-size",
        ),
        pytest.param(
            b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-9/10\r\n"
            b"Content-Length: 600\r\n\r\n" + b"x" * 600,
            4,
            CorruptError,
            None,
            id="partial-answer-longer-than-the-rest-of-the-file",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234",
            0,
            TransientError,
            "cut",
            id="cut-body",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n012",
            0,
            TransientError,
            "cut",
            id="cut-chunked-body",
        ),
        pytest.param(
            b"\x00\x01garbage that is not http\r\n\r\n", 0, TransientError, None, id="garbage"
        ),
        pytest.param(b"", 0, TransientError, None, id="no-answer"),
    ],
)
def test_a_body_that_is_wrong_is_refused_and_a_cut_one_is_transient(
    answer: bytes, offset: int, error: type[Exception], match: str | None
) -> None:
    with pytest.raises(error, match=match):
        fetched(answer, offset=offset)


def test_redirect_is_followed_with_the_same_range_and_no_credentials() -> None:
    target = serve(
        b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 3-9/10\r\n"
        b"Content-Length: 7\r\n\r\n3456789"
    )
    first = serve(
        f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {target.origin}/real?sig=2\r\n"
        "Content-Length: 0\r\n\r\n".encode()
    )
    try:
        assert fetch(first.origin + "/o?sig=1", offset=3) == b"3456789"
    finally:
        first.close()
        target.close()
    assert target.requests[0].startswith(b"GET /real?sig=2 HTTP/1.1\r\n")
    assert b"range: bytes=3-\r\n" in target.requests[0].lower()
    assert head_names(target.requests[0]) == {
        "host",
        "user-agent",
        "accept-encoding",
        "connection",
        "range",
    }


def test_relative_redirect_loop_and_bad_schemes_end_in_clear_errors() -> None:
    loop = serve(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
    ftp = serve(b"HTTP/1.1 301 Moved\r\nLocation: ftp://example.com/x\r\nContent-Length: 0\r\n\r\n")
    try:
        with pytest.raises(FatalFileError, match="too many"):
            fetch(loop.origin + "/o")
        assert len(loop.requests) == transfer.MAX_REDIRECTS + 1
        assert loop.requests[-1].startswith(b"GET /again ")
        with pytest.raises(FatalFileError, match="unsupported"):
            fetch(ftp.origin + "/o")
    finally:
        loop.close()
        ftp.close()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http:///nohost", "http://h:99999/x"])
def test_unusable_urls_are_fatal(url: str) -> None:
    with pytest.raises(FatalFileError):
        fetch(url)


def test_plain_http_goes_through_the_environments_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")
    monkeypatch.setenv("http_proxy", f"http://user:pw@127.0.0.1:{proxy.port}")
    try:
        assert fetch("http://storage.example.com:9000/o?sig=1") == b"0123456789"
    finally:
        proxy.close()
    request = proxy.requests[0]
    assert request.startswith(b"GET http://storage.example.com:9000/o?sig=1 HTTP/1.1\r\n")
    assert b"host: storage.example.com:9000\r\n" in request.lower()
    assert b"proxy-authorization: basic dxnlcjpwdw==\r\n" in request.lower()  # user:pw
    assert "authorization" not in head_names(request)


def test_https_tunnels_through_the_proxy_and_no_proxy_is_honoured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = serve(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
    direct = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")
    monkeypatch.setenv("https_proxy", f"127.0.0.1:{proxy.port}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    try:
        with pytest.raises(TransientError):
            fetch("https://bucket.example.com/o?sig=1")
        assert fetch(direct.origin + "/o") == b"0123456789"  # 127.0.0.1 bypasses the proxy
    finally:
        proxy.close()
        direct.close()
    assert proxy.requests == [b"CONNECT bucket.example.com:443 HTTP/1.0\r\n\r\n"]
    assert len(direct.requests) == 1


def test_abort_unblocks_a_stalled_body_from_another_thread() -> None:
    server = CannedServer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234", hold=True)
    job = transfer.Fetch(
        server.origin + "/o",
        0,
        10,
        lambda b: None,
        lambda: None,
        lambda start: None,
        stall_timeout=60.0,
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            job.run()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    while not server.requests:
        thread.join(0.01)
    job.abort()
    thread.join(10)
    server.close()
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], TransientError)


class _FakeSocket:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))  # type: ignore[arg-type]


def test_guard_http_client_internals_the_body_reader_relies_on() -> None:
    """body_reader reads ``HTTPResponse.fp`` (a buffered reader with ``readinto1``) and
    keeps ``HTTPResponse.length`` (bytes left) up to date, as ``HTTPResponse.readinto``
    does. If a Python release renames or changes either, this fails first."""
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789TRAILING"
    response = http.client.HTTPResponse(_FakeSocket(raw))  # type: ignore[arg-type]
    response.begin()
    assert response.length == 10 and not response.chunked
    assert hasattr(response.fp, "readinto1")
    read = transfer.body_reader(response)
    buf = memoryview(bytearray(4))
    got = bytearray()
    while n := read(buf):
        got += buf[:n]
    assert bytes(got) == b"0123456789"  # never past Content-Length
    assert response.length == 0
    # Chunked and close-delimited bodies use the public readinto.
    chunked = http.client.HTTPResponse(
        _FakeSocket(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    )  # type: ignore[arg-type]
    chunked.begin()
    assert transfer.body_reader(chunked) == chunked.readinto
