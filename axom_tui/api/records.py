"""Typed records for every shape in the Fusion API contract, and their parsers.

Parsers take decoded JSON and the endpoint label (for error messages). An answer whose
shape cannot be read at all (not an object, a list that is not a list) raises
:class:`~axom_tui.api.errors.BadPayloadError`; within it, one bad item is skipped and
one bad field left empty, and what was left out travels with the answer as
``.issues`` (:mod:`axom_tui.api.issues`). The download manifest stays all-or-nothing:
a model with a file missing is not a model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from axom_tui.api.errors import BadPayloadError
from axom_tui.api.fields import Fields, unwrap_list
from axom_tui.api.issues import CLEAN, IssueLog, Listing, ParseIssues
from axom_tui.api.item_parsing import ItemMemo, each_item, next_cursor, point_fast, usable

KNOWN_STATUSES = (
    "queued",
    "provisioning",
    "staging",
    "running",
    "checkpointing",
    "uploading",
    "completed",
    "failed",
    "preempted",
)
TERMINAL_STATUSES = frozenset({"completed", "failed"})
# Statuses in which a run makes progress and metrics flow.
ACTIVE_STATUSES = frozenset({"running", "checkpointing", "uploading"})
WAITING_STATUSES = frozenset({"queued", "provisioning", "staging", "preempted"})
NAN = math.nan
T = TypeVar("T")


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    status: str
    type: str = "train"
    retries: int = 0
    error: str | None = None
    name: str = ""
    base_model_id: str | None = None
    dataset_id: str | None = None
    hyperparams: dict[str, Any] = field(default_factory=dict)
    total_steps: int | None = None
    latest_step: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: Fields this answer left empty (not part of equality: the same job, read twice).
    issues: ParseIssues = field(default=CLEAN, compare=False, repr=False)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def display_name(self) -> str:
        return self.name or str(self.hyperparams.get("output_name") or "") or self.id[:8]


@dataclass(frozen=True, slots=True)
class MetricPoint:
    step: int
    loss: float = NAN
    grad_norm: float = NAN
    lr: float = NAN
    throughput: float = NAN
    vram_gb: float = NAN
    cycle: int | None = None
    phase: str | None = None
    ts: datetime | None = None


@dataclass(frozen=True, slots=True)
class MetricsPage:
    job_id: str
    latest_step: int | None
    points: list[MetricPoint]
    issues: ParseIssues = field(default=CLEAN, compare=False, repr=False)

    @property
    def more_waiting(self) -> bool:
        """True when the server holds steps past the last point returned (catch-up)."""
        if self.latest_step is None or not self.points:
            return False
        return self.latest_step > max(p.step for p in self.points)


@dataclass(frozen=True, slots=True)
class LogLine:
    seq: int
    text: str
    stream: str = "stdout"
    ts: datetime | None = None


@dataclass(frozen=True, slots=True)
class LogsPage:
    job_id: str
    latest_seq: int | None
    lines: list[LogLine]
    issues: ParseIssues = field(default=CLEAN, compare=False, repr=False)

    @property
    def more_waiting(self) -> bool:
        if self.latest_seq is None or not self.lines:
            return False
        return self.latest_seq > max(line.seq for line in self.lines)


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    ts: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    job_id: str
    ppl_baseline: float | None = None
    ppl_final: float | None = None
    ppl_delta_pct: float | None = None
    loss_final: float | None = None
    params_before: int | None = None
    params_after: int | None = None
    params_delta: int | None = None
    function_preservation: float | None = None
    gpu_seconds: float | None = None
    tokens_processed: int | None = None
    cost_usd: float | None = None
    issues: ParseIssues = field(default=CLEAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Model:
    id: str
    name: str = ""
    version: str = ""
    params: int | None = None
    base_model_id: str | None = None
    job_id: str | None = None
    status: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ManifestFile:
    rel: str
    size: int
    url: str
    sha256: str | None = None

    def __repr__(self) -> str:  # the URL carries a signature: keep it out of reprs and logs
        return f"ManifestFile(rel={self.rel!r}, size={self.size})"


@dataclass(frozen=True, slots=True)
class Manifest:
    model_id: str
    name: str
    version: str
    files: list[ManifestFile]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True, slots=True)
class Overview:
    active_runs: int | None = None
    models: int | None = None
    datasets: int | None = None
    gpu_minutes_period: float | None = None
    tokens_period: int | None = None
    spend_usd_period: float | None = None
    period_days: int | None = None
    issues: ParseIssues = field(default=CLEAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UsageBucket:
    date: str
    gpu_minutes: float | None = None
    tokens: int | None = None
    cost_usd: float | None = None
    jobs: int | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    period_days: int | None = None
    unit: str | None = None
    total_gpu_minutes: float | None = None
    total_tokens: int | None = None
    total_cost_usd: float | None = None
    total_jobs: int | None = None
    buckets: list[UsageBucket] = field(default_factory=list)
    issues: ParseIssues = field(default=CLEAN, compare=False, repr=False)


# ---------------------------------------------------------------- parsers


def parse_job(body: Any, endpoint: str, where: str = "", log: IssueLog | None = None) -> Job:
    """One job. ``id`` and ``status`` are required (without them it is not a run we can
    follow); any other field of the wrong type is left empty and counted."""
    own = IssueLog() if log is None else log
    f = Fields(body, endpoint, where, own)
    job_id = f.identifier("id") or ""
    status = f.text("status", required=True) or ""
    values: dict[str, Any] = dict(
        id=job_id,
        status=status,
        type=f.text("type") or "unknown",
        retries=f.integer("retries") or 0,
        error=_error_text(f.raw("error")),
        name=f.text("name") or "",
        base_model_id=f.identifier("base_model_id", required=False),
        dataset_id=f.identifier("dataset_id", required=False),
        hyperparams=f.mapping("hyperparams"),
        total_steps=f.integer("total_steps"),
        latest_step=f.integer("latest_step"),
        created_at=f.timestamp("created_at"),
        updated_at=f.timestamp("updated_at"),
        started_at=f.timestamp("started_at"),
        finished_at=f.timestamp("finished_at"),
    )
    return Job(**values, issues=CLEAN if own.clean else own.issues(1, "job"))


def parse_jobs(body: Any, endpoint: str, memo: ItemMemo | None = None) -> Listing[Job]:
    """A page of the job list: the jobs that parsed, what was left out, the next cursor.
    ``memo``: the jobs of earlier pages, by id (a job whose JSON is unchanged is reused)."""
    items = unwrap_list(body, endpoint, "jobs", "items", "data")
    log = IssueLog()

    def one(raw: Any, where: str) -> Job:
        job: Job | None = memo.get(raw) if memo is not None else None
        if job is not None:
            return job
        job = parse_job(raw, endpoint, where)
        log.absorb(job.issues)
        if memo is not None and job.issues.clean:
            memo.put(raw, job)
        return job

    jobs = each_item(items, log, one, endpoint=endpoint)
    return Listing(jobs, log.issues(len(items), "job"), next_cursor(body))


def _error_text(value: Any) -> str | None:
    """``error`` may be a string or an object; keep something readable either way."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("message", "detail", "error", "reason"):
            text = value.get(key)
            if isinstance(text, str):
                return text
    try:
        return json.dumps(value, sort_keys=True, allow_nan=True)[:2000]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:2000]


def _feed_page(
    body: Any,
    endpoint: str,
    job_id: str,
    items: str,
    latest: str,
    reader: Callable[[str, IssueLog], Callable[[Any, str], T]],
) -> tuple[str, int | None, list[T], ParseIssues]:
    """A page of a run's feed (metrics or logs): its job id (``job_id`` when it gives
    none), its ``latest`` position, its ``items`` read by ``reader(endpoint, log)`` (made
    once per page), and what was wrong with them."""
    log = IssueLog()
    f = Fields(body, endpoint, "", log)
    raw = f.array(items)
    parsed = each_item(raw, log, reader(endpoint, log), items, endpoint)
    page_job = f.identifier("job_id", required=False) or job_id
    position = f.integer(latest)
    return page_job, position, parsed, log.issues(len(raw), items.removesuffix("s"))


def _point_reader(endpoint: str, log: IssueLog) -> Callable[[Any, str], MetricPoint]:
    def one(raw: Any, where: str) -> MetricPoint:
        point = point_fast(raw, MetricPoint)
        if point is not None:
            return point
        p = Fields(raw, endpoint, where, log, top=False)
        return MetricPoint(
            step=p.integer("step", required=True) or 0,
            loss=_nan_if_none(p.number("loss")),
            grad_norm=_nan_if_none(p.number("grad_norm")),
            lr=_nan_if_none(p.number("lr")),
            throughput=_nan_if_none(p.number("throughput")),
            vram_gb=_nan_if_none(p.number("vram_gb")),
            cycle=p.integer("cycle"),
            phase=p.text("phase"),
            ts=p.timestamp("ts"),
        )

    return one


def parse_metrics(body: Any, endpoint: str, job_id: str) -> MetricsPage:
    page = _feed_page(body, endpoint, job_id, "points", "latest_step", _point_reader)
    return MetricsPage(*page)


def _nan_if_none(value: float | None) -> float:
    return NAN if value is None else value


def _line_reader(endpoint: str, log: IssueLog) -> Callable[[Any, str], LogLine]:
    def one(raw: Any, where: str) -> LogLine:
        line = Fields(raw, endpoint, where, log, top=False)
        return LogLine(
            seq=line.integer("seq", required=True) or 0,
            text=line.text("text") or "",
            stream=line.text("stream") or "stdout",
            ts=line.timestamp("ts"),
        )

    return one


def parse_logs(body: Any, endpoint: str, job_id: str) -> LogsPage:
    return LogsPage(*_feed_page(body, endpoint, job_id, "lines", "latest_seq", _line_reader))


def parse_events(body: Any, endpoint: str) -> Listing[Event]:
    items = unwrap_list(body, endpoint, "events", "items", "data")
    log = IssueLog()

    def one(raw: Any, where: str) -> Event:
        e = Fields(raw, endpoint, where, log, top=False)
        payload = e.raw("payload")
        if payload is not None and not isinstance(payload, dict):
            payload = {"value": payload}
        return Event(kind=e.text("kind") or "unknown", ts=e.timestamp("ts"), payload=payload or {})

    events = each_item(items, log, one, endpoint=endpoint)
    return Listing(events, log.issues(len(items), "event"))


def parse_result(body: Any, endpoint: str, job_id: str) -> Result:
    log = IssueLog()
    f = Fields(body, endpoint, "", log)
    values: dict[str, Any] = dict(
        job_id=f.identifier("job_id", required=False) or job_id,
        ppl_baseline=f.number("ppl_baseline"),
        ppl_final=f.number("ppl_final"),
        ppl_delta_pct=f.number("ppl_delta_pct"),
        loss_final=f.number("loss_final"),
        params_before=f.integer("params_before"),
        params_after=f.integer("params_after"),
        params_delta=f.integer("params_delta"),
        function_preservation=f.number("function_preservation"),
        gpu_seconds=f.number("gpu_seconds"),
        tokens_processed=f.integer("tokens_processed"),
        cost_usd=f.number("cost_usd"),
    )
    usable(values, log, endpoint, "job_id")
    return Result(**values, issues=CLEAN if log.clean else log.issues(1, "result"))


def parse_models(body: Any, endpoint: str, memo: ItemMemo | None = None) -> Listing[Model]:
    items = unwrap_list(body, endpoint, "models", "items", "data")
    log = IssueLog()

    def one(raw: Any, where: str) -> Model:
        model: Model | None = memo.get(raw) if memo is not None else None
        if model is not None:
            return model
        before = (log.skipped, log.emptied)
        model = _model(raw, endpoint, where, log)
        if memo is not None and (log.skipped, log.emptied) == before:
            memo.put(raw, model)
        return model

    models = each_item(items, log, one, endpoint=endpoint)
    return Listing(models, log.issues(len(items), "model"))


def _model(raw: Any, endpoint: str, where: str, log: IssueLog) -> Model:
    m = Fields(raw, endpoint, where, log, top=False)
    model_id = m.identifier("id") or ""
    lineage = m.child("lineage")
    return Model(
        id=model_id,
        name=m.text("name") or "",
        version=m.text("version") or "",
        params=m.integer("params"),
        base_model_id=m.identifier("base_model_id", required=False),
        job_id=lineage.identifier("job_id", required=False) if lineage else None,
        status=m.text("status") or "",
        created_at=m.timestamp("created_at"),
    )


def parse_manifest(body: Any, endpoint: str, model_id: str) -> Manifest:
    f = Fields(body, endpoint)
    files = []
    for i, raw in enumerate(f.array("files", required=True)):
        item = Fields(raw, endpoint, f"files[{i}]")
        size = item.integer("size", required=True) or 0
        if size < 0:
            raise BadPayloadError(endpoint, "negative size", f"files[{i}].size")
        files.append(
            ManifestFile(
                rel=item.text("rel", required=True) or "",
                size=size,
                url=item.text("url", required=True) or "",
                sha256=item.text("sha256"),
            )
        )
    return Manifest(
        model_id=f.identifier("model_id", required=False) or model_id,
        name=f.text("name") or "",
        version=f.text("version") or "",
        files=files,
    )


def parse_overview(body: Any, endpoint: str) -> Overview:
    log = IssueLog()
    f = Fields(body, endpoint, "", log)
    values: dict[str, Any] = dict(
        active_runs=f.integer("active_runs"),
        models=f.integer("models"),
        datasets=f.integer("datasets"),
        gpu_minutes_period=f.number("gpu_minutes_period"),
        tokens_period=f.integer("tokens_period"),
        spend_usd_period=f.number("spend_usd_period"),
        period_days=f.integer("period_days"),
    )
    usable(values, log, endpoint)
    return Overview(**values, issues=CLEAN if log.clean else log.issues(1, "overview"))


def parse_usage(body: Any, endpoint: str) -> Usage:
    log = IssueLog()
    f = Fields(body, endpoint, "", log)
    raw_buckets = f.array("buckets")

    def one(raw: Any, where: str) -> UsageBucket:
        b = Fields(raw, endpoint, where, log, top=False)
        return UsageBucket(
            date=b.text("date") or "",
            gpu_minutes=b.number("gpu_minutes"),
            tokens=b.integer("tokens"),
            cost_usd=b.number("cost_usd"),
            jobs=b.integer("jobs"),
        )

    buckets = each_item(raw_buckets, log, one, "buckets", endpoint)
    return Usage(
        period_days=f.integer("period_days"),
        unit=f.text("unit"),
        total_gpu_minutes=f.number("total_gpu_minutes"),
        total_tokens=f.integer("total_tokens"),
        total_cost_usd=f.number("total_cost_usd"),
        total_jobs=f.integer("total_jobs"),
        buckets=buckets,
        issues=log.issues(len(raw_buckets), "bucket"),
    )


def parse_catalog(body: Any, endpoint: str) -> Listing[dict[str, Any]]:
    items = unwrap_list(body, endpoint, "items", "data", "base_models", "datasets")
    log = IssueLog()

    def one(item: Any, where: str) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise BadPayloadError(endpoint, "expected an object", where)
        return item

    return Listing(each_item(items, log, one, endpoint=endpoint), log.issues(len(items), "item"))
