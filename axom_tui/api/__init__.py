"""The Fusion API client: typed records, typed errors, no UI.

Names load on first use: the client pulls in httpx, which the dashboard does not need
before its first frame.
"""

from typing import TYPE_CHECKING

from axom_tui.base.lazy import lazy_exports

_EXPORTS = {
    "DEFAULT_BASE_URL": "defaults",
    "AxomClient": "client",
    "ApiKey": "secret",
    "mask_key": "secret",
    **{
        name: "errors"
        for name in (
            "AxomError",
            "AuthError",
            "BadPayloadError",
            "ClientError",
            "ForbiddenError",
            "NotFoundError",
            "RateLimitedError",
            "ServerError",
            "TransportError",
        )
    },
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # what the type checker sees of the names loaded on first use
    from axom_tui.api.client import AxomClient as AxomClient
    from axom_tui.api.defaults import DEFAULT_BASE_URL as DEFAULT_BASE_URL
    from axom_tui.api.errors import (
        AuthError as AuthError,
        AxomError as AxomError,
        BadPayloadError as BadPayloadError,
        ClientError as ClientError,
        ForbiddenError as ForbiddenError,
        NotFoundError as NotFoundError,
        RateLimitedError as RateLimitedError,
        ServerError as ServerError,
        TransportError as TransportError,
    )
    from axom_tui.api.secret import ApiKey as ApiKey, mask_key as mask_key
