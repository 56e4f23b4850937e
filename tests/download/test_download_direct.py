"""direct.py: the lean transfer path builds a credential-free request and knows its limits."""

from __future__ import annotations

import socket
import threading

import h11
import httpx
import pytest

from axom_tui.download import direct
from axom_tui.download.errors import CorruptError, TransientError


def test_request_carries_no_credentials_and_keeps_the_signature_verbatim() -> None:
    url = httpx.URL("https://bucket.example.com:8443/m/model%2000001.bin"
                    "?X-Amz-Signature=ab%2Fcd&e=1")
    data = direct.build_request(h11.Connection(h11.CLIENT), url, 1234)
    head = data.decode("ascii")
    assert head.startswith("GET /m/model%2000001.bin?X-Amz-Signature=ab%2Fcd&e=1 HTTP/1.1\r\n")
    names = {line.split(":")[0].lower() for line in head.split("\r\n")[1:] if line}
    assert names == {"host", "user-agent", "accept-encoding", "connection", "range"}
    assert "host: bucket.example.com:8443" in head.lower()
    assert "range: bytes=1234-" in head.lower()
    assert "range" not in direct.build_request(h11.Connection(h11.CLIENT), url, 0).decode().lower()


def test_usable_only_for_http_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                 "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert direct.usable("https://s3.example.com/x?sig=1")
    assert direct.usable("http://127.0.0.1:9000/x")
    assert not direct.usable("ftp://s3.example.com/x")
    assert not direct.usable("not a url at all")
    monkeypatch.setenv("https_proxy", "http://proxy.corp:3128")
    monkeypatch.setenv("no_proxy", "internal.example.com")
    assert not direct.usable("https://s3.example.com/x")  # httpx handles the proxy
    assert direct.usable("https://internal.example.com/x")


class CannedServer:
    """A raw TCP server answering every connection with fixed bytes, then closing."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                self.requests.append(data)
                try:
                    conn.sendall(self.answer)
                except (ConnectionResetError, BrokenPipeError):
                    pass  # the client hung up on an answer it refused: what some tests expect

    def close(self) -> None:
        self.sock.close()


def fetch(answer: bytes, offset: int = 0, size: int = 10) -> tuple[bytes, CannedServer]:
    server = CannedServer(answer)
    got = bytearray()
    job = direct.DirectFetch(f"http://127.0.0.1:{server.port}/o?sig=s", offset, size,
                             got.extend, got.clear, lambda start: None, stall_timeout=2.0)
    try:
        job.run()
    finally:
        server.close()
    return bytes(got), server


def test_close_delimited_body_is_read_to_the_end() -> None:
    got, server = fetch(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789")
    assert got == b"0123456789"
    assert b"authorization" not in server.requests[0].lower()


def test_close_delimited_body_beyond_the_manifest_size_is_refused() -> None:
    with pytest.raises(CorruptError, match="more bytes"):
        fetch(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789" + b"X" * 3_000_000)


def test_partial_answer_longer_than_the_rest_of_the_file_is_refused() -> None:
    answer = (b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-9/10\r\n"
              b"Content-Length: 600\r\n\r\n" + b"x" * 600)
    with pytest.raises(CorruptError):
        fetch(answer, offset=4)


def test_cut_body_is_transient() -> None:
    with pytest.raises(TransientError, match="cut"):
        fetch(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n",
])
def test_unusual_answers_go_back_to_httpx(answer: bytes) -> None:
    with pytest.raises(direct.UseHttpx):
        fetch(answer)


def test_garbage_answer_is_transient() -> None:
    with pytest.raises(TransientError):
        fetch(b"\x00\x01garbage that is not http\r\n\r\n")
