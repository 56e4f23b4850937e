"""What a storage answer means for one file: its status and range headers, checked.

Messages name HTTP statuses and failure kinds, never the URL (a presigned URL is a
bearer credential of its own). The request itself is made by :mod:`.transfer`.
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import SplitResult, urlsplit

from axom_tui.api.client import parse_retry_after
from axom_tui.download.errors import (
    CorruptError,
    FatalFileError,
    RestartError,
    TransientError,
    UrlExpiredError,
)

DEFAULT_STALL_TIMEOUT = 30.0
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


class Headers(Protocol):
    """A case-insensitive header lookup (``http.client.HTTPMessage`` is one)."""

    def get(self, name: str, /) -> str | None: ...

    def __contains__(self, name: str, /) -> bool: ...


def check_url(url: str) -> SplitResult:
    """``url`` split, or :class:`FatalFileError` when it is not a usable http(s) URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise FatalFileError("the manifest's URL for this file is malformed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FatalFileError("the manifest's URL for this file is not http(s)")
    return parts


def status_error(status: int, headers: Headers) -> Exception:
    """The attempt error for a non-2xx storage answer."""
    if status in (401, 403):
        return UrlExpiredError(f"storage refused the link (HTTP {status}; expired?)")
    if status == 416:
        return RestartError("storage could not serve the resume range (HTTP 416)")
    if status in (408, 425, 429) or status >= 500:
        delay = (
            parse_retry_after(headers.get("Retry-After"), default=0.0)
            if "Retry-After" in headers
            else None
        )
        return TransientError(f"storage answered HTTP {status}", retry_after=delay)
    if status in (404, 410):
        return FatalFileError(f"storage has no such file (HTTP {status})")
    return FatalFileError(f"storage answered HTTP {status}")


def body_start(status: int, headers: Headers, offset: int, size: int) -> int:
    """Where the body starts in the file; raise when the answer cannot be used."""
    if status == 200:
        length = headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) != size:
            raise FatalFileError(f"storage has {int(length)} bytes, the manifest says {size}")
        return 0
    if status == 206:
        match = _CONTENT_RANGE.match(headers.get("Content-Range") or "")
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
