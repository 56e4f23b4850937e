"""The client's HTTP layer: one ``httpx.AsyncClient`` set up so the key reaches only the
API's origin. Imported when the first request is made, not when the client is built
(httpx costs a quarter of a second to import, before the dashboard's first frame).

Bodies are streamed and read only up to a cap (``MAX_BODY``): a 50 MB job list every
4 s once grew the process to 1.6 GB. The total deadline of a request is the client's
(:mod:`axom_tui.api.client`): httpx's read timeout restarts on every byte, so a body
that drips a byte a second never times out on its own."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from axom_tui import __version__
from axom_tui.api.errors import BadPayloadError, BodyTooLargeError, TransportError
from axom_tui.api.secret import ApiKey

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=10.0, pool=10.0)
#: The largest answer read (decoded bytes). The biggest legitimate one is a logs page of
#: 1,000 long lines; a job page of 200 runs is ~200 KB.
MAX_BODY = 16 * 1024 * 1024
#: Seconds an idle connection is kept for the next request. httpx's 5 s closed it between
#: the rounds of a feed asked every 20 s (a background run's metrics): a new connection
#: each time, ~6 a minute at idle. A server that closes first is noticed before reuse.
KEEPALIVE = 25.0

Origin = tuple[str, str, int | None]


def origin_of(url: httpx.URL) -> Origin:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, port)


_SECRET_PARAM = re.compile(
    r"([?&][^=&#]*(?:sig|signature|token|credential|key)[^=&#]*=)[^&#]*", re.IGNORECASE
)


def redact_url(url: object) -> str:
    """A URL for logs: values of signature/token/credential query parameters replaced."""
    return _SECRET_PARAM.sub(r"\1REDACTED", str(url))


class _RedactSignedUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; a presigned URL's query is a credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


_REDACTION = _RedactSignedUrls()


def redact_signed_urls_in_logs() -> None:
    """Have httpx's request log mask presigned URLs' signatures (idempotent). Done on
    import, and again by every client that fetches such URLs, whatever was loaded first."""
    logger = logging.getLogger("httpx")
    if _REDACTION not in logger.filters:
        logger.addFilter(_REDACTION)


redact_signed_urls_in_logs()


class _BearerAuth(httpx.Auth):
    def __init__(self, key: ApiKey, origin: Origin) -> None:
        self._key = key
        self._origin = origin

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        if self._key and origin_of(request.url) == self._origin:
            request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request


def api_http_client(
    base_url: str,
    key: ApiKey,
    *,
    transport: httpx.AsyncBaseTransport | None,
    timeout: httpx.Timeout | None,
    verify: bool,
) -> httpx.AsyncClient:
    """An AsyncClient that sends ``key`` to ``base_url``'s origin and nowhere else."""
    origin = origin_of(httpx.URL(base_url))

    async def strip_foreign_auth(request: httpx.Request) -> None:
        # Redirects are followed without re-running auth: make sure a hop to any other
        # origin never carries the key.
        if origin_of(request.url) != origin:
            request.headers.pop("Authorization", None)

    hooks: dict[str, list[Callable[[httpx.Request], Awaitable[None]]]] = {
        "request": [strip_foreign_auth]
    }
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout or DEFAULT_TIMEOUT,
        follow_redirects=True,
        verify=verify,
        auth=_BearerAuth(key, origin),
        headers={"User-Agent": f"axom-tui/{__version__}", "Accept": "application/json"},
        limits=httpx.Limits(
            max_connections=16, max_keepalive_connections=8, keepalive_expiry=KEEPALIVE
        ),
        event_hooks=hooks,
    )


def _where(url: str) -> str:
    """The server a request went to (scheme, host, port), for messages: never a query."""
    try:
        parsed = httpx.URL(url)
    except (TypeError, ValueError):  # pragma: no cover - urls are built by the client
        return "the server"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


def _transport_reason(exc: Exception, url: str = "") -> str:
    if isinstance(exc, httpx.ConnectError):  # the user's first question: which server?
        return f"cannot connect to {_where(url)}" if url else "cannot connect"
    kinds = {
        httpx.ReadError: "connection dropped while reading",
        httpx.WriteError: "connection dropped while sending",
        httpx.RemoteProtocolError: "server closed the connection",
        httpx.ProxyError: "proxy error",
        httpx.TooManyRedirects: "too many redirects",
    }
    for cls, text in kinds.items():
        if isinstance(exc, cls):
            return text
    return f"network error ({type(exc).__name__})"


async def fetch(
    client: httpx.AsyncClient,
    endpoint: str,
    url: str,
    params: dict[str, Any],
    max_body: int = MAX_BODY,
) -> tuple[int, httpx.Headers, bytes]:
    """GET ``url``: (status, headers, body), with httpx's failures as our typed errors.

    The body is read as it arrives and dropped at ``max_body`` bytes (then the
    connection is closed, not drained): :class:`BodyTooLargeError`."""
    try:
        async with client.stream("GET", url, params=params) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_body:
                raise BodyTooLargeError(endpoint, int(declared), max_body)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_body:
                    raise BodyTooLargeError(endpoint, size, max_body)
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise TransportError(
            endpoint, f"timed out ({type(exc).__name__}) at {_where(url)}"
        ) from None
    except httpx.DecodingError:  # e.g. "Content-Encoding: gzip" on a body that is not
        raise BadPayloadError(endpoint, "body could not be decoded (Content-Encoding)") from None
    except (httpx.RequestError, httpx.StreamError) as exc:  # incl. TooManyRedirects
        raise TransportError(endpoint, _transport_reason(exc, url)) from None
