"""Shared shape of benchmark results: one ``BenchLine`` per measured figure."""

from __future__ import annotations

import json
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: ``reference_loop_ms()`` on a recent laptop core (CPython 3.11), for scaling CPU figures.
REFERENCE_LOOP_LAPTOP_MS = 1.0


def reference_loop_ms() -> float:
    """Best of 5 of ``sum(range(100_000))`` in ms: about 1 ms on a recent laptop core.

    CPU-time figures scale roughly with it, so it tells a slow or busy machine from a
    slow program."""
    return min(timeit.repeat("sum(range(100_000))", number=10, repeat=5)) / 10 * 1000


@dataclass(frozen=True, slots=True)
class BenchLine:
    name: str
    ours: float
    baseline: float | None
    ratio: float | None
    budget: str
    passed: bool
    unit: str = ""
    #: Details printed under the table (conditions, raw runs); not part of ``row()``.
    note: str = ""

    def row(self) -> str:
        """``name | ours | baseline | ratio | budget | PASS/FAIL``."""

        def num(value: float | None) -> str:
            if value is None:
                return "-"
            return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"

        unit = f" {self.unit}" if self.unit else ""
        baseline = "-" if self.baseline is None else f"{num(self.baseline)}{unit}"
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}x"
        verdict = "PASS" if self.passed else "FAIL"
        ours = f"{num(self.ours)}{unit}"
        return f"{self.name} | {ours} | {baseline} | {ratio} | {self.budget} | {verdict}"


def run_standalone(name: str, argv: list[str], run: Callable[[bool], list[BenchLine]]) -> int:
    """``main()`` of one bench script: print its lines (and notes); 1 when a budget fails."""
    quick = "--quick" in argv
    started = time.perf_counter()
    lines = run(quick)
    for line in lines:
        print(line.row())
        if line.note:
            print(f"    {line.note}")
    print(f"# {name} bench took {time.perf_counter() - started:.1f} s{' (quick)' if quick else ''}")
    return 0 if all(line.passed for line in lines) else 1


def at_most(
    name: str,
    ours: float,
    baseline: float | None,
    limit: float,
    unit: str,
    *,
    why: str = "",
    note: str = "",
    speedup: bool = False,
) -> BenchLine:
    """A figure whose budget is a ceiling: it passes at or under ``limit`` (in ``unit``).

    The ratio is ours/baseline, or baseline/ours for a ``speedup`` (how many times faster
    than the baseline); none without a baseline."""
    if baseline is None or not (ours if speedup else baseline):
        ratio = None
    else:
        ratio = baseline / ours if speedup else ours / baseline
    budget = f"<= {limit:g} {unit}" + (f" ({why})" if why else "")
    return BenchLine(name, ours, baseline, ratio, budget, ours <= limit, unit, note)


def serve_until_stdin_closes(server: Any, announce: Callable[[], dict[str, Any]]) -> int:
    """``main()`` of a server process (bench/_sim_server.py): print ``announce()`` as one
    JSON line for the parent, serve until the parent closes our stdin, stop ``server``."""
    try:
        print(json.dumps(announce()), flush=True)
        sys.stdin.read()
    finally:
        server.stop()
    return 0
