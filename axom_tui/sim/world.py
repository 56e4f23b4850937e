"""The simulated Fusion world: runs, their state at simulated time, and queries.

State is a pure function of (seed, simulated time): runs are planned in full
when submitted (:mod:`.plan`), their telemetry is a deterministic generator
(:mod:`.telemetry`) pulled lazily up to "now", and automatic submissions happen
at seeded times.  "Now" is the clock's time floored to a whole tick
(``SimConfig.tick`` simulated seconds), so the world moves in fixed ticks and
nothing depends on when or how often it is polled.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from .billing import overview, usage
from .catalog import BASE_MODELS, DATASETS, make_uuid
from .clock import RealClock, SimClock, iso
from .config import SimConfig
from .faults import FaultConfig
from .plan import JobState, Plan, RunSpec, build_plan, state_at
from .scenario import ROLE_ORDER, Catalog, make_spec, scripted
from .storage import ModelInfo, Storage
from .telemetry import Telemetry

METRICS_PAGE = 500
LOGS_PAGE = 1000


@dataclass
class GroundTruth:
    """Everything the simulator holds about a run now (newest values win)."""

    metrics: dict[int, dict]
    logs: list[dict]
    events: list[dict]
    result: dict | None
    status: str
    job: dict


class Run:
    __slots__ = ("spec", "plan", "created", "end", "tel", "model")

    def __init__(self, spec: RunSpec, plan: Plan, created: float) -> None:
        self.spec = spec
        self.plan = plan
        self.created = created
        self.end = created + plan.end  # when it reaches a terminal status
        self.tel: Telemetry | None = None
        self.model = ModelInfo(
            spec.model_id,
            spec.name,
            spec.params_after,
            spec.base_model_id,
            spec.id,
            spec.seed,
            self.end,
        )

    @property
    def completes(self) -> bool:
        return self.plan.final_status == "completed"

    def state(self, now: float) -> JobState:
        return state_at(self.plan, now - self.created)

    def telemetry(self, now: float) -> Telemetry:
        if self.tel is None:
            self.tel = Telemetry(self.spec, self.plan, self.created)
        self.tel.advance(now - self.created)
        return self.tel

    def job_json(self, now: float) -> dict:
        s, spec, c = self.state(now), self.spec, self.created
        return {
            "id": spec.id,
            "type": spec.type,
            "status": s.status,
            "retries": s.retries,
            "error": s.error,
            "name": spec.name,
            "base_model_id": spec.base_model_id,
            "dataset_id": spec.dataset_id,
            "hyperparams": spec.hyperparams,
            "total_steps": spec.total_steps,
            "latest_step": s.latest_step,
            "created_at": iso(c),
            "updated_at": iso(c + s.updated_rel),
            "started_at": None if s.started_rel is None else iso(c + s.started_rel),
            "finished_at": None if s.finished_rel is None else iso(c + s.finished_rel),
        }

    def events_json(self, now: float) -> list[dict]:
        n = self.plan.events_until(now - self.created)
        c = self.created
        return [
            {"ts": iso(c + t), "kind": k, "payload": dict(p)} for t, k, p in self.plan.events[:n]
        ]


class Simulator:
    def __init__(
        self,
        cfg: SimConfig | None = None,
        clock: SimClock | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.cfg = cfg = cfg or SimConfig()
        self.clock: SimClock = clock if clock is not None else RealClock(cfg.speed, cfg.start)
        self.epoch = float(self.clock.start)
        self.wall_clock = wall_clock
        self.faults: FaultConfig = cfg.faults
        self.lock = threading.RLock()
        rng = random.Random(cfg.seed)
        e = self.epoch
        self.base_models = [
            {
                "id": make_uuid(rng),
                "name": n,
                "params": p,
                "family": f,
                "context_length": ctx,
                "created_at": iso(e - 86400 * (200 - 20 * i)),
            }
            for i, (n, p, f, ctx) in enumerate(BASE_MODELS)
        ]
        self.datasets = [
            {
                "id": make_uuid(rng),
                "name": n,
                "tokens": tok,
                "rows": rows,
                "format": fmt,
                "size_bytes": tok * 3,
                "created_at": iso(e - 86400 * (90 - 7 * i)),
            }
            for i, (n, tok, rows, fmt) in enumerate(DATASETS)
        ]
        self.catalog = Catalog(self.base_models, self.datasets)
        runs: list[Run] = []
        self._index = itertools.count()
        n_init = max(0, cfg.initial_runs)
        for role in ROLE_ORDER[:n_init]:
            spec, plan, created = scripted(
                role, next(self._index), rng.getrandbits(64), self.catalog, e
            )
            runs.append(Run(spec, plan, created))
        for _ in range(max(0, n_init - len(ROLE_ORDER))):
            runs.append(self._new_run(rng.getrandbits(64), e - rng.uniform(0, 3 * 3600)))
        for _ in range(max(0, cfg.history_runs)):
            created = e - rng.uniform(1, max(1.5, cfg.history_days)) * 86400
            runs.append(self._new_run(rng.getrandbits(64), created))
        runs.sort(key=lambda r: (r.created, r.spec.index))
        self.runs: list[Run] = []
        self._by_id: dict[str, Run] = {}
        self._by_model: dict[str, Run] = {}
        for r in runs:
            self._add(r)
        self._submit_rng = random.Random(cfg.seed * 7919 + 1)
        self._next_submit = e + self._submit_gap()
        self._live = [r for r in self.runs if r.end > e]
        self._now = -math.inf
        secret = cfg.storage_secret or os.urandom(32)
        self.storage = Storage(
            self.visible_model, model_bytes=cfg.model_bytes, shards=cfg.model_shards, secret=secret
        )

    # -- time and world advance -----------------------------------------------------------
    def _submit_gap(self) -> float:
        return float(max(1, round(self.cfg.submit_every * self._submit_rng.uniform(0.5, 1.5))))

    def _new_run(self, seed: int, created: float) -> Run:
        spec = make_spec(next(self._index), seed, self.catalog)
        return Run(spec, build_plan(spec), float(int(created)))

    def _add(self, r: Run) -> None:
        self.runs.append(r)
        self._by_id[r.spec.id] = r
        self._by_model[r.spec.model_id] = r

    def now(self) -> float:
        """Current simulated time, floored to a tick; advances the world to it."""
        with self.lock:
            tick = self.cfg.tick
            t = self.clock.now()
            q = self.epoch + math.floor((t - self.epoch) / tick) * tick if tick > 0 else t
            if q > self._now:
                self._now = q
                self._advance(q)
            return self._now

    def _advance(self, now: float) -> None:
        if self.cfg.submit_every <= 0:
            return
        while self._next_submit <= now:
            at = self._next_submit
            seed = self._submit_rng.getrandbits(64)
            self._live = [r for r in self._live if r.end > at]
            if len(self._live) < self.cfg.max_live_runs:
                r = self._new_run(seed, at)
                self._add(r)
                self._live.append(r)
            self._next_submit = at + self._submit_gap()

    # -- queries (all thread-safe; the server runs in another thread) -------------------
    def _visible(self, now: float) -> list[Run]:
        # runs are sorted by creation time; all but the newest are visible
        out = self.runs
        if out and out[-1].created > now:
            out = [r for r in out if r.created <= now]
        return out

    def get_run(self, job_id: str) -> Run | None:
        r = self._by_id.get(job_id)
        return r if r is not None and r.created <= self.now() else None

    def job_ids(self) -> list[str]:
        """Visible job ids, newest first (as GET /jobs lists them)."""
        with self.lock:
            now = self.now()
            return [r.spec.id for r in reversed(self._visible(now))]

    def list_jobs(self, statuses: set[str] | None = None, limit: int = 50) -> list[dict]:
        return self.list_jobs_page(statuses, limit)[0]

    def list_jobs_page(
        self,
        statuses: set[str] | None = None,
        limit: int = 50,
        cursor: tuple[float, int] | None = None,
    ) -> tuple[list[dict], tuple[float, int] | None]:
        """One page, newest first: the runs older than ``cursor`` (the ``(created, index)``
        of the last run of the previous page), and the cursor of the next page (None: this
        is the last). A cursor names a run, not an offset, so runs submitted meanwhile do
        not shift the pages."""
        with self.lock:
            now = self.now()
            visible = self._visible(now)
            end = len(visible)
            if cursor is not None:
                end = bisect_left(visible, cursor, key=lambda r: (r.created, r.spec.index))
            out: list[dict] = []
            last: Run | None = None
            i = end - 1
            while i >= 0:
                r = visible[i]
                i -= 1
                if statuses is not None and r.state(now).status not in statuses:
                    continue
                if len(out) >= limit:
                    return out, (last.created, last.spec.index) if last else None
                out.append(r.job_json(now))
                last = r
            return out, None

    def job(self, job_id: str) -> dict | None:
        with self.lock:
            r = self.get_run(job_id)
            return None if r is None else r.job_json(self._now)

    def metrics(self, job_id: str, since: int | None, limit: int = METRICS_PAGE) -> dict | None:
        with self.lock:
            r = self.get_run(job_id)
            if r is None:
                return None
            now = self._now
            tel = r.telemetry(now)
            i = 0 if since is None else bisect_right(tel.steps, since)
            pts = tel.points[i : i + limit]
            return {
                "job_id": job_id,
                "count": len(pts),
                "latest_step": r.state(now).latest_step,
                "points": pts,
            }

    def logs(self, job_id: str, since: int | None, limit: int = LOGS_PAGE) -> dict | None:
        with self.lock:
            r = self.get_run(job_id)
            if r is None:
                return None
            tel = r.telemetry(self._now)
            start = max(0, since or 0)
            lines = tel.lines[start : start + limit]
            # latest_seq is the cursor to pass next: the last line sent (so a client that
            # follows the docs never skips lines when a response is capped).
            latest = lines[-1]["seq"] if lines else len(tel.lines)
            return {"job_id": job_id, "latest_seq": latest, "lines": lines}

    def events(self, job_id: str) -> list[dict] | None:
        with self.lock:
            r = self.get_run(job_id)
            return None if r is None else r.events_json(self._now)

    def result(self, job_id: str) -> tuple[dict | None, str | None]:
        """(result, status); (None, None) for an unknown job."""
        with self.lock:
            r = self.get_run(job_id)
            if r is None:
                return None, None
            now = self._now
            st = r.state(now).status
            if st != "completed":
                return None, st
            return r.telemetry(now).result, st

    def visible_model(self, model_id: str) -> ModelInfo | None:
        with self.lock:
            r = self._by_model.get(model_id)
            if r is None or not r.completes or r.end > self.now():
                return None
            return r.model

    def models(self) -> list[dict]:
        with self.lock:
            now = self.now()
            done = [r for r in self.runs if r.completes and r.end <= now]
            done.sort(key=lambda r: (r.end, r.spec.index), reverse=True)
            return [model_json(r.model) for r in done]

    def ground_truth(self, job_id: str) -> GroundTruth:
        """The full current truth about one run (for comparing a client's store)."""
        with self.lock:
            r = self.get_run(job_id)
            if r is None:
                raise KeyError(job_id)
            now = self._now
            tel = r.telemetry(now)
            return GroundTruth(
                metrics={p["step"]: dict(p) for p in tel.points},
                logs=[dict(x) for x in tel.lines],
                events=r.events_json(now),
                result=None if tel.result is None else dict(tel.result),
                status=r.state(now).status,
                job=r.job_json(now),
            )

    def overview(self, days: int = 30) -> dict:
        with self.lock:
            now = self.now()
            return overview(self._visible(now), now, days, len(self.datasets))

    def usage(self, days: int = 14) -> dict:
        with self.lock:
            now = self.now()
            return usage(self._visible(now), now, days)

    def expected_sha256(self, model_id: str, rel: str) -> str:
        return self.storage.expected_sha256(model_id, rel)

    def read_range(self, model_id: str, rel: str, start: int = 0, end: int | None = None) -> bytes:
        return self.storage.read_range(model_id, rel, start, end)


def model_json(m: ModelInfo) -> dict:
    return {
        "id": m.id,
        "name": m.name,
        "version": "v1",
        "params": m.params,
        "base_model_id": m.base_model_id,
        "lineage": {"job_id": m.job_id},
        "status": "ready",
        "created_at": iso(m.created),
    }
