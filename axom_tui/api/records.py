"""Typed records for every shape in the Fusion API contract, and their parsers.

Parsers take decoded JSON and the endpoint label (for error messages) and either
return a record or raise :class:`~axom_tui.api.errors.BadPayloadError`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from axom_tui.api.errors import BadPayloadError
from axom_tui.api.fields import Fields, unwrap_list

KNOWN_STATUSES = (
    "queued", "provisioning", "staging", "running", "checkpointing",
    "uploading", "completed", "failed", "preempted",
)
TERMINAL_STATUSES = frozenset({"completed", "failed"})
# Statuses in which a run makes progress and metrics flow.
ACTIVE_STATUSES = frozenset({"running", "checkpointing", "uploading"})
WAITING_STATUSES = frozenset({"queued", "provisioning", "staging", "preempted"})
NAN = math.nan


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


# ---------------------------------------------------------------- parsers


def parse_job(body: Any, endpoint: str, where: str = "") -> Job:
    f = Fields(body, endpoint, where)
    return Job(
        id=f.identifier("id") or "",
        status=f.text("status", required=True) or "",
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


def parse_jobs(body: Any, endpoint: str) -> list[Job]:
    items = unwrap_list(body, endpoint, "jobs", "items", "data")
    return [parse_job(item, endpoint, f"[{i}]") for i, item in enumerate(items)]


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
    except (TypeError, ValueError):
        return repr(value)[:2000]


def parse_metrics(body: Any, endpoint: str, job_id: str) -> MetricsPage:
    f = Fields(body, endpoint)
    points = []
    for i, raw in enumerate(f.array("points")):
        p = Fields(raw, endpoint, f"points[{i}]")
        points.append(
            MetricPoint(
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
        )
    return MetricsPage(job_id=f.identifier("job_id", required=False) or job_id,
                       latest_step=f.integer("latest_step"), points=points)


def _nan_if_none(value: float | None) -> float:
    return NAN if value is None else value


def parse_logs(body: Any, endpoint: str, job_id: str) -> LogsPage:
    f = Fields(body, endpoint)
    lines = []
    for i, raw in enumerate(f.array("lines")):
        line = Fields(raw, endpoint, f"lines[{i}]")
        lines.append(
            LogLine(
                seq=line.integer("seq", required=True) or 0,
                text=line.text("text") or "",
                stream=line.text("stream") or "stdout",
                ts=line.timestamp("ts"),
            )
        )
    return LogsPage(job_id=f.identifier("job_id", required=False) or job_id,
                    latest_seq=f.integer("latest_seq"), lines=lines)


def parse_events(body: Any, endpoint: str) -> list[Event]:
    items = unwrap_list(body, endpoint, "events", "items", "data")
    events = []
    for i, raw in enumerate(items):
        e = Fields(raw, endpoint, f"[{i}]")
        payload = e.raw("payload")
        if payload is not None and not isinstance(payload, dict):
            payload = {"value": payload}
        events.append(Event(kind=e.text("kind") or "unknown", ts=e.timestamp("ts"), payload=payload or {}))
    return events


def parse_result(body: Any, endpoint: str, job_id: str) -> Result:
    f = Fields(body, endpoint)
    return Result(
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


def parse_models(body: Any, endpoint: str) -> list[Model]:
    items = unwrap_list(body, endpoint, "models", "items", "data")
    models = []
    for i, raw in enumerate(items):
        m = Fields(raw, endpoint, f"[{i}]")
        lineage = m.child("lineage")
        models.append(
            Model(
                id=m.identifier("id") or "",
                name=m.text("name") or "",
                version=m.text("version") or "",
                params=m.integer("params"),
                base_model_id=m.identifier("base_model_id", required=False),
                job_id=lineage.identifier("job_id", required=False) if lineage else None,
                status=m.text("status") or "",
                created_at=m.timestamp("created_at"),
            )
        )
    return models


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
    f = Fields(body, endpoint)
    return Overview(
        active_runs=f.integer("active_runs"),
        models=f.integer("models"),
        datasets=f.integer("datasets"),
        gpu_minutes_period=f.number("gpu_minutes_period"),
        tokens_period=f.integer("tokens_period"),
        spend_usd_period=f.number("spend_usd_period"),
        period_days=f.integer("period_days"),
    )


def parse_usage(body: Any, endpoint: str) -> Usage:
    f = Fields(body, endpoint)
    buckets = []
    for i, raw in enumerate(f.array("buckets")):
        b = Fields(raw, endpoint, f"buckets[{i}]")
        buckets.append(
            UsageBucket(
                date=b.text("date") or "",
                gpu_minutes=b.number("gpu_minutes"),
                tokens=b.integer("tokens"),
                cost_usd=b.number("cost_usd"),
                jobs=b.integer("jobs"),
            )
        )
    return Usage(
        period_days=f.integer("period_days"),
        unit=f.text("unit"),
        total_gpu_minutes=f.number("total_gpu_minutes"),
        total_tokens=f.integer("total_tokens"),
        total_cost_usd=f.number("total_cost_usd"),
        total_jobs=f.integer("total_jobs"),
        buckets=buckets,
    )


def parse_catalog(body: Any, endpoint: str) -> list[dict[str, Any]]:
    items = unwrap_list(body, endpoint, "items", "data", "base_models", "datasets")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadPayloadError(endpoint, "expected an object", f"[{i}]")
    return items
