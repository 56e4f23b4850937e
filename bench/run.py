"""Every benchmark of axom-tui, each figure beside its baseline measured in the same run.

    .venv/bin/python bench/run.py [--quick] [--only NAME[,NAME...]]

Prints the date, the machine (cores, load, a reference loop to tell a slow or busy
machine from a slow program), then one table row per figure::

    name | ours | baseline | ratio | budget | PASS/FAIL

with details under the table (numbered), and exits 1 if any budget fails. Quick mode
takes under 2 minutes; the full run about 4-5 minutes (1M-line log ingest, 1M-dict
baseline, 40 s CPU window, 10 virtual minutes of polling per world size, 1 GB
downloads 5+2 times each).

Sections (``--only``): chart, store, tui (CPU, bytes, first frame), poll, big (idle CPU
and filter latency at 10 / 1,000 / 5,000 runs), log, history (the run cache), download.
The chart and log figures come from bench/chart_bench.py and bench/log_bench.py. Each
section runs in a fresh Python process, one after the other, so that none inherits
another's heap, threads or garbage-collector state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REFERENCE_LOOP_LAPTOP_MS, BenchLine, reference_loop_ms

HEADER = "name | ours | baseline | ratio | budget | PASS/FAIL"
RESULT_MARK = "@@bench-result@@ "


def _chart(quick: bool) -> list[BenchLine]:
    from bench import chart_bench

    return chart_bench.run(quick)


def _store(quick: bool) -> list[BenchLine]:
    from bench import store_bench

    return store_bench.run(quick)


def _tui_steady(quick: bool) -> list[BenchLine]:
    from bench import tui_bench

    return tui_bench.steady_state(quick)


def _tui_first_frame(quick: bool) -> list[BenchLine]:
    from bench import tui_bench

    return tui_bench.first_frame(quick)


def _tui_cursor(quick: bool) -> list[BenchLine]:
    from bench import tui_bench

    return tui_bench.cursor_parked(quick)


def _poll(quick: bool) -> list[BenchLine]:
    from bench import poll_bench

    return poll_bench.run(quick)


def _log(quick: bool) -> list[BenchLine]:
    from bench import log_bench

    return [
        dataclasses.replace(line, name=f"log pane: {line.name}") for line in log_bench.run(quick)
    ]


def _big(quick: bool) -> list[BenchLine]:
    from bench import big_account_bench

    return big_account_bench.run(quick)


def _history(quick: bool) -> list[BenchLine]:
    from bench import history_bench

    return history_bench.run(quick)


def _download(quick: bool) -> list[BenchLine]:
    from bench import download_bench

    return download_bench.run(quick)


# (section, label, function): in the order of the table
SECTIONS: list[tuple[str, str, Callable[[bool], list[BenchLine]]]] = [
    ("chart", "chart redraw", _chart),
    ("store", "store memory", _store),
    ("tui", "CPU and bytes of axom-tui --demo", _tui_steady),
    ("tui", "CPU with the chart cursor parked", _tui_cursor),
    ("poll", "requests and staleness", _poll),
    ("big", "a big account: idle CPU and filter at 10 / 1,000 / 5,000 runs", _big),
    ("log", "log pane ingest", _log),
    ("tui", "time to first frame", _tui_first_frame),
    ("history", "run cache: restart, bytes, CPU, bundles", _history),
    ("download", "download vs curl", _download),
]


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"# {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} | os.cpu_count()={os.cpu_count()} | "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} | Python {platform.python_version()} "
        f"on {platform.machine()} | reference loop sum(range(100_000)) = "
        f"{reference_loop_ms():.2f} ms (about {REFERENCE_LOOP_LAPTOP_MS:g} ms on a recent laptop core)"
    )


def _child(index: int, quick: bool) -> int:
    """Run one section in this (fresh) process; print its lines as JSON."""
    _, _, fn = SECTIONS[index]
    lines = fn(quick)
    print(RESULT_MARK + json.dumps([dataclasses.asdict(line) for line in lines]), flush=True)
    return 0


def _run_section(index: int, label: str, quick: bool) -> list[BenchLine]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(index)]
    proc = subprocess.run(
        argv + (["--quick"] if quick else []),
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    for out in reversed(proc.stdout.splitlines()):
        if out.startswith(RESULT_MARK):
            return [BenchLine(**fields) for fields in json.loads(out[len(RESULT_MARK) :])]
    return [
        BenchLine(
            f"{label}: did not run",
            float("nan"),
            None,
            None,
            "runs",
            False,
            note=f"exit status {proc.returncode}; its traceback is above",
        )
    ]


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    if "--child" in argv:
        return _child(int(argv[argv.index("--child") + 1]), quick)
    only: set[str] | None = None
    if "--only" in argv:
        only = set(argv[argv.index("--only") + 1].split(","))
    started = time.perf_counter()
    print(f"# axom-tui benchmarks ({'quick' if quick else 'full'})")
    print(machine(), flush=True)
    lines: list[BenchLine] = []
    timings: list[str] = []
    for index, (section, label, _) in enumerate(SECTIONS):
        if only is not None and section not in only:
            continue
        t0 = time.perf_counter()
        print(f"# running: {label} …", file=sys.stderr, flush=True)
        lines += _run_section(index, label, quick)
        timings.append(f"{label} {time.perf_counter() - t0:.0f} s")
    notes: list[str] = []
    print(HEADER)
    for line in lines:
        if line.note:
            notes.append(line.note)
            line = dataclasses.replace(line, name=f"{line.name} [{len(notes)}]")
        print(line.row())
    print()
    for k, note in enumerate(notes, 1):
        print(f"[{k}] {note}")
    failed = [line for line in lines if not line.passed]
    print()
    print(
        "# ratio = ours / baseline, except chart rows (baseline / ours: a speed-up) and the "
        "download row (our throughput / curl's)"
    )
    print(
        f"# {len(lines) - len(failed)} PASS, {len(failed)} FAIL; took "
        f"{time.perf_counter() - started:.0f} s ({'; '.join(timings)})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
