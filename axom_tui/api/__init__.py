"""The Fusion API client: typed records, typed errors, no UI.

Names load on first use: the client pulls in httpx, which the dashboard does not need
before its first frame.
"""

from axom_tui._lazy import lazy_exports

_EXPORTS = {
    "DEFAULT_BASE_URL": "defaults", "AxomClient": "client", "ApiKey": "secret", "mask_key": "secret",
    **{name: "errors" for name in (
        "AxomError", "AuthError", "BadPayloadError", "ClientError", "ForbiddenError",
        "NotFoundError", "RateLimitedError", "ServerError", "TransportError")},
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
