"""Fault injection: make the simulator behave like a real service behind a load balancer.

Spec string (``--faults``), comma-separated ``name=value`` pairs, all off by default::

    latency=0.2          seconds added before every response (API and storage)
    jitter=0.1           plus a uniform random 0..jitter seconds
    error_rate=0.1       share of requests answered 500/502/503/504 (random pick;
                         502/504 carry an HTML body like a load balancer's)
    rate_limit=0.05      share of requests answered 429 with a Retry-After header
    retry_after=2        the Retry-After value, in seconds (integer)
    drop=0.05            share of requests whose connection is closed with no
                         response at all (half FIN, half RST)
    cut=0.3              share of storage transfers (200/206) cut part-way: the
                         body stops after 10-90% of Content-Length and the
                         connection closes
    storage_latency=0.5  extra seconds before a storage response starts
    storage_bps=1e6      throttle each storage transfer to this many bytes/s
    bad_fields=0.02      share of the items of API answers (jobs, metric points, log
                         lines, events, results) with one field spoiled: a string
                         number, an unreadable timestamp, an updated_at 2 h ahead...
    skew=7200            seconds added to every timestamp the API sends (its clock
                         runs ahead; negative: behind)
    drip=0.05            share of API answers sent one byte every drip_every s
    drip_every=1.0       (seconds per byte of a dripping answer)
    oversize=0.02        share of API answers followed by oversize_bytes of JSON
                         whitespace, streamed
    oversize_bytes=6.7e7 (how much; default 64 MiB, over the client's 16 MiB cap)
    seed=3               seed of the fault RNG (independent of the world seed)

``drop``, ``rate_limit`` and ``error_rate`` are drawn from one roll, so they
never overlap and their sum must be <= 1. The body faults (bad_fields, skew, drip,
oversize; :mod:`.body_faults`) draw from an RNG of their own.  Also settable at runtime:
``sim.faults = FaultConfig(error_rate=0.2)`` (each request reads the current
value; assigning a new config restarts its RNG from its seed).
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from .body_faults import BodyFaults

_PROBS = ("error_rate", "rate_limit", "drop", "cut", "bad_fields", "drip", "oversize")
_PARAMS = ("seed", "retry_after", "drip_every", "oversize_bytes")  # not faults by themselves


@dataclass(frozen=True)
class FaultConfig:
    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    rate_limit: float = 0.0
    retry_after: int = 1
    drop: float = 0.0
    cut: float = 0.0
    storage_latency: float = 0.0
    storage_bps: float = 0.0
    bad_fields: float = 0.0
    skew: float = 0.0
    drip: float = 0.0
    drip_every: float = 1.0
    oversize: float = 0.0
    oversize_bytes: int = 64 * 1024 * 1024
    seed: int = 0

    def __post_init__(self) -> None:
        for name in _PROBS:
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"fault {name}={v}: must be between 0 and 1")
        if self.error_rate + self.rate_limit + self.drop > 1.0 + 1e-9:
            raise ValueError("error_rate + rate_limit + drop must be <= 1")
        for name in (
            "latency",
            "jitter",
            "storage_latency",
            "storage_bps",
            "retry_after",
            "drip_every",
            "oversize_bytes",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"fault {name} must be >= 0")

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name not in _PARAMS)

    @property
    def body_faults(self) -> bool:
        return bool(self.bad_fields or self.skew or self.drip or self.oversize)

    @classmethod
    def parse(cls, spec: str | None) -> FaultConfig:
        """Parse ``"latency=0.2,error_rate=0.1"``; empty/``none``/``off`` = no faults."""
        spec = (spec or "").strip()
        if spec.lower() in ("", "none", "off", "0"):
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        kw: dict[str, float | int] = {}
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in known:
                raise ValueError(f"bad fault {part!r}; known: {', '.join(known)} (as name=value)")
            try:
                integer = name in ("retry_after", "seed", "oversize_bytes")
                kw[name] = int(float(value)) if integer else float(value)
            except ValueError:
                raise ValueError(f"bad value in fault {part!r}") from None
        return cls(**kw)  # type: ignore[arg-type]

    def spec(self) -> str:
        d = asdict(self)
        default = asdict(FaultConfig())
        return ",".join(f"{k}={v}" for k, v in d.items() if v != default[k]) or "none"


def _html(code: int, reason: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    ).encode()


_ERRORS = {
    500: ("application/json", b'{"detail":"Internal server error"}'),
    502: ("text/html", _html(502, "Bad Gateway")),
    503: ("application/json", b'{"detail":"Service temporarily unavailable"}'),
    504: ("text/html", _html(504, "Gateway Time-out")),
}


class FaultMiddleware:
    """Raw ASGI middleware applying the current :class:`FaultConfig` to every request."""

    def __init__(
        self,
        app,
        get_faults: Callable[[], FaultConfig],
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.app = app
        self.get_faults = get_faults
        self._cfg: FaultConfig | None = None
        self._rng = random.Random(0)
        self._body_rng = random.Random(1)
        self.counts: dict[str, int] = {
            "drop": 0,
            "429": 0,
            "5xx": 0,
            "cut": 0,
            "bad_field": 0,
            "drip": 0,
            "oversize": 0,
        }
        self.body = BodyFaults(sleep, self.counts)

    def _rng_for(self, f: FaultConfig) -> random.Random:
        if f is not self._cfg:
            self._cfg = f
            self._rng = random.Random(f.seed)
            self._body_rng = random.Random(f.seed * 7919 + 1)
        return self._rng

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        f = self.get_faults()
        if not f.active:
            await self.app(scope, receive, send)
            return
        rng = self._rng_for(f)
        storage = scope.get("path", "").startswith("/storage/")
        delay = f.latency + (rng.uniform(0.0, f.jitter) if f.jitter else 0.0)
        if storage:
            delay += f.storage_latency
        roll = rng.random()
        cut_roll = rng.random()
        cut_frac = rng.uniform(0.1, 0.9)
        rst = rng.random() < 0.5
        if delay > 0:
            await asyncio.sleep(delay)
        if roll < f.drop:
            self.counts["drop"] += 1
            await _drop_connection(receive, rst)
            return
        if roll < f.drop + f.rate_limit:
            self.counts["429"] += 1
            await _respond(
                send,
                429,
                "application/json",
                b'{"detail":"Too many requests"}',
                [(b"retry-after", str(f.retry_after).encode())],
            )
            return
        if roll < f.drop + f.rate_limit + f.error_rate:
            self.counts["5xx"] += 1
            code = rng.choice((500, 502, 503, 504))
            ctype, body = _ERRORS[code]
            await _respond(send, code, ctype, body, [])
            return
        if storage and cut_roll < f.cut:
            send = self._cutting_send(send, receive, cut_frac)
        if not storage and f.body_faults:
            await self._with_body_faults(scope, receive, send, f)
            return
        await self.app(scope, receive, send)

    async def _with_body_faults(self, scope, receive, send, f: FaultConfig) -> None:
        rng = self._body_rng
        drip = f.drip_every if rng.random() < f.drip else 0.0
        pad = f.oversize_bytes if rng.random() < f.oversize else 0
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start.get("status") != 200:
            drip, pad = 0.0, 0
        else:
            body = self.body.rewrite(scope.get("path", ""), body, f, rng)
        cycle = getattr(receive, "__self__", None)  # uvicorn's: it knows when the client left
        await self.body.send(
            send,
            start,
            body,
            drip=drip,
            pad=pad,
            gone=lambda: bool(getattr(cycle, "disconnected", False)),
        )

    def _cutting_send(self, send, receive, frac: float):
        state: dict[str, Any] = {"limit": None, "sent": 0, "done": False}

        async def wrapped(message) -> None:
            if state["done"]:
                return
            if message["type"] == "http.response.start":
                if message["status"] in (200, 206):
                    for k, v in message.get("headers", []):
                        if k.lower() == b"content-length" and int(v) > 1:
                            state["limit"] = max(1, int(int(v) * frac))
                await send(message)
                return
            limit = state["limit"]
            if limit is None or message["type"] != "http.response.body":
                await send(message)
                return
            body = message.get("body", b"")
            room = limit - state["sent"]
            if len(body) < room:
                state["sent"] += len(body)
                await send(message)
                return
            if room > 0:
                await send({"type": "http.response.body", "body": body[:room], "more_body": True})
            state["done"] = True
            self.counts["cut"] += 1
            await _drop_connection(receive, rst=False, in_process_error=True)

        return wrapped


async def _respond(send, status: int, ctype: str, body: bytes, extra: list) -> None:
    headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(receive, rst: bool, in_process_error: bool = True) -> None:
    """Close the client connection without (finishing) a response.

    Under uvicorn, ``receive`` is a bound method of the request/response cycle,
    which holds the asyncio transport: closing it makes the client see a
    connection reset / "server disconnected" (a transport error).  Served
    in-process (httpx.ASGITransport) there is no socket: raise the transport
    error httpx would have raised.
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        if in_process_error:
            import httpx

            raise httpx.RemoteProtocolError("simulated dropped connection")
        return
    if rst:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
    transport.abort()
    for _ in range(20):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
