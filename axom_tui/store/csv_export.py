"""A run's metrics as CSV, the same file from the `e` key and from `axom-tui export`.

The `e` key writes what the store holds (:func:`points_from_series`): every field of a
point, its time included, which the store keeps to :data:`TIME_QUANTUM` (its
``StepTimes``: a byte per point beside a few lines), so no request is made, online or
in an opened bundle. `axom-tui export` has no store: it fetches the run's points
(:func:`fetch_points`) and writes their exact stamps.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from axom_tui.api.records import MetricPoint, MetricsPage
from axom_tui.base.sanitize import clean_text
from axom_tui.store.step_times import QUANTUM as TIME_QUANTUM

if TYPE_CHECKING:
    from axom_tui.store.metric_series import MetricSeries

COLUMNS = ("loss", "grad_norm", "lr", "throughput", "vram_gb")
HEADER = ("step", "timestamp", "cycle", "phase", *COLUMNS)
#: Upper bound on pages fetched for one run (500 points each: 50 M points).
MAX_PAGES = 100_000


class MetricsSource(Protocol):
    async def get_metrics(self, job_id: str, since_step: int | None = None) -> MetricsPage: ...


def safe_file_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:80]
    return stem or "run"


async def fetch_points(client: MetricsSource, job_id: str) -> list[MetricPoint]:
    """Every metric point of the run, one per step (a step sent again: the newest wins), by step."""
    by_step: dict[int, MetricPoint] = {}
    since: int | None = None
    for _ in range(MAX_PAGES):
        page = await client.get_metrics(job_id, since_step=since)
        for point in page.points:
            by_step[point.step] = point
        if not page.points or not page.more_waiting:
            break
        since = max(p.step for p in page.points)
    return [by_step[step] for step in sorted(by_step)]


def points_from_series(series: MetricSeries) -> list[MetricPoint]:
    """The points a store's series holds, each with its time as the store keeps it
    (within ``series.times.max_error`` of its stamp; None where it came without one)."""
    loss, grad_norm, lr, throughput, vram_gb = (series.column(name) for name in COLUMNS)
    cycles = series.column("cycle")
    phases = series.column("phase")
    names = series.phase_names
    times = series.times
    points = []
    for i, step in enumerate(series.steps):
        code = phases[i]
        t = times.at(i, step)
        points.append(
            MetricPoint(
                step,
                loss=loss[i],
                grad_norm=grad_norm[i],
                lr=lr[i],
                throughput=throughput[i],
                vram_gb=vram_gb[i],
                cycle=cycles[i] or None,  # 0: not sent
                phase=names[code] if 0 <= code < len(names) else None,
                ts=None if t is None else datetime.fromtimestamp(t, UTC),
            )
        )
    return points


def times_note(series: MetricSeries) -> str:
    """How far the exported times may be from the stamps, for the notice."""
    stamped = sum(1 for i, step in enumerate(series.steps) if series.times.at(i, step) is not None)
    if not stamped:
        return "no timestamps: the points came without them"
    error_ms = 1000 * series.times.max_error
    note = f"timestamps within {error_ms:.0f} ms, as the dashboard keeps them"
    if error_ms > 1000 * TIME_QUANTUM:
        note += " (coarsened: very irregular stamps)"
    missing = len(series) - stamped
    return note + (f"; {missing:,} points without one" if missing else "")


def write_csv(points: Sequence[MetricPoint], handle: TextIO) -> int:
    """Write the header and one row per point; NaN/inf as ``nan``/``inf``. Returns rows."""
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    for p in points:
        writer.writerow(
            (
                p.step,
                _timestamp(p.ts),
                "" if p.cycle is None else p.cycle,
                clean_text(p.phase, 40) if p.phase else "",
                *(_number(getattr(p, name)) for name in COLUMNS),
            )
        )
    return len(points)


def write_csv_file(points: Sequence[MetricPoint], path: Path) -> int:
    """:func:`write_csv` to ``path``, atomically (a reader never sees half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        rows = write_csv(points, handle)
    tmp.replace(path)
    return rows


def export_path(folder: Path, name: str | None, job_id: str) -> Path:
    """``<folder>/<name>-<id8>-metrics.csv``."""
    return folder / f"{safe_file_stem(name or 'run')}-{safe_file_stem(job_id[:8])}-metrics.csv"


def _timestamp(ts: datetime | None) -> str:
    if ts is None:
        return ""
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC)
    return ts.replace(tzinfo=None).isoformat() + "Z"


def _number(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)
