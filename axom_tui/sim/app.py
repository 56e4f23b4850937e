"""The Starlette app: the Fusion API under ``/api`` and object storage under ``/storage``.

API requests need ``Authorization: Bearer <key>`` (401 otherwise); the manifest
(``/api/models/{id}/download``) needs the ``models`` scope (403 for the read-only
key).  Storage requests need a valid presigned query instead and refuse any
``Authorization`` header (400), like S3.  Errors are ``{"detail": "..."}``
(422: a FastAPI-style list); storage errors are S3-style XML.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .catalog import STATUSES
from .faults import FaultMiddleware
from .storage import expires_at
from .world import Simulator

Default = TypeVar("Default", bound=int | None)
ALL_SCOPES = frozenset({"train", "read", "datasets", "models", "billing"})


class JSON(Response):
    """JSONResponse that lets NaN/Infinity through (the contract allows them in metrics)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=True, separators=(",", ":")
        ).encode("utf-8")


def detail(status: int, msg: Any, headers: dict | None = None) -> JSON:
    return JSON({"detail": msg}, status_code=status, headers=headers)


def invalid(loc: str, msg: str) -> JSON:
    return detail(422, [{"loc": ["query", loc], "msg": msg, "type": "value_error"}])


def s3_error(status: int, code: str, msg: str, headers: dict | None = None) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{msg}</Message></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml", headers=headers)


def _int_param(
    request: Request,
    name: str,
    default: Default,
    lo: int | None = None,
    hi: int | None = None,
    clamp: bool = False,
) -> int | Default | JSON:
    """The integer query parameter ``name`` (``default`` when absent), or the 422 answer."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        v = int(raw)
    except ValueError:
        return invalid(name, "value is not a valid integer")
    if lo is not None and v < lo:
        return invalid(name, f"ensure this value is greater than or equal to {lo}")
    if hi is not None and v > hi:
        if clamp:
            return hi
        return invalid(name, f"ensure this value is less than or equal to {hi}")
    return v


def encode_cursor(position: tuple[float, int]) -> str:
    """An opaque page cursor (the contract promises nothing about its form)."""
    return base64.urlsafe_b64encode(f"{position[0]!r}:{position[1]}".encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[float, int] | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        created, index = raw.split(":")
        return float(created), int(index)
    except (ValueError, UnicodeDecodeError):
        return None


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of a single ``Range: bytes=...``; None if unsatisfiable/invalid."""
    m = _RANGE.fullmatch(header.strip())
    if not m or (not m[1] and not m[2]):
        return None
    if m[1]:
        start = int(m[1])
        end = int(m[2]) + 1 if m[2] else size
        if start >= size or end <= start:
            return None
        return start, min(end, size)
    n = int(m[2])
    if n == 0 or size == 0:
        return None
    return max(0, size - n), size


def create_app(sim: Simulator, sleep: Callable[[float], Any] | None = None) -> Any:
    """The ASGI app (Starlette wrapped in the fault-injection middleware). ``sleep``: what
    a dripping body waits with (a virtual clock's, in process)."""
    cfg = sim.cfg

    def scopes_of(request: Request) -> frozenset[str] | None:
        auth = request.headers.get("authorization", "")
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or not key:
            return None
        key = key.strip()
        if hmac.compare_digest(key.encode(), cfg.key.encode()):
            return ALL_SCOPES
        if cfg.read_only_key and hmac.compare_digest(key.encode(), cfg.read_only_key.encode()):
            return frozenset({"read"})
        return None

    def api(scope: str = "read"):
        def wrap(fn):
            async def endpoint(request: Request) -> Response:
                scopes = scopes_of(request)
                if scopes is None:
                    return detail(401, "Invalid or missing API key", {"WWW-Authenticate": "Bearer"})
                if scope not in scopes:
                    return detail(403, f"This API key lacks the '{scope}' scope")
                return fn(request)

            return endpoint

        return wrap

    @api()
    def list_jobs(request: Request) -> Response:
        limit = _int_param(request, "limit", 50, lo=1, hi=200, clamp=True)
        if isinstance(limit, Response):
            return limit
        raw = request.query_params.get("status")
        statuses = None
        if raw:
            statuses = {s.strip() for s in raw.split(",") if s.strip()}
            bad = statuses - set(STATUSES)
            if bad:
                return invalid(
                    "status",
                    f"unknown status {sorted(bad)[0]!r}; expected one of {', '.join(STATUSES)}",
                )
        raw_cursor = request.query_params.get("cursor")
        cursor = decode_cursor(raw_cursor) if raw_cursor else None
        if raw_cursor and cursor is None:
            return invalid("cursor", "not a cursor this server issued")
        items, following = sim.list_jobs_page(statuses, limit, cursor)
        if following is None and cursor is None:
            return JSON(items)  # everything fits: a bare array, as before paging existed
        return JSON({"jobs": items, "next": encode_cursor(following) if following else None})

    def job_not_found() -> JSON:
        return detail(404, "Job not found")

    @api()
    def get_job(request: Request) -> Response:
        job = sim.job(request.path_params["job_id"])
        return job_not_found() if job is None else JSON(job)

    def job_feed_since(
        request: Request, param: str, fetch: Callable[[str, int | None], dict | None]
    ) -> Response:
        """A job's items after the optional integer cursor ``param``, or a 404/422."""
        since = _int_param(request, param, None)
        if isinstance(since, Response):
            return since
        out = fetch(request.path_params["job_id"], since)
        return job_not_found() if out is None else JSON(out)

    @api()
    def metrics(request: Request) -> Response:
        return job_feed_since(request, "since_step", sim.metrics)

    @api()
    def logs(request: Request) -> Response:
        return job_feed_since(request, "since", sim.logs)

    @api()
    def events(request: Request) -> Response:
        out = sim.events(request.path_params["job_id"])
        return job_not_found() if out is None else JSON(out)

    @api()
    def result(request: Request) -> Response:
        res, status = sim.result(request.path_params["job_id"])
        if status is None:
            return job_not_found()
        if res is None:
            why = "the job failed" if status == "failed" else f"the job is {status}"
            return detail(404, f"Result not available: {why}")
        return JSON(res)

    @api()
    def models(request: Request) -> Response:
        return JSON(sim.models())

    @api("models")
    def download(request: Request) -> Response:
        model = sim.visible_model(request.path_params["model_id"])
        if model is None:
            return detail(404, "Model not found")
        host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        origin = f"{request.url.scheme}://{host}"
        exp = expires_at(sim.wall_clock(), cfg.url_ttl)
        files = [
            {"rel": e.rel, "size": e.size, "url": sim.storage.presign(origin, model.id, e.rel, exp)}
            for e in sim.storage.files(model)
        ]
        return JSON({"model_id": model.id, "name": model.name, "version": "v1", "files": files})

    @api()
    def overview(request: Request) -> Response:
        days = _int_param(request, "days", 30, lo=1, hi=366)
        return days if isinstance(days, Response) else JSON(sim.overview(days))

    @api()
    def usage(request: Request) -> Response:
        days = _int_param(request, "days", 14, lo=1, hi=366)
        return days if isinstance(days, Response) else JSON(sim.usage(days))

    @api()
    def base_models(request: Request) -> Response:
        return JSON(sim.base_models)

    @api()
    def datasets(request: Request) -> Response:
        return JSON(sim.datasets)

    async def storage(request: Request) -> Response:
        if "authorization" in request.headers:
            return s3_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; "
                "do not send an Authorization header with a presigned URL",
            )
        model_id, rel = request.path_params["model_id"], request.path_params["rel"]
        q = request.query_params
        verdict = sim.storage.check(model_id, rel, q.get("expires"), q.get("sig"), sim.wall_clock())
        if verdict == "bad":
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided",
            )
        if verdict == "expired":
            return s3_error(403, "AccessDenied", "Request has expired")
        found = sim.storage.entry(model_id, rel)
        if found is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        e = found[1]
        start, end, status = 0, e.size, 200
        headers = {"accept-ranges": "bytes"}
        rng = request.headers.get("range")
        if rng is not None:
            r = parse_range(rng, e.size)
            if r is None:
                return s3_error(
                    416,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                    {"content-range": f"bytes */{e.size}"},
                )
            (start, end), status = r, 206
            headers["content-range"] = f"bytes {start}-{end - 1}/{e.size}"
        headers["content-length"] = str(end - start)
        ctype = "application/json" if rel.endswith(".json") else "application/octet-stream"
        if request.method == "HEAD":
            return Response(b"", status_code=status, headers=headers, media_type=ctype)
        bps = sim.faults.storage_bps

        async def body():
            if bps > 0:
                piece = max(4096, int(bps / 20))
                for chunk in sim.storage.iter_range(e, start, end, piece):
                    yield chunk
                    await asyncio.sleep(len(chunk) / bps)
            else:
                for chunk in sim.storage.iter_range(e, start, end):
                    yield chunk

        return StreamingResponse(body(), status_code=status, headers=headers, media_type=ctype)

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return detail(exc.status_code, exc.detail, getattr(exc, "headers", None))
        return detail(500, "Internal server error")

    routes = [
        Route("/api/jobs", list_jobs),
        Route("/api/jobs/{job_id}", get_job),
        Route("/api/jobs/{job_id}/metrics", metrics),
        Route("/api/jobs/{job_id}/logs", logs),
        Route("/api/jobs/{job_id}/events", events),
        Route("/api/jobs/{job_id}/result", result),
        Route("/api/models", models),
        Route("/api/models/{model_id}/download", download),
        Route("/api/overview", overview),
        Route("/api/usage", usage),
        Route("/api/base-models", base_models),
        Route("/api/datasets", datasets),
        Route("/storage/{model_id}/{rel:path}", storage, methods=["GET", "HEAD"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    mw = FaultMiddleware(app, lambda: sim.faults, **({"sleep": sleep} if sleep else {}))
    mw.sim = sim  # type: ignore[attr-defined]
    return mw
