"""AxomClient: one method per endpoint of the Fusion API, typed records out, typed errors.

One long-lived ``httpx.AsyncClient`` (keep-alive, explicit timeouts; api/http.py), made
on the first request. The bearer key is attached per request only when the request
goes to the API's own origin; a request hook strips it from anything else (redirects
included), so it can never reach storage. GETs are retried on transport errors and
5xx with capped exponential backoff and jitter; 401/403/404/4xx are not retried, and
429 is raised at once so the poll scheduler can pause the whole client for the
server's ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from axom_tui.api import records
from axom_tui.api.defaults import DEFAULT_BASE_URL
from axom_tui.api.errors import (
    AuthError, AxomError, BadPayloadError, ClientError, ForbiddenError, NotFoundError,
    RateLimitedError, ServerError,
)
from axom_tui.api.secret import ApiKey

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_BASE_URL", "AxomClient", "parse_retry_after"]
MAX_DETAIL = 300
_T = TypeVar("_T")


class AxomClient:
    """Async client for the Fusion API. Create once, share, and ``aclose()`` at exit."""

    def __init__(
        self,
        base_url: str,
        key: ApiKey | str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        retries: int = 2,
        backoff_base: float = 0.25,
        backoff_cap: float = 4.0,
        sleep: Callable[[float], Any] = asyncio.sleep,
        verify: bool = True,
    ) -> None:
        self.key = key if isinstance(key, ApiKey) else ApiKey(key)
        self.base_url = base_url.rstrip("/") + "/"
        self.retries = retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._rng = random.Random()
        self.requests_sent = 0
        self._http_options: dict[str, Any] = {"transport": transport, "timeout": timeout, "verify": verify}
        self._http_client: httpx.AsyncClient | None = None
        self._closed = False

    @property
    def _http(self) -> httpx.AsyncClient:
        """The HTTP client, made (and httpx imported) on first use."""
        if self._http_client is None:
            if self._closed:
                raise RuntimeError("AxomClient used after aclose()")
            from axom_tui.api.http import api_http_client

            self._http_client = api_http_client(self.base_url, self.key, **self._http_options)
        return self._http_client

    def __repr__(self) -> str:
        return f"AxomClient(base_url={str(self.base_url)!r}, key={self.key.masked})"

    async def aclose(self) -> None:
        self._closed = True
        if self._http_client is not None:
            await self._http_client.aclose()

    async def __aenter__(self) -> AxomClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------ plumbing

    def _scrub(self, exc: AxomError) -> AxomError:
        """A server may echo the key in an error detail or body: mask it in the message."""
        secret = self.key.reveal()
        tail = secret.removeprefix("axom_live_")
        for leaked in (secret, tail):
            if len(leaked) >= 8 and leaked in str(exc):
                exc.message = exc.message.replace(leaked, self.key.masked)
                exc.args = tuple(a.replace(leaked, self.key.masked) if isinstance(a, str) else a
                                 for a in exc.args)
        return exc

    def _url(self, path: str) -> str:
        # Paths are relative ("jobs/<quoted id>"): appending is what URL joining would do.
        return self.base_url + path.lstrip("/")

    async def get_json(self, endpoint: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path``; return decoded JSON or raise an :class:`AxomError`."""
        attempt = 0
        while True:
            try:
                return await self._get_once(endpoint, path, params)
            except AxomError as exc:
                if not exc.transient or isinstance(exc, RateLimitedError) or attempt >= self.retries:
                    raise self._scrub(exc)
            delay = min(self._backoff_cap, self._backoff_base * 2**attempt)
            await self._sleep(delay * (0.5 + self._rng.random()))
            attempt += 1

    async def _get_once(self, endpoint: str, path: str, params: dict[str, Any] | None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        self.requests_sent += 1
        from axom_tui.api.http import fetch

        status, headers, body = await fetch(self._http, endpoint, self._url(path), clean)
        if status >= 400:
            raise _status_error(endpoint, status, headers, body)
        if status == 204 or not body:
            raise BadPayloadError(endpoint, f"empty body (HTTP {status})")
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            raise BadPayloadError(endpoint, "body is not valid UTF-8") from None
        except RecursionError:
            raise BadPayloadError(endpoint, "JSON nested too deeply") from None
        except ValueError as exc:
            snippet = body[:40].decode("utf-8", "replace")
            raise BadPayloadError(endpoint, f"not JSON ({exc.__class__.__name__} near {snippet!r})") from None

    async def _parse(self, endpoint: str, path: str, parser: Callable[[Any], _T],
                     params: dict[str, Any] | None = None) -> _T:
        body = await self.get_json(endpoint, path, params)
        try:
            return parser(body)
        except AxomError as exc:
            raise self._scrub(exc)
        except (RecursionError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise BadPayloadError(endpoint, f"unreadable ({exc.__class__.__name__})") from None

    # ------------------------------------------------------------ endpoints

    async def list_jobs(self, status: str | None = None, limit: int | None = None) -> list[records.Job]:
        ep = "GET /jobs"
        return await self._parse(ep, "jobs", lambda b: records.parse_jobs(b, ep),
                                 {"status": status, "limit": limit})

    async def get_job(self, job_id: str) -> records.Job:
        ep = "GET /jobs/{id}"
        return await self._parse(ep, f"jobs/{_seg(job_id)}", lambda b: records.parse_job(b, ep))

    async def get_metrics(self, job_id: str, since_step: int | None = None) -> records.MetricsPage:
        ep = "GET /jobs/{id}/metrics"
        return await self._parse(ep, f"jobs/{_seg(job_id)}/metrics",
                                 lambda b: records.parse_metrics(b, ep, job_id), {"since_step": since_step})

    async def get_logs(self, job_id: str, since: int | None = None) -> records.LogsPage:
        ep = "GET /jobs/{id}/logs"
        return await self._parse(ep, f"jobs/{_seg(job_id)}/logs",
                                 lambda b: records.parse_logs(b, ep, job_id), {"since": since})

    async def get_events(self, job_id: str) -> list[records.Event]:
        ep = "GET /jobs/{id}/events"
        return await self._parse(ep, f"jobs/{_seg(job_id)}/events", lambda b: records.parse_events(b, ep))

    async def get_result(self, job_id: str) -> records.Result | None:
        """The run's result, or ``None`` while it does not exist yet (404 for a known job)."""
        ep = "GET /jobs/{id}/result"
        try:
            return await self._parse(ep, f"jobs/{_seg(job_id)}/result",
                                     lambda b: records.parse_result(b, ep, job_id))
        except NotFoundError:
            await self.get_job(job_id)  # raises NotFoundError itself when the job is unknown
            return None

    async def list_models(self) -> list[records.Model]:
        ep = "GET /models"
        return await self._parse(ep, "models", lambda b: records.parse_models(b, ep))

    async def get_manifest(self, model_id: str) -> records.Manifest:
        ep = "GET /models/{id}/download"
        return await self._parse(ep, f"models/{_seg(model_id)}/download",
                                 lambda b: records.parse_manifest(b, ep, model_id))

    async def overview(self, days: int = 30) -> records.Overview:
        ep = "GET /overview"
        return await self._parse(ep, "overview", lambda b: records.parse_overview(b, ep), {"days": days})

    async def usage(self, days: int = 14) -> records.Usage:
        ep = "GET /usage"
        return await self._parse(ep, "usage", lambda b: records.parse_usage(b, ep), {"days": days})

    async def base_models(self) -> list[dict[str, Any]]:
        ep = "GET /base-models"
        return await self._parse(ep, "base-models", lambda b: records.parse_catalog(b, ep))

    async def datasets(self) -> list[dict[str, Any]]:
        ep = "GET /datasets"
        return await self._parse(ep, "datasets", lambda b: records.parse_catalog(b, ep))


def _seg(value: str) -> str:
    """Ids go into the path as one segment, whatever characters they hold."""
    segment = quote(str(value), safe="")
    if segment in (".", ".."):  # quote() leaves dots alone; URL joining would resolve them
        segment = segment.replace(".", "%2E")
    return segment


def _detail(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        text = body[:MAX_DETAIL].decode("utf-8", "replace").strip()
        return text if text and not text.lstrip().startswith("<") else "no details"
    if isinstance(data, dict):
        detail = data.get("detail", data.get("message"))
        if isinstance(detail, str):
            return detail[:MAX_DETAIL]
        if isinstance(detail, list):  # FastAPI-style 422
            msgs = [d["msg"] for d in detail if isinstance(d, dict) and isinstance(d.get("msg"), str)]
            if msgs:
                return "; ".join(msgs)[:MAX_DETAIL]
    return "no details"


def parse_retry_after(value: str | None, default: float = 5.0) -> float:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), bounded to [0, 600]."""
    if not value:
        return default
    try:
        seconds = float(value.strip())
    except ValueError:
        from email.utils import parsedate_to_datetime
        from datetime import datetime, timezone
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    if seconds != seconds:  # NaN
        return default
    return max(0.0, min(600.0, seconds))


def _status_error(endpoint: str, status: int, headers: httpx.Headers, body: bytes) -> AxomError:
    detail = _detail(body)
    if status == 401:
        return AuthError(endpoint, f"key rejected (401): {detail}")
    if status == 403:
        return ForbiddenError(endpoint, f"key lacks the scope for this (403): {detail}")
    if status == 404:
        return NotFoundError(endpoint, f"not found (404): {detail}")
    if status == 429:
        return RateLimitedError(endpoint, parse_retry_after(headers.get("Retry-After")))
    if status >= 500:
        return ServerError(endpoint, status, detail)
    return ClientError(endpoint, status, detail)
