"""Write a run's metrics as CSV (shared by the `e` key and `axom-tui export`)."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

COLUMNS = ("loss", "grad_norm", "lr", "throughput", "vram_gb")


def safe_file_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:80]
    return stem or "run"


def write_metrics_csv(series, path: Path) -> int:
    """Write ``step,cycle,phase,<COLUMNS>`` rows; NaN/inf written as ``nan``/``inf``. Returns rows."""
    columns = [series.column(name) for name in COLUMNS]
    cycles = series.cycles_per_point() if hasattr(series, "cycles_per_point") else None
    phases = series.phases_per_point() if hasattr(series, "phases_per_point") else None
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("step", "cycle", "phase", *COLUMNS))
        for i, step in enumerate(series.steps):
            values = [_fmt(col[i]) for col in columns]
            writer.writerow((step, cycles[i] if cycles else "", phases[i] if phases else "", *values))
    tmp.replace(path)
    return len(series.steps)


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def export_metrics_csv(run, folder: Path) -> Path:
    """Write the run's metrics into ``folder`` as ``<name>-<id8>-metrics.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    job = run.job
    name = safe_file_stem(job.display_name if job else "run")
    job_id = safe_file_stem(job.id[:8] if job else "unknown")
    path = folder / f"{name}-{job_id}-metrics.csv"
    write_metrics_csv(run.metrics, path)
    return path
