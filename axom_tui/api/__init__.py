"""The Fusion API client: typed records, typed errors, no UI."""

from axom_tui.api.client import DEFAULT_BASE_URL, AxomClient
from axom_tui.api.errors import (
    AuthError, AxomError, BadPayloadError, ClientError, ForbiddenError, NotFoundError,
    RateLimitedError, ServerError, TransportError,
)
from axom_tui.api.secret import ApiKey, mask_key

__all__ = [
    "DEFAULT_BASE_URL", "AxomClient", "ApiKey", "mask_key", "AxomError", "AuthError",
    "BadPayloadError", "ClientError", "ForbiddenError", "NotFoundError", "RateLimitedError",
    "ServerError", "TransportError",
]
