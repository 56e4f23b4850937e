"""Typed errors raised by the API client.

Every message names the endpoint; none ever contains the API key (the key never
reaches this module) or a presigned URL's signature.
"""

from __future__ import annotations


class AxomError(Exception):
    """Base class: one failed request, described for a human."""

    #: True when retrying the same request later may succeed.
    transient = False

    def __init__(self, endpoint: str, message: str) -> None:
        self.endpoint = endpoint
        self.message = message
        super().__init__(f"{endpoint}: {message}")


class AuthError(AxomError):
    """401: the key is missing or invalid."""


class ForbiddenError(AxomError):
    """403: the key lacks the scope this request needs."""


class NotFoundError(AxomError):
    """404: unknown id."""


class ClientError(AxomError):
    """Any other 4xx (400, 409, 422…): the request itself is wrong."""

    def __init__(self, endpoint: str, status: int, message: str) -> None:
        self.status = status
        super().__init__(endpoint, f"HTTP {status}: {message}")


class RateLimitedError(AxomError):
    """429: slow down; ``retry_after`` is the server's delay in seconds."""

    transient = True

    def __init__(self, endpoint: str, retry_after: float, message: str = "rate limited") -> None:
        self.retry_after = retry_after
        super().__init__(endpoint, f"{message} (retry after {retry_after:g} s)")


class ServerError(AxomError):
    """5xx: the service failed."""

    transient = True

    def __init__(self, endpoint: str, status: int, message: str) -> None:
        self.status = status
        super().__init__(endpoint, f"HTTP {status}: {message}")


class TransportError(AxomError):
    """Connect/read/write failure, timeout or reset: no usable response."""

    transient = True


class DeadlineError(TransportError):
    """No complete answer within the request's total deadline (a stalled or dripping
    body). Transient, but not retried inside one call: it already waited that long."""

    def __init__(self, endpoint: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(endpoint, f"no complete answer within {seconds:g} s")


class BadPayloadError(AxomError):
    """The response was not the JSON the contract describes."""

    def __init__(self, endpoint: str, reason: str, field: str | None = None) -> None:
        self.field = field
        where = f" (field {field!r})" if field else ""
        super().__init__(endpoint, f"bad payload{where}: {reason}")


class BodyTooLargeError(BadPayloadError):
    """The answer was bigger than the client reads (``size`` bytes seen, or declared)."""

    def __init__(self, endpoint: str, size: int, cap: int) -> None:
        self.size = size
        self.cap = cap
        super().__init__(
            endpoint, f"body over the {_mib(cap)} cap (stopped reading at {_mib(size)})"
        )


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"
