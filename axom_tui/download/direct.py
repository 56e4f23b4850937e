"""A lean HTTP/1.1 GET for big presigned downloads, run in a worker thread.

Streaming a multi-GB body through httpx/h11 on the event loop costs several times the
CPU of ``curl`` (every chunk is copied into and out of h11's buffer, then scheduled
through the loop). Here one blocking socket reads with ``recv_into`` into a single
reusable 1 MiB buffer that goes straight to the file: the same two copies curl makes.
h11 still parses the status line and headers. The request is built from scratch with
only ``Host``, ``User-Agent``, ``Accept-Encoding``, ``Range`` and ``Connection`` -- no
credential can be on it. Anything unusual (a redirect, chunked encoding, a proxy in
the environment) is handed back to the httpx path with :class:`UseHttpx`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

import h11
import httpx

from axom_tui import __version__
from axom_tui.download import files
from axom_tui.download.errors import CorruptError, FatalFileError, TransientError
from axom_tui.download.storage import body_start

BUFFER_BYTES = 1 << 20
CONNECT_TIMEOUT = 15.0


class UseHttpx(Exception):
    """This request needs the general client (redirect, chunked body, proxy...)."""


def usable(url: str) -> bool:
    """True when the URL can go direct: http(s) and no proxy configured for its host."""
    try:
        parsed = httpx.URL(url)
    except Exception:
        return False
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return False
    proxies = urllib.request.getproxies()
    if not (proxies.get(parsed.scheme) or proxies.get("all")):
        return True
    return bool(urllib.request.proxy_bypass(parsed.host))


_SSL: ssl.SSLContext | None = None


def ssl_context() -> ssl.SSLContext:
    """Certificate verification like httpx's default (certifi, or SSL_CERT_FILE/DIR)."""
    global _SSL
    if _SSL is None:
        cafile = os.environ.get("SSL_CERT_FILE")
        capath = os.environ.get("SSL_CERT_DIR")
        if not cafile and not capath:
            import certifi

            cafile = certifi.where()
        _SSL = ssl.create_default_context(cafile=cafile, capath=capath)
    return _SSL


def build_request(conn: h11.Connection, url: httpx.URL, offset: int) -> bytes:
    """The exact bytes sent: no credentials, only what a plain ranged GET needs."""
    headers = [("Host", url.netloc.decode("ascii")), ("User-Agent", f"axom-tui/{__version__}"),
               ("Accept-Encoding", "identity"), ("Connection", "close")]
    if offset:
        headers.append(("Range", f"bytes={offset}-"))
    data = conn.send(h11.Request(method="GET", target=url.raw_path, headers=headers)) or b""
    return data + (conn.send(h11.EndOfMessage()) or b"")


@dataclass
class DirectFetch:
    """One GET; :meth:`run` blocks (call it in a thread), :meth:`abort` unblocks it."""

    url: str
    offset: int
    size: int
    write: Callable[[memoryview], None]
    restart: Callable[[], None]
    started: Callable[[int], None]  # called from the worker thread
    stall_timeout: float
    buffer_bytes: int = BUFFER_BYTES
    _sock: socket.socket | None = None
    _aborted: threading.Event = field(default_factory=threading.Event)

    def abort(self) -> None:
        self._aborted.set()
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def run(self) -> None:
        url = httpx.URL(self.url)
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            sock = socket.create_connection((url.raw_host.decode("ascii"), port),
                                            timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise TransientError("storage timed out (connect)") from None
        except OSError:
            raise TransientError("cannot connect to storage") from None
        try:
            if url.scheme == "https":
                sock = self._wrap_tls(sock, url.host)
            self._sock = sock
            if self._aborted.is_set():
                raise TransientError("aborted")
            sock.settimeout(self.stall_timeout)
            self._exchange(sock, url)
        finally:
            self._sock = None
            sock.close()

    @staticmethod
    def _wrap_tls(sock: socket.socket, host: str) -> socket.socket:
        try:
            return ssl_context().wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError:
            sock.close()
            raise FatalFileError("storage's TLS certificate is not trusted") from None
        except (OSError, ssl.SSLError):
            sock.close()
            raise TransientError("TLS handshake with storage failed") from None

    def _exchange(self, sock: socket.socket, url: httpx.URL) -> None:
        buf = memoryview(bytearray(self.buffer_bytes))
        conn = h11.Connection(h11.CLIENT)
        try:
            sock.sendall(build_request(conn, url, self.offset))
            response = self._read_head(sock, conn, buf)
        except h11.ProtocolError:
            raise TransientError("storage sent a malformed answer") from None
        except TimeoutError:
            raise TransientError("storage stalled: no data (ReadTimeout)") from None
        except OSError:
            raise TransientError("connection to storage was cut") from None
        headers = httpx.Headers([(k, v) for k, v in response.headers])
        chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
        if 300 <= response.status_code < 400 or chunked:
            raise UseHttpx()
        start = body_start(response.status_code, headers, self.offset, self.size)
        length = headers.get("Content-Length")
        remaining = int(length) if length is not None and length.strip().isdigit() else None
        room = self.size - start
        if remaining is not None and remaining > room:
            raise CorruptError("storage would send more bytes than the manifest's size")
        if start == 0 and self.offset:
            self.restart()
        self.started(start)
        self._body(sock, conn, buf, remaining, room)

    @staticmethod
    def _read_head(sock: socket.socket, conn: h11.Connection, buf: memoryview) -> h11.Response:
        while True:  # h11 bounds the head's size (RemoteProtocolError beyond 16 KiB)
            event = conn.next_event()
            if event is h11.NEED_DATA:
                n = sock.recv_into(buf)
                conn.receive_data(bytes(buf[:n]))
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                return event
            raise TransientError("storage closed the connection before answering")

    def _body(self, sock: socket.socket, conn: h11.Connection, buf: memoryview,
              remaining: int | None, room: int) -> None:
        # Body bytes that came in with the head are still inside h11: drain them first.
        try:
            while True:
                event = conn.next_event()
                if isinstance(event, h11.Data):
                    room = self._sink(memoryview(event.data), room)
                    if remaining is not None:
                        remaining -= len(event.data)
                    continue
                if isinstance(event, h11.EndOfMessage):
                    return
                break  # NEED_DATA: the rest comes straight from the socket
        except h11.ProtocolError:
            raise TransientError("storage sent a malformed answer") from None
        while remaining is None or remaining > 0:
            if self._aborted.is_set():
                raise TransientError("aborted")
            want = len(buf) if remaining is None else min(len(buf), remaining)
            try:
                n = sock.recv_into(buf, want)
            except TimeoutError:
                raise TransientError("storage stalled: no data (ReadTimeout)") from None
            except OSError:
                raise TransientError("connection to storage was cut") from None
            if n == 0:
                if remaining is None:
                    return  # the body ends with the connection
                raise TransientError("connection to storage was cut")
            room = self._sink(buf[:n], room)
            if remaining is not None:
                remaining -= n

    def _sink(self, chunk: memoryview, room: int) -> int:
        room -= len(chunk)
        if room < 0:
            raise CorruptError("storage sent more bytes than the manifest's size")
        try:
            self.write(chunk)
        except OSError as exc:
            raise files.wrap_os_error(exc) from None
        return room


async def fetch_direct(url: str, offset: int, size: int, write: Callable[[memoryview], None],
                       restart: Callable[[], None], started: Callable[[int], None],
                       stall_timeout: float, buffer_bytes: int = BUFFER_BYTES) -> None:
    """Run a :class:`DirectFetch` in a thread; ``started`` is called back on the loop."""
    loop = asyncio.get_running_loop()

    def started_on_loop(start: int) -> None:
        loop.call_soon_threadsafe(started, start)

    job = DirectFetch(url, offset, size, write, restart, started_on_loop, stall_timeout,
                      max(64 * 1024, min(buffer_bytes, 16 << 20)))
    future = loop.run_in_executor(None, job.run)
    try:
        await asyncio.shield(future)
    except asyncio.CancelledError:
        job.abort()  # the thread must be done with the file before anyone closes it
        await asyncio.wait({future})
        if not future.cancelled():
            future.exception()  # retrieved: it is only the abort
        raise
