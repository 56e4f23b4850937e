"""Fetching presigned storage URLs: a separate HTTP client with no credentials at all.

The storage client never carries the API key: it has no ``auth``, no default
``Authorization`` header, and a request hook drops any such header should one ever be
added. Messages name HTTP statuses and failure kinds, never the URL (it is a bearer
credential of its own).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import httpcore

from axom_tui import __version__
from axom_tui.api.client import parse_retry_after
from axom_tui.api.http import redact_signed_urls_in_logs
from axom_tui.download.errors import (
    CorruptError, FatalFileError, RestartError, TransientError, UrlExpiredError,
)

DEFAULT_STALL_TIMEOUT = 30.0
SOCKET_READ_BYTES = 1 << 20
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_SENSITIVE = ("authorization", "proxy-authorization", "cookie")


def _raise_socket_read_size(read_bytes: int) -> None:
    # httpcore reads at most READ_NUM_BYTES (64 KiB) per socket read; the event loop hands
    # over up to 256 KiB at a time, so a larger value means fewer, bigger chunks and less
    # per-chunk Python work on multi-GB transfers. It only ever raises the bound.
    conn = httpcore.AsyncHTTP11Connection
    if getattr(conn, "READ_NUM_BYTES", 0) < read_bytes:
        conn.READ_NUM_BYTES = read_bytes


async def _strip_credentials(request: httpx.Request) -> None:
    for name in _SENSITIVE:
        request.headers.pop(name, None)


def make_storage_client(*, transport: httpx.AsyncBaseTransport | None = None,
                        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
                        max_connections: int = 32,
                        read_bytes: int = SOCKET_READ_BYTES) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for presigned URLs only: no auth, no credentials ever."""
    redact_signed_urls_in_logs()  # the URL's query is a credential; httpx logs it at INFO
    _raise_socket_read_size(min(read_bytes, 16 << 20))
    return httpx.AsyncClient(
        transport=transport,
        auth=None,
        headers={"User-Agent": f"axom-tui/{__version__}", "Accept-Encoding": "identity"},
        timeout=httpx.Timeout(connect=15.0, read=stall_timeout, write=15.0, pool=None),
        follow_redirects=True,
        max_redirects=5,
        limits=httpx.Limits(max_connections=max_connections,
                            max_keepalive_connections=max_connections),
        event_hooks={"request": [_strip_credentials]},
    )


def check_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except Exception:  # httpx raises several types for garbage
        raise FatalFileError("the manifest's URL for this file is malformed") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FatalFileError("the manifest's URL for this file is not http(s)")


def status_error(status: int, headers: httpx.Headers) -> Exception:
    """The attempt error for a non-2xx storage answer."""
    if status in (401, 403):
        return UrlExpiredError(f"storage refused the link (HTTP {status}; expired?)")
    if status == 416:
        return RestartError("storage could not serve the resume range (HTTP 416)")
    if status in (408, 425, 429) or status >= 500:
        delay = parse_retry_after(headers.get("Retry-After"), default=0.0) \
            if "Retry-After" in headers else None
        return TransientError(f"storage answered HTTP {status}", retry_after=delay)
    if status in (404, 410):
        return FatalFileError(f"storage has no such file (HTTP {status})")
    return FatalFileError(f"storage answered HTTP {status}")


def body_start(status: int, headers: httpx.Headers, offset: int, size: int) -> int:
    """Where the body starts in the file; raise when the answer cannot be used."""
    if status == 200:
        length = headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) != size:
            raise FatalFileError(f"storage has {int(length)} bytes, the manifest says {size}")
        return 0
    if status == 206:
        match = _CONTENT_RANGE.match(headers.get("Content-Range", ""))
        if not match:
            raise RestartError("storage sent a partial answer without a usable Content-Range")
        start, end, total = int(match[1]), int(match[2]), match[3]
        if total != "*" and int(total) != size:
            raise FatalFileError(f"storage has {total} bytes, the manifest says {size}")
        if start != offset or end < start or end >= size:
            raise RestartError(f"storage resumed at byte {start}, not {offset}")
        length = headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > size - start:
            raise CorruptError("storage would send more bytes than the manifest's size")
        return start
    if 200 <= status < 300:
        raise FatalFileError(f"storage answered HTTP {status}")
    raise status_error(status, headers)


async def fetch_into(client: httpx.AsyncClient, url: str, offset: int, size: int,
                     write: Callable[[bytes], None], restart: Callable[[], None],
                     started: Callable[[int], None]) -> None:
    """One GET of ``url`` from ``offset``; every body chunk goes to ``write``.

    ``restart()`` is called when the storage ignored the Range and sent the whole file
    (status 200): the caller truncates and the same body is written from byte 0.
    ``started(start)`` is called once the answer is accepted. Returns when the body
    ended; raises an :class:`~axom_tui.download.errors.AttemptError` otherwise. The
    caller compares the bytes on disk with ``size`` afterwards (a body may end early).
    """
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        async with client.stream("GET", url, headers=headers) as response:
            start = body_start(response.status_code, response.headers, offset, size)
            if start == 0 and offset:
                restart()
            started(start)
            room = size - start
            async for chunk in response.aiter_raw():
                room -= len(chunk)
                if room < 0:
                    raise CorruptError("storage sent more bytes than the manifest's size")
                write(chunk)
    except httpx.TimeoutException as exc:
        kind = "stalled: no data" if isinstance(exc, httpx.ReadTimeout) else "timed out"
        raise TransientError(f"storage {kind} ({type(exc).__name__})") from None
    except httpx.TooManyRedirects:
        raise FatalFileError("storage redirected too many times") from None
    except httpx.UnsupportedProtocol:
        raise FatalFileError("storage redirected to an unsupported URL") from None
    except (httpx.TransportError, httpx.StreamError) as exc:
        raise TransientError(_transport_reason(exc)) from None


def _transport_reason(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect to storage"
    if isinstance(exc, (httpx.ReadError, httpx.RemoteProtocolError)):
        return "connection to storage was cut"
    return f"network error ({type(exc).__name__})"
