"""Faults in the body of an API answer (issue 17): bad fields, skewed clocks, drips, bloat.

The fault middleware (:mod:`.faults`) hands an API response here when one of these is
switched on; the app's answer is buffered, then:

* ``bad_fields``: that share of the answer's items (jobs, metric points, log lines,
  events, a result) gets one field spoiled the way real servers spoil them: a string
  number, a number name, an unreadable or year-9999 timestamp, an ``updated_at`` hours
  ahead (one odd clock), the zero time, a missing id. Each spoil is logged in
  :attr:`BodyFaults.spoiled` (job, feed, item key, field), so a test can tell a loss the
  contract allows (that item or field) from one it does not;
* ``skew``: every timestamp moved by that many seconds (the server's clock runs ahead,
  or behind when negative);
* ``drip``: that share of answers is sent one byte every ``drip_every`` seconds;
* ``oversize``: that share of answers is followed by ``oversize_bytes`` of JSON
  whitespace (still valid JSON), streamed in pieces.
"""

from __future__ import annotations

import json
import random
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

PIECE = 64 * 1024
JobSpoil = tuple[str, Any]

# (field, bad value): what a spoiled item of each feed gets (one, picked at random)
JOB_SPOILS: list[JobSpoil] = [
    ("started_at", "yesterday"),
    ("started_at", "0001-01-01T00:00:00Z"),
    ("updated_at", "9999-12-31T23:59:59Z"),
    ("updated_at", "+2h"),
    ("latest_step", "12"),
    ("retries", "2"),
    ("name", 123),
    ("total_steps", 1.5),
    ("hyperparams", [1]),
    ("id", None),
    ("status", 5),
]
POINT_SPOILS: list[JobSpoil] = [
    ("loss", "0.5"),
    ("grad_norm", True),
    ("lr", {}),
    ("ts", "soon"),
    ("cycle", "1"),
    ("step", "12"),
]
LINE_SPOILS: list[JobSpoil] = [("text", 5), ("ts", "later"), ("stream", []), ("seq", "7")]
EVENT_SPOILS: list[JobSpoil] = [("kind", 3), ("ts", "now-ish")]
RESULT_SPOILS: list[JobSpoil] = [("ppl_final", "324"), ("cost_usd", "25.00"), ("params_delta", 1.5)]
_TS_KEYS = ("ts",)


class BodyFaults:
    def __init__(
        self, sleep: Callable[[float], Awaitable[Any]], counts: dict[str, int] | None = None
    ) -> None:
        self.sleep = sleep
        self.counts: dict[str, int] = Counter() if counts is None else counts
        #: (job id, feed, item key, field) of every spoiled item; the item key is the job
        #: id (jobs), the step (points), the seq (lines), the index (events), "" (result).
        self.spoiled: deque[tuple[str, str, Any, str]] = deque(maxlen=1_000_000)

    # ------------------------------------------------------------ the body

    def rewrite(self, path: str, body: bytes, cfg: Any, rng: random.Random) -> bytes:
        """The answer with fields spoiled and clocks skewed (``body`` when not JSON)."""
        try:
            data = json.loads(body)
        except ValueError:
            return body
        if cfg.skew:
            data = _skew(data, cfg.skew)
        if cfg.bad_fields:
            self._spoil(path, data, cfg.bad_fields, rng)
        return json.dumps(data, allow_nan=True, separators=(",", ":")).encode()

    def _spoil(self, path: str, data: Any, share: float, rng: random.Random) -> None:
        parts = path.removeprefix("/api/").strip("/").split("/")
        if parts[0] != "jobs":
            return
        if len(parts) == 1:
            items = (
                data
                if isinstance(data, list)
                else data.get("jobs", [])
                if isinstance(data, dict)
                else []
            )
            for item in items:
                if isinstance(item, dict) and rng.random() < share:
                    self._apply(
                        item, "jobs", str(item.get("id")), str(item.get("id")), JOB_SPOILS, rng
                    )
            return
        job_id = parts[1]
        if len(parts) == 2 and isinstance(data, dict):
            if rng.random() < share:
                self._apply(data, "job", job_id, job_id, JOB_SPOILS, rng)
            return
        feed = parts[2] if len(parts) == 3 else ""
        if feed == "metrics" and isinstance(data, dict):
            for point in data.get("points") or []:
                if rng.random() < share:
                    self._apply(point, "metrics", job_id, point.get("step"), POINT_SPOILS, rng)
        elif feed == "logs" and isinstance(data, dict):
            for line in data.get("lines") or []:
                if rng.random() < share:
                    self._apply(line, "logs", job_id, line.get("seq"), LINE_SPOILS, rng)
        elif feed == "events" and isinstance(data, list):
            for index, event in enumerate(data):
                if rng.random() < share:
                    self._apply(event, "events", job_id, index, EVENT_SPOILS, rng)
        elif feed == "result" and isinstance(data, dict) and "job_id" in data:
            if rng.random() < share:
                self._apply(data, "result", job_id, "", RESULT_SPOILS, rng)

    def _apply(
        self,
        item: dict[str, Any],
        feed: str,
        job_id: str,
        key: Any,
        spoils: list[JobSpoil],
        rng: random.Random,
    ) -> None:
        name, value = rng.choice(spoils)
        if value == "+2h":  # one record's clock two hours ahead of the rest
            value = _shift(item.get(name), 7200.0) if isinstance(item.get(name), str) else None
            if value is None:
                return
        if value is None:
            item.pop(name, None)
        else:
            item[name] = value
        self.counts["bad_field"] = self.counts.get("bad_field", 0) + 1
        self.spoiled.append((job_id, feed, key, name))

    # ------------------------------------------------------------ sending

    async def send(
        self,
        send: Any,
        start: dict[str, Any],
        body: bytes,
        *,
        drip: float,
        pad: int,
        gone: Callable[[], bool],
    ) -> None:
        """Send ``start`` and ``body``: dripping (``drip`` s a byte), then ``pad`` bytes."""
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if not drip and not pad:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        if drip:
            self.counts["drip"] = self.counts.get("drip", 0) + 1
            for i in range(len(body)):
                if gone():
                    return
                await send(
                    {"type": "http.response.body", "body": body[i : i + 1], "more_body": True}
                )
                await self.sleep(drip)
        else:
            await send({"type": "http.response.body", "body": body, "more_body": bool(pad)})
        if pad:
            self.counts["oversize"] = self.counts.get("oversize", 0) + 1
            left = pad
            while left > 0 and not gone():
                piece = b" " * min(PIECE, left)
                left -= len(piece)
                await send({"type": "http.response.body", "body": piece, "more_body": left > 0})
                await self.sleep(0)
        elif drip:
            await send({"type": "http.response.body", "body": b""})


def _skew(data: Any, seconds: float) -> Any:
    if isinstance(data, dict):
        return {
            k: (
                _shift(v, seconds)
                if isinstance(v, str) and (k in _TS_KEYS or k.endswith("_at"))
                else _skew(v, seconds)
            )
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_skew(v, seconds) for v in data]
    return data


def _shift(text: str | None, seconds: float) -> str | None:
    if not text:
        return text
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moved = when.astimezone(UTC) + timedelta(seconds=seconds)
    except (ValueError, OverflowError):
        return text
    return moved.strftime("%Y-%m-%dT%H:%M:%SZ")
