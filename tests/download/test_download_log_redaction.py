"""A presigned URL's query is a credential: nothing the storage transport does may write
it to a log or to the terminal, whatever logging level a process has switched on."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from axom_tui.download import transfer


class _Quiet(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Length", "1")
        self.end_headers()
        self.wfile.write(b"x")

    def log_message(self, *args: object) -> None:  # the server's log is not ours
        pass


def test_storage_requests_never_log_the_signature(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/m/model.bin?expires=9&sig=SECRETSIGNATURE123"
    got = bytearray()
    try:
        with caplog.at_level(logging.DEBUG):
            transfer.Fetch(url, 0, 1, got.extend, got.clear, lambda s: None, 5.0).run()
    finally:
        server.shutdown()
        server.server_close()
    out, err = capfd.readouterr()
    assert got == b"x"
    assert "SECRETSIGNATURE123" not in caplog.text + out + err
