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


class BadPayloadError(AxomError):
    """The response was not the JSON the contract describes."""

    def __init__(self, endpoint: str, reason: str, field: str | None = None) -> None:
        self.field = field
        where = f" (field {field!r})" if field else ""
        super().__init__(endpoint, f"bad payload{where}: {reason}")
