"""Helpers for the reliability and security suite (tests/reliability/).

Kept out of conftest so test modules can import them by a unique name. Figures that the
suite reports (faults injected, cases fuzzed, points compared, leaks found...) are
collected in :data:`FIGURES` and printed at the end of the run by this folder's conftest.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, settings

from axom_tui.sim.server import AsgiThreadServer

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

#: The test key: long, distinctive, easy to grep for in every output channel.
KEY = "axom_live_RELtestSECRET0123456789abcdefXYZ"
#: Subprocesses get an empty config folder: a developer's own config never leaks in.
_EMPTY_CONFIG_HOME = tempfile.mkdtemp(prefix="axom-rel-config-")
atexit.register(shutil.rmtree, _EMPTY_CONFIG_HOME, ignore_errors=True)

# ---------------------------------------------------------------- figures

FIGURES: Counter[str] = Counter()
_FIG_LOCK = threading.Lock()


def figure(name: str, amount: int | float = 1) -> None:
    """Add ``amount`` to one reported figure (printed in the terminal summary)."""
    with _FIG_LOCK:
        FIGURES[name] += amount


def write_figures() -> None:
    target = os.environ.get("REL_FIGURES")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(FIGURES.items())), indent=2) + "\n")


# ---------------------------------------------------------------- secrets


def leaks_in(text: str | bytes, key: str = KEY) -> list[str]:
    """Every way the key (or a presigned signature) shows up in ``text``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = []
    for needle in (key, key.removeprefix("axom_live_")):
        if needle and needle in text:
            found.append(needle[:14] + "…")
    for match in re.finditer(r"sig=[0-9a-f]{16,}", text):
        found.append(match.group(0)[:12] + "…")
    return found


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess of the app: no inherited Axom settings, a known key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXOM_") and k != "NO_COLOR"}
    env.update(
        {
            "AXOM_KEY": KEY,
            "PYTHONUNBUFFERED": "1",
            "XDG_CONFIG_HOME": _EMPTY_CONFIG_HOME,
            "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    env.update(extra)
    return env


# ---------------------------------------------------------------- comparing a store with the truth


def same_float(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@dataclass
class Comparison:
    points: int = 0
    lines: int = 0
    events: int = 0
    results: int = 0
    withdrawn: int = 0  # steps held beyond the server's last (a preempted attempt's, not re-done)
    problems: list[str] = field(default_factory=list)

    def add(self, other: Comparison) -> None:
        self.points += other.points
        self.lines += other.lines
        self.events += other.events
        self.results += other.results
        self.withdrawn += other.withdrawn
        self.problems += other.problems


def compare_run(store: Any, truth: Any, job_id: str) -> Comparison:
    """Metrics, logs, events and result of one run: store vs the simulator's ground truth."""
    from axom_tui.store import METRIC_COLUMNS

    out = Comparison()
    run = store.runs.get(job_id)
    if run is None:
        out.problems.append(f"{job_id[:8]}: not in the store")
        return out
    tag = job_id[:8]
    # metrics: every step once, the newest value
    series = run.metrics
    held = list(series.steps)
    if held != sorted(set(held)):
        out.problems.append(f"{tag}: metric steps duplicated or out of order")
    index = {step: i for i, step in enumerate(held)}
    missing = sorted(set(truth.metrics) - set(index))
    if missing:
        out.problems.append(f"{tag}: {len(missing)} metric steps missing (first {missing[:5]})")
    top = max(truth.metrics) if truth.metrics else -1
    extra = [s for s in held if s not in truth.metrics]
    if any(s <= top for s in extra):
        out.problems.append(
            f"{tag}: steps the server never sent: {[s for s in extra if s <= top][:5]}"
        )
    out.withdrawn += len(extra)
    columns = {name: series.column(name) for name in METRIC_COLUMNS}
    cycles = series.column("cycle")
    wrong = 0
    for step, point in truth.metrics.items():
        i = index.get(step)
        if i is None:
            continue
        out.points += 1
        for name in METRIC_COLUMNS:
            if not same_float(columns[name][i], float(point[name])):
                wrong += 1
        if cycles[i] != point["cycle"]:
            wrong += 1
    if wrong:
        out.problems.append(f"{tag}: {wrong} metric values are not the newest")
    # logs: every line once, in order
    lines = list(run.logs)
    got = [(line.seq, line.text, line.stream) for line in lines]
    want = [(x["seq"], x["text"], x["stream"]) for x in truth.logs]
    if got != want:
        out.problems.append(
            f"{tag}: logs differ ({len(got)} held, {len(want)} on the server; "
            f"first difference at {_first_diff(got, want)})"
        )
    out.lines += min(len(got), len(want))
    # events: the full history, as the server has it
    events = [
        (e.kind, e.payload, e.ts.strftime("%Y-%m-%dT%H:%M:%SZ") if e.ts else None)
        for e in run.events
    ]
    want_events = [(e["kind"], e["payload"], e["ts"]) for e in truth.events]
    if events != want_events:
        out.problems.append(f"{tag}: events differ ({len(events)} vs {len(want_events)})")
    out.events += len(want_events)
    # result
    if truth.result is not None:
        result = run.result
        if result is None:
            out.problems.append(f"{tag}: result missing")
        else:
            for name, value in truth.result.items():
                if name == "job_id":
                    continue
                if not same_float(float(getattr(result, name)), float(value)):
                    out.problems.append(f"{tag}: result.{name} {getattr(result, name)} != {value}")
            out.results += 1
    return out


def _first_diff(a: list, b: list) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"#{i}: {x!r:.60} vs {y!r:.60}"
    return f"#{min(len(a), len(b))} (length)"


# ---------------------------------------------------------------- transports


class NetworkFaults(httpx.AsyncBaseTransport):
    """Wraps a transport with faults the simulator does not make itself.

    * latency spikes in *virtual* time (``sleep`` is the VirtualClock's): half wait before
      the request reaches the server (a slow server), half after the answer was made (the
      answer is stale when it lands);
    * overlapping pages: a share of metrics/logs requests has its cursor moved back, as
      a server that treats ``since`` inclusively or replays a page would, so steps and
      lines already held arrive again.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        sleep,
        *,
        share: float,
        spike: tuple[float, float],
        overlap: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.inner = inner
        self.sleep = sleep
        self.share = share
        self.spike = spike
        self.overlap = overlap
        self.rng = random.Random(seed)
        self.spikes = 0
        self.overlaps = 0
        self.requests = 0

    def _rewind(self, request: httpx.Request) -> httpx.Request:
        for name in ("since", "since_step"):
            value = request.url.params.get(name)
            if value is not None and value.isdigit() and int(value) > 0:
                self.overlaps += 1
                back = max(0, int(value) - self.rng.randint(1, 300))
                url = request.url.copy_set_param(name, str(back))
                return httpx.Request(
                    request.method, url, headers=request.headers, extensions=request.extensions
                )
        return request

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.overlap and self.rng.random() < self.overlap:
            request = self._rewind(request)
        delay = self.rng.uniform(*self.spike) if self.rng.random() < self.share else 0.0
        before = self.rng.random() < 0.5
        if delay:
            self.spikes += 1
        if delay and before:
            await self.sleep(delay)
        response = await self.inner.handle_async_request(request)
        if delay and not before:
            await response.aread()
            await self.sleep(delay)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# ---------------------------------------------------------------- a uvicorn server in a thread


class ThreadServer(AsgiThreadServer):
    """Serve an ASGI app on 127.0.0.1:<free port> from a background thread."""

    THREAD_NAME = "rel-server"

    def __init__(self, app: Any) -> None:
        super().__init__(
            app, log_level="critical", timeout_graceful_shutdown=1, timeout_keep_alive=5
        )


# ---------------------------------------------------------------- running the real app in a pty


@dataclass
class PtyRun:
    output: bytes
    returncode: int | None
    timeline: list[tuple[float, str]] = field(default_factory=list)


def run_in_pty(
    argv: list[str],
    env: dict[str, str],
    *,
    cols: int = 160,
    rows: int = 50,
    keys: list[tuple[float, bytes]] = (),
    quit_at: float = 8.0,
    quit_keys: bytes = b"q",
    timeout: float = 30.0,
    cwd: str | None = None,
    ready: bytes | None = None,
) -> PtyRun:
    """Run ``argv`` with a pty as its terminal; return every byte it wrote.

    ``keys`` are ``(seconds after start — or after ``ready`` was seen, bytes)`` typed in
    order; ``quit_keys`` is typed at ``quit_at``; the process is killed at ``timeout``.
    """
    import fcntl
    import pty
    import select
    import signal
    import struct
    import subprocess
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    timeline: list[tuple[float, str]] = []
    start = time.monotonic()
    origin: float | None = None if ready else start
    pending = sorted(keys, key=lambda k: k[0]) + [(quit_at, quit_keys)]
    try:
        while True:
            now = time.monotonic()
            if now - start > timeout:
                timeline.append((now - start, "timeout: killed"))
                os.killpg(proc.pid, signal.SIGKILL)
                break
            if origin is None and ready is not None and ready in b"".join(chunks[-50:]):
                origin = now
                timeline.append((now - start, "ready"))
            while pending and origin is not None and now - origin >= pending[0][0]:
                _, data = pending.pop(0)
                try:
                    os.write(master, data)
                except OSError:
                    pass
                timeline.append((now - start, f"typed {data!r}"))
            readable, _, _ = select.select([master], [], [], 0.05)
            if readable:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    data = b""
                if not data:
                    if proc.poll() is not None:
                        break
                    continue
                chunks.append(data)
            elif proc.poll() is not None:
                # drain what is left
                while select.select([master], [], [], 0.05)[0]:
                    try:
                        data = os.read(master, 65536)
                    except OSError:
                        break
                    if not data:
                        break
                    chunks.append(data)
                break
        proc.wait(5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        os.close(master)
    return PtyRun(b"".join(chunks), proc.returncode, timeline)


# ---------------------------------------------------------------- fuzzing
# The bodies the fuzz mutates and serves are the contract's (tests/contract_examples.py).


def repeatable(examples: int) -> settings:
    """Hypothesis settings for the fuzz: the same ``examples`` cases on every run (derandomized,
    no example database), no deadline, and no health check (slow or large cases are the point)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def streamed_response(status: int, headers: dict[str, str], body: bytes) -> httpx.Response:
    """A response whose body the *client* reads and decodes (as from a socket)."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
