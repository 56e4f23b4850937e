"""AxomClient: one method per endpoint of the Fusion API, typed records out, typed errors.

One long-lived ``httpx.AsyncClient`` (keep-alive, explicit timeouts; api/http.py), made
on the first request. The bearer key is attached per request only when the request
goes to the API's own origin; a request hook strips it from anything else (redirects
included), so it can never reach storage. GETs are retried on transport errors and
5xx with capped exponential backoff and jitter; 401/403/404/4xx are not retried, and
429 is raised at once so the poll scheduler can pause the whole client for the
server's ``Retry-After``.

Every request has a total deadline (``deadline`` seconds from sending to the last byte,
on the loop's clock or on an injected ``timer``) and a body cap (``max_body``): a body
that drips a byte a second once held ``GET /jobs`` for 110 s, as httpx's read timeout
restarts on every byte.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import random
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

from axom_tui.api import records
from axom_tui.api.defaults import DEFAULT_BASE_URL
from axom_tui.api.errors import (
    AuthError,
    AxomError,
    BadPayloadError,
    ClientError,
    DeadlineError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from axom_tui.api.issues import Listing
from axom_tui.api.item_parsing import ItemMemo
from axom_tui.api.secret import ApiKey, mask_pieces

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_BASE_URL", "AxomClient", "parse_retry_after"]
MAX_DETAIL = 300
DEFAULT_DEADLINE = 30.0  # seconds from sending a request to its last byte
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # as api/http.py's MAX_BODY (not imported: httpx)
MEMO_SIZE = 256  # list answers remembered (the pages of a 50,000-run account)
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
        deadline: float | None = DEFAULT_DEADLINE,
        timer: Callable[[float], Awaitable[Any]] | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.key = key if isinstance(key, ApiKey) else ApiKey(key)
        self.base_url = base_url.rstrip("/") + "/"
        self.retries = retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self.deadline = deadline
        #: ``await timer(seconds)`` ends the deadline (a virtual clock's sleep in tests);
        #: None: the event loop's own clock.
        self._timer = timer
        self.max_body = max_body
        self._memo: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[bytes, Any]] = {}
        # jobs and models of earlier answers by id: an item whose JSON is unchanged is reused
        self._jobs_memo = ItemMemo()
        self._models_memo = ItemMemo()
        self._rng = random.Random()
        self.requests_sent = 0
        self._http_options: dict[str, Any] = {
            "transport": transport,
            "timeout": timeout,
            "verify": verify,
        }
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

    def _mask(self, text: str) -> str:
        secret = self.key.reveal()
        for leaked in (secret, secret.removeprefix("axom_live_")):
            if len(leaked) >= 8 and leaked in text:
                text = text.replace(leaked, self.key.masked)
        return mask_pieces(text, secret, "…")

    def _scrub(self, exc: AxomError) -> AxomError:
        """A server may echo the key in an error detail or body: mask it in the message."""
        exc.message = self._mask(exc.message)
        exc.args = tuple(self._mask(a) if isinstance(a, str) else a for a in exc.args)
        return exc

    def _scrub_issues(self, answer: _T) -> _T:
        """What a parse left out is shown to the user, quoting the bad value: mask the key."""
        issues = getattr(answer, "issues", None)
        if issues is None or not issues.first:
            return answer
        masked = self._mask(issues.first)
        if masked == issues.first:
            return answer
        issues = dataclasses.replace(issues, first=masked)
        if isinstance(answer, Listing):
            answer.issues = issues
            return answer
        return dataclasses.replace(answer, issues=issues)  # type: ignore[type-var]

    def _url(self, path: str) -> str:
        # Paths are relative ("jobs/<quoted id>"): appending is what URL joining would do.
        return self.base_url + path.lstrip("/")

    async def get_json(self, endpoint: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path``; return decoded JSON or raise an :class:`AxomError`."""
        raw = await self.get_bytes(endpoint, path, params)
        try:
            return _decode(endpoint, raw)
        except AxomError as exc:
            raise self._scrub(exc)

    async def get_bytes(
        self, endpoint: str, path: str, params: dict[str, Any] | None = None
    ) -> bytes:
        """GET ``path``; return the body of a 2xx answer or raise an :class:`AxomError`."""
        attempt = 0
        while True:
            try:
                return await self._get_once(endpoint, path, params)
            except AxomError as exc:
                if (
                    not exc.transient
                    or isinstance(exc, (RateLimitedError, DeadlineError))
                    or attempt >= self.retries
                ):
                    raise self._scrub(exc)
            delay = min(self._backoff_cap, self._backoff_base * 2**attempt)
            await self._sleep(delay * (0.5 + self._rng.random()))
            attempt += 1

    async def _get_once(self, endpoint: str, path: str, params: dict[str, Any] | None) -> bytes:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        self.requests_sent += 1
        from axom_tui.api.http import fetch

        request = fetch(self._http, endpoint, self._url(path), clean, self.max_body)
        status, headers, body = await self._within_deadline(endpoint, request)
        if status >= 400:
            raise _status_error(endpoint, status, headers, body)
        if status == 204 or not body:
            raise BadPayloadError(endpoint, f"empty body (HTTP {status})")
        return body

    async def _within_deadline(self, endpoint: str, request: Awaitable[_T]) -> _T:
        if self.deadline is None:
            return await request
        if self._timer is None:
            try:
                async with asyncio.timeout(self.deadline):
                    return await request
            except TimeoutError:
                raise DeadlineError(endpoint, self.deadline) from None
        work = asyncio.ensure_future(request)
        timer = asyncio.ensure_future(self._timer(self.deadline))
        try:
            await asyncio.wait((work, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not work.done():
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
        if work.cancelled():
            raise DeadlineError(endpoint, self.deadline)
        return work.result()

    async def _parse(
        self,
        endpoint: str,
        path: str,
        parser: Callable[[Any], _T],
        params: dict[str, Any] | None = None,
        memo: bool = False,
    ) -> _T:
        """GET, decode and parse. ``memo``: an answer of the same bytes as the last one to
        the same request is not decoded or parsed again; the same record comes back (a
        page of 200 finished runs, or the list of 4,000 models, costs a hash)."""
        raw = await self.get_bytes(endpoint, path, params)
        key: tuple[str, tuple[tuple[str, str], ...]] | None = None
        digest = b""
        if memo:
            key = (
                path,
                tuple(sorted((k, str(v)) for k, v in (params or {}).items() if v is not None)),
            )
            digest = hashlib.blake2b(raw, digest_size=16).digest()
            hit = self._memo.get(key)
            if hit is not None and hit[0] == digest:
                return cast(_T, hit[1])
        try:
            answer = self._scrub_issues(parser(_decode(endpoint, raw)))
        except AxomError as exc:
            raise self._scrub(exc)
        except (RecursionError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise BadPayloadError(endpoint, f"unreadable ({exc.__class__.__name__})") from None
        if key is not None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = (digest, answer)
        return answer

    # ------------------------------------------------------------ endpoints

    async def list_jobs(
        self, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Listing[records.Job]:
        """One page of the job list: ``status`` one status or several, comma-separated;
        ``cursor`` the previous page's ``.next``."""
        ep = "GET /jobs"
        return await self._parse(
            ep,
            "jobs",
            lambda b: records.parse_jobs(b, ep, self._jobs_memo),
            {"status": status, "limit": limit, "cursor": cursor},
            memo=True,
        )

    async def get_job(self, job_id: str) -> records.Job:
        ep = "GET /jobs/{id}"
        return await self._parse(ep, f"jobs/{_seg(job_id)}", lambda b: records.parse_job(b, ep))

    async def get_metrics(self, job_id: str, since_step: int | None = None) -> records.MetricsPage:
        ep = "GET /jobs/{id}/metrics"
        return await self._parse(
            ep,
            f"jobs/{_seg(job_id)}/metrics",
            lambda b: records.parse_metrics(b, ep, job_id),
            {"since_step": since_step},
        )

    async def get_logs(self, job_id: str, since: int | None = None) -> records.LogsPage:
        ep = "GET /jobs/{id}/logs"
        return await self._parse(
            ep,
            f"jobs/{_seg(job_id)}/logs",
            lambda b: records.parse_logs(b, ep, job_id),
            {"since": since},
        )

    async def get_events(self, job_id: str) -> list[records.Event]:
        ep = "GET /jobs/{id}/events"
        return await self._parse(
            ep, f"jobs/{_seg(job_id)}/events", lambda b: records.parse_events(b, ep)
        )

    async def get_result(self, job_id: str) -> records.Result | None:
        """The run's result, or ``None`` while it does not exist yet (404 for a known job)."""
        ep = "GET /jobs/{id}/result"
        try:
            return await self._parse(
                ep, f"jobs/{_seg(job_id)}/result", lambda b: records.parse_result(b, ep, job_id)
            )
        except NotFoundError:
            await self.get_job(job_id)  # raises NotFoundError itself when the job is unknown
            return None

    async def list_models(self) -> list[records.Model]:
        ep = "GET /models"
        return await self._parse(
            ep, "models", lambda b: records.parse_models(b, ep, self._models_memo), memo=True
        )

    async def get_manifest(self, model_id: str) -> records.Manifest:
        ep = "GET /models/{id}/download"
        return await self._parse(
            ep,
            f"models/{_seg(model_id)}/download",
            lambda b: records.parse_manifest(b, ep, model_id),
        )

    async def overview(self, days: int = 30) -> records.Overview:
        ep = "GET /overview"
        return await self._parse(
            ep, "overview", lambda b: records.parse_overview(b, ep), {"days": days}
        )

    async def usage(self, days: int = 14) -> records.Usage:
        ep = "GET /usage"
        return await self._parse(ep, "usage", lambda b: records.parse_usage(b, ep), {"days": days})

    async def base_models(self) -> list[dict[str, Any]]:
        ep = "GET /base-models"
        return await self._parse(ep, "base-models", lambda b: records.parse_catalog(b, ep))

    async def datasets(self) -> list[dict[str, Any]]:
        ep = "GET /datasets"
        return await self._parse(ep, "datasets", lambda b: records.parse_catalog(b, ep))


def _decode(endpoint: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise BadPayloadError(endpoint, "body is not valid UTF-8") from None
    except RecursionError:
        raise BadPayloadError(endpoint, "JSON nested too deeply") from None
    except ValueError as exc:
        snippet = body[:40].decode("utf-8", "replace")
        raise BadPayloadError(
            endpoint, f"not JSON ({exc.__class__.__name__} near {snippet!r})"
        ) from None


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
            msgs = [
                d["msg"] for d in detail if isinstance(d, dict) and isinstance(d.get("msg"), str)
            ]
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
        from datetime import datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
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
