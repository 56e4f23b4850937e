"""Helpers for the API client tests: a recording router behind httpx.MockTransport and a fake
``sleep`` that records backoff delays instead of waiting. The contract's example payloads
are in tests/contract_examples.py.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

KEY = "axom_live_9f8e7d6c5b4a3f2e1d0cABCD"


class FakeSleep:
    """Stands in for ``asyncio.sleep``: records every delay, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Router:
    """A MockTransport handler: routes by URL path (below ``/api``) and records requests.

    A route value is either an ``httpx.Response``, a callable ``(request) -> Response``,
    or a list of those served in turn (the last one repeats).
    """

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.requests: list[httpx.Request] = []

    def add(self, path: str, *responses: Any) -> Router:
        self.routes[path] = list(responses)
        return self

    def json(self, path: str, body: Any, status: int = 200, **headers: str) -> Router:
        return self.add(path, json_response(body, status, headers))

    def calls(self, path: str) -> int:
        return sum(1 for r in self.requests if _api_path(r) == path)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = _api_path(request)
        if path not in self.routes:
            return json_response({"detail": f"no route {path}"}, 404)
        queue = self.routes[path]
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item


def _api_path(request: httpx.Request) -> str:
    raw = request.url.raw_path.decode("ascii").split("?", 1)[0]
    return raw.removeprefix("/api")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A response with ``body`` serialized as JSON (NaN/Infinity allowed, as Python does)."""
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def raw_response(
    content: bytes | str,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    if isinstance(content, str):
        content = content.encode()
    return httpx.Response(
        status, content=content, headers={"Content-Type": content_type, **(headers or {})}
    )
