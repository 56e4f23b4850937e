"""A small, scriptable Fusion API + object storage over real HTTP, for hostile cases.

Each :class:`FakeFile` says how storage misbehaves for it (ignore Range, resume at the
wrong byte, send too much, cut, stall, answer statuses first, expire its link). URLs
are ``/storage/<index>?g=<generation>``; :meth:`FakeFusion.expire` makes every link
issued so far answer 403 until the manifest is fetched again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from axom_tui.sim.server import AsgiThreadServer

KEY = "axom_live_download0tests0000000000000000"
MODEL_ID = "11111111-2222-3333-4444-555555555555"
JOB_ID = "99999999-8888-7777-6666-555555555555"
PIECE = 64 * 1024


def blob(n: int, seed: int = 0) -> bytes:
    """Deterministic, non-repeating-looking bytes."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


@dataclass
class FakeFile:
    rel: str
    data: bytes
    mode: str = "normal"  # normal | ignore_range | wrong_start | oversize | short | stall
    manifest_size: int | None = None  # a size that differs from len(data)
    sha256: str | None = None  # put into the manifest
    statuses: list[int] = field(default_factory=list)  # answered first, one per request
    retry_after: str | None = None
    cut_at: list[int] = field(default_factory=list)  # cut the body after N bytes (one per request)
    expire_at: int | None = None  # after this many bytes of the first request: expire + cut
    delay: float = 0.0  # seconds per 64 KiB piece
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data) if self.manifest_size is None else self.manifest_size


@dataclass
class FakeFusion:
    files: list[FakeFile] = field(default_factory=list)
    name: str = "fusion-test"
    version: str = "v1"
    job_status: str = "completed"
    has_model: bool = True
    manifest_429: int = 0  # answer the manifest with 429 this many times first
    min_generation: int = 0
    generation: int = 0
    manifest_calls: int = 0
    api_auth: list[str] = field(default_factory=list)

    def expire(self) -> None:
        self.min_generation = self.generation + 1

    def model_json(self) -> dict:
        return {
            "id": MODEL_ID,
            "name": self.name,
            "version": self.version,
            "params": 1,
            "lineage": {"job_id": JOB_ID},
            "status": "ready",
            "created_at": "2026-06-04T02:45:20Z",
        }

    # ------------------------------------------------------------ routes

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/models", self._models),
                Route("/api/models/{model_id}/download", self._manifest),
                Route("/api/jobs/{job_id}", self._job),
                Route("/storage/{index:int}", self._storage),
            ]
        )

    def _authorized(self, request: Request) -> bool:
        self.api_auth.append(request.headers.get("authorization", ""))
        return request.headers.get("authorization") == f"Bearer {KEY}"

    async def _models(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": "bad key"}, 401)
        return JSONResponse([self.model_json()] if self.has_model else [])

    async def _job(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": "bad key"}, 401)
        if request.path_params["job_id"] != JOB_ID:
            return JSONResponse({"detail": "Job not found"}, 404)
        return JSONResponse({"id": JOB_ID, "status": self.job_status, "type": "train"})

    async def _manifest(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": "bad key"}, 401)
        if self.manifest_429 > 0:
            self.manifest_429 -= 1
            return JSONResponse({"detail": "slow down"}, 429, headers={"Retry-After": "1"})
        self.manifest_calls += 1
        self.generation = max(self.generation + 1, self.min_generation)
        origin = f"{request.url.scheme}://{request.headers['host']}"
        files = []
        for i, f in enumerate(self.files):
            url = f"{origin}/storage/{i}?g={self.generation}"
            item = {"rel": f.rel, "size": f.size, "url": url}
            if f.sha256:
                item["sha256"] = f.sha256
            files.append(item)
        return JSONResponse(
            {"model_id": MODEL_ID, "name": self.name, "version": self.version, "files": files}
        )

    async def _storage(self, request: Request) -> Response:
        f = self.files[request.path_params["index"]]
        f.requests.append(dict(request.headers))
        if "authorization" in request.headers:
            return Response(b"<Error>double auth</Error>", 400)
        if int(request.query_params.get("g", "0")) < self.min_generation:
            return Response(b"<Error>Request has expired</Error>", 403)
        if f.statuses:
            status = f.statuses.pop(0)
            headers = {"Retry-After": f.retry_after} if f.retry_after else {}
            return Response(b"nope", status, headers=headers)
        data = f.data
        start, status, headers = 0, 200, {}
        rng = request.headers.get("range")
        if rng and f.mode != "ignore_range":
            start = int(rng.removeprefix("bytes=").split("-")[0])
            status = 206
            if f.mode == "wrong_start":
                start = max(0, start - 10)
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        if f.mode == "oversize":
            body += b"EXTRA" * 1000
        elif f.mode == "short":
            body = body[: max(0, len(body) // 2)]
        else:
            headers["Content-Length"] = str(len(body))
        limit = len(body)
        expire_now = False
        if f.cut_at:
            limit = min(limit, f.cut_at.pop(0))
        if f.expire_at is not None:
            limit, expire_now, f.expire_at = min(limit, f.expire_at), True, None
        stall = f.mode == "stall" and start == 0

        async def stream():
            sent = 0
            while sent < limit:
                piece = body[sent : min(limit, sent + PIECE)]
                yield piece
                sent += len(piece)
                if f.delay:
                    await asyncio.sleep(f.delay)
                if stall and sent >= len(body) // 2:
                    await asyncio.sleep(30)
            if expire_now:
                self.expire()
            if limit < len(body):
                raise ConnectionAbortedError("cut on purpose")

        return StreamingResponse(
            stream(), status, headers=headers, media_type="application/octet-stream"
        )


class ServerThread(AsgiThreadServer):
    """Serve an ASGI app on 127.0.0.1:<free port> in a background thread; the app can
    be swapped with :meth:`serve` (one server for many tests)."""

    def __init__(self) -> None:
        self.served: Starlette | None = None
        super().__init__(
            self._dispatch,
            log_level=os.environ.get("DL_TEST_LOG", "critical"),
            interface="asgi3",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
        )

    async def _dispatch(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        assert self.served is not None, "no app to serve"
        await self.served(scope, receive, send)

    def serve(self, app: Starlette) -> None:
        self.served = app

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api"
