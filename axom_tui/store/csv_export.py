"""A run's metrics as CSV, the same file from the `e` key and from `axom-tui export`.

Both fetch the run's whole metric history from the API (``fetch_points``): the server's
points carry everything a point has, its timestamp included, while the store keeps only
what the dashboard draws (no timestamps: they would cost 4 of the 48 bytes a point may
take) and only as much history as has been fetched so far. When the API cannot be
reached the app writes what the store holds instead, with the timestamp column empty.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from axom_tui.api.records import MetricPoint, MetricsPage
from axom_tui.base.sanitize import clean_text

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


def points_from_series(series: Any) -> list[MetricPoint]:
    """The points a store's ``MetricSeries`` holds (it keeps no timestamps)."""
    loss, grad_norm, lr, throughput, vram_gb = (series.column(name) for name in COLUMNS)
    cycles = series.column("cycle")
    phases = series.column("phase")
    names = series.phase_names
    points = []
    for i, step in enumerate(series.steps):
        code = phases[i]
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
            )
        )
    return points


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
