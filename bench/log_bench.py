"""Log pane benchmark: ingest a huge log into a running app without stalling it.

Runs a headless app (``run_test``, 160×48) holding a ``LogView`` (cap 10,000 lines) and
feeds it batches of 1,000 ``LogLine``s while a watchdog task sleeps 10 ms in a loop and
records its worst lateness (the event loop's longest stall). The baseline is Textual's
own ``Log`` widget with ``max_lines`` fed ``write_lines`` (style.md habit 7), with the
same sanitising, in the same harness.

    .venv/bin/python bench/log_bench.py [--quick]

Prints ``name | ours | baseline | ratio | budget | PASS/FAIL``; ``run(quick)`` returns
the same figures as ``BenchLine``s. Full: 1M lines (baseline 1M); quick: 100k (< 30 s).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from bench._common import BenchLine, at_most
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, at_most  # type: ignore[no-redef, unused-ignore]

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Log

from axom_tui.api.records import LogLine
from axom_tui.base.sanitize import clean_text
from axom_tui.ui.widgets.log_view import LogView

SIZE = (160, 48)
CAP = 10_000
BATCH = 1_000
STALL_BUDGET_MS = 100.0
T0 = datetime(2025, 1, 1, tzinfo=UTC)


_SUFFIX = [
    f" loss={2.5 - k / 1000:.4f} lr=3.0e-4 tok/s={9000 + k % 500} mem=41.2GB eta=00:{k % 60:02d}:00"
    for k in range(1000)
]
_TS = [T0 + timedelta(seconds=k) for k in range(4096)]


def make_batch(start: int, size: int = BATCH) -> list[LogLine]:
    """Realistic worker output (~100 chars, unique per seq): mostly plain, some stderr,
    2% with colour codes (the slow sanitising path). Cheap to build (~1 µs a line) so the
    harness does not dominate the loop-stall measurement."""
    out: list[LogLine] = []
    append = out.append
    for seq in range(start, start + size):
        if seq % 50 == 0:
            text = "\x1b[33mWARN\x1b[0m step " + str(seq) + ": grad norm spiked"
            stream = "stderr"
        elif seq % 13 == 0:
            text = "Traceback line " + str(seq) + ': File "train.py", in step'
            stream = "stderr"
        else:
            text = "[rank0] step=" + str(seq) + _SUFFIX[seq % 1000]
            stream = "stdout"
        append(LogLine(seq, text, stream, _TS[seq & 4095]))
    return out


class _Host(App[None]):
    def __init__(self, factory: Callable[[], Widget]) -> None:
        super().__init__()
        self._factory = factory

    def compose(self) -> ComposeResult:
        yield self._factory()


class _Feeder:
    """Adapts our LogView and the baseline Log to one ``feed(batch)`` call."""

    def __init__(self, app: _Host, ours: bool) -> None:
        self.ours = ours
        if ours:
            self.view: LogView | Log = app.query_one(LogView)
        else:
            self.view = app.query_one(Log)

    def feed(self, batch: list[LogLine]) -> None:
        if isinstance(self.view, LogView):
            self.view.append(batch)
        else:
            self.view.write_lines([clean_text(line.text) for line in batch])

    def settle(self) -> None:
        if isinstance(self.view, LogView):
            self.view.flush()

    def render_screen(self) -> None:
        height = self.view.size.height
        for y in range(height):
            self.view.render_line(y)

    def clear_render_cache(self) -> None:
        if isinstance(self.view, LogView):
            self.view._renderer.clear()
        else:
            self.view._render_line_cache.clear()


def _factory(ours: bool) -> Callable[[], Widget]:
    if ours:
        return lambda: LogView(max_lines=CAP)
    return lambda: Log(max_lines=CAP)


class _GcClock:
    """Total and worst garbage-collector pause (gc.callbacks), to attribute stalls."""

    def __init__(self) -> None:
        self.total = 0.0
        self.worst = 0.0
        self._t = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            pause = time.perf_counter() - self._t
            self.total += pause
            self.worst = max(self.worst, pause)

    def __enter__(self) -> _GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


async def _watchdog(stop: asyncio.Event, worst: list[float], gc_clock: _GcClock) -> None:
    """Sleep 10 ms in a loop; record the worst lateness, with and without GC pauses."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        gc_before = gc_clock.total
        await asyncio.sleep(0.010)
        late = loop.time() - t - 0.010
        worst[0] = max(worst[0], late)
        worst[1] = max(worst[1], late - (gc_clock.total - gc_before))


def _batches(total: int) -> Iterator[list[LogLine]]:
    for start in range(0, total, BATCH):
        yield make_batch(start, min(BATCH, total - start))


async def _ingest(ours: bool, total: int, freeze: bool = False) -> dict[str, float]:
    """Feed ``total`` lines; return throughput, append cost and the worst loop stall.

    ``freeze`` calls ``gc.freeze()`` once the app is up (what an app can do at start so
    full collections stop walking Textual's ~90k long-lived objects).
    """
    app = _Host(_factory(ours))
    async with app.run_test(size=SIZE) as pilot:
        feeder = _Feeder(app, ours)
        await pilot.pause()
        if freeze:
            gc.collect()
            gc.freeze()
        stop = asyncio.Event()
        worst = [0.0, 0.0]
        gc_clock = _GcClock()
        gc.collect()
        gc_clock.__enter__()
        dog = asyncio.create_task(_watchdog(stop, worst, gc_clock))
        await asyncio.sleep(0.05)
        append_s = gen_s = 0.0
        t_start = time.perf_counter()
        for start in range(0, total, BATCH):
            t = time.perf_counter()
            batch = make_batch(start, min(BATCH, total - start))
            t1 = time.perf_counter()
            feeder.feed(batch)
            append_s += time.perf_counter() - t1
            gen_s += t1 - t
            await asyncio.sleep(0)  # a poller yields between pages
        feeder.settle()
        await pilot.pause()
        wall = time.perf_counter() - t_start - gen_s  # the harness's own cost excluded
        stop.set()
        await dog
        gc_clock.__exit__()
        if freeze:
            gc.unfreeze()
        # sanity: the newest line is on screen
        if isinstance(feeder.view, LogView):
            last = feeder.view.render_line(feeder.view.view_height - 1).text
            assert f"step={total - 1} " in last or f"{total - 1}" in last, last
        return {
            "lines_per_s": total / wall,
            "append_us_per_line": append_s / total * 1e6,
            "stall_ms": worst[0] * 1000,
            "stall_ex_gc_ms": worst[1] * 1000,
            "gc_pause_ms": gc_clock.worst * 1000,
        }


async def _memory(ours: bool, extra: int, warm: int) -> dict[str, float]:
    """tracemalloc: memory held in steady state after the cap vs the peak while ingesting more.

    "Steady" is taken after ``warm`` lines (several caps) have gone through, so fixed-size
    caches (our
    256-line render LRU, rich's 4096-entry cell-width cache) are already warm; then
    ``extra`` more lines go in, and memory is read half-way and at the end (a bounded
    buffer shows no growth in the second half).
    """
    app = _Host(_factory(ours))
    async with app.run_test(size=SIZE) as pilot:
        feeder = _Feeder(app, ours)
        await pilot.pause()
        gc.collect()
        tracemalloc.start()
        try:
            seq = 0
            for batch in _batches(warm):  # fill the cap, compact, warm the caches
                feeder.feed(batch)
                seq += len(batch)
                await asyncio.sleep(0)
            feeder.settle()
            await pilot.pause(0.2)  # let the baseline's width workers finish
            gc.collect()
            steady, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            half = (extra // 2) // BATCH * BATCH
            for start in range(seq, seq + extra, BATCH):
                feeder.feed(make_batch(start))
                await asyncio.sleep(0)
                if start - seq == half - BATCH:
                    feeder.settle()
                    await pilot.pause(0.1)
                    gc.collect()
                    mid, _ = tracemalloc.get_traced_memory()
            feeder.settle()
            await pilot.pause(0.2)
            gc.collect()
            end, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return {
        "steady_mb": steady / 2**20,
        "peak_mb": peak / 2**20,
        "end_mb": end / 2**20,
        "mid_mb": mid / 2**20,
    }


async def _single_batch_and_render(ours: bool) -> dict[str, float]:
    app = _Host(_factory(ours))
    async with app.run_test(size=SIZE) as pilot:
        feeder = _Feeder(app, ours)
        for batch in _batches(CAP):
            feeder.feed(batch)
        feeder.settle()
        await pilot.pause()
        times = []
        for k in range(5):  # median of 5: one 10k batch into a full buffer each time
            big = make_batch(CAP + k * 10_000, 10_000)
            t = time.perf_counter()
            feeder.feed(big)
            times.append(time.perf_counter() - t)
            feeder.settle()
            await pilot.pause()
        batch_ms = sorted(times)[len(times) // 2] * 1000
        renders = []
        for _ in range(20):
            feeder.clear_render_cache()
            t = time.perf_counter()
            feeder.render_screen()
            renders.append(time.perf_counter() - t)
        search_ms = filter_ms = 0.0
        if isinstance(feeder.view, LogView):
            view = feeder.view
            t = time.perf_counter()
            view.search("loss=2.4")
            search_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            view.filtering = True
            filter_ms = (time.perf_counter() - t) * 1000
            assert view.index.match_count > 0
        return {
            "batch_10k_ms": batch_ms,
            "render_screen_ms": sorted(renders)[len(renders) // 2] * 1000,
            "search_ms": search_ms,
            "filter_ms": filter_ms,
        }


def _line(
    name: str, ours: float, baseline: float | None, budget: str, passed: bool, unit: str
) -> BenchLine:
    ratio = None if not baseline else ours / baseline
    return BenchLine(name, ours, baseline, ratio, budget, passed, unit)


async def _run(quick: bool) -> list[BenchLine]:
    total = 100_000 if quick else 1_000_000
    extra = 20_000 if quick else 300_000
    warm = 3 * CAP if quick else 5 * CAP
    ours = await _ingest(True, total)
    base = await _ingest(False, total)
    ours_frozen = await _ingest(True, total, freeze=True)
    base_frozen = None if quick else await _ingest(False, total, freeze=True)
    ours_mem = await _memory(True, extra, warm)
    base_mem = await _memory(False, extra, warm)
    ours_one = await _single_batch_and_render(True)
    base_one = await _single_batch_and_render(False)
    lines = [
        _line(
            f"ingest_{total // 1000}k_throughput",
            ours["lines_per_s"],
            base["lines_per_s"],
            ">= 100k lines/s",
            ours["lines_per_s"] >= 100_000,
            "lines/s",
        ),
        at_most(
            "append_cost", ours["append_us_per_line"], base["append_us_per_line"], 10, "us/line"
        ),
        at_most("max_loop_stall", ours["stall_ms"], base["stall_ms"], STALL_BUDGET_MS, "ms"),
        at_most(
            "max_loop_stall_minus_gc",
            ours["stall_ex_gc_ms"],
            base["stall_ex_gc_ms"],
            STALL_BUDGET_MS,
            "ms",
        ),
        _line(
            "max_gc_pause",
            ours["gc_pause_ms"],
            base["gc_pause_ms"],
            "info (whole process)",
            True,
            "ms",
        ),
        at_most(
            "max_loop_stall_gc_frozen",
            ours_frozen["stall_ms"],
            base_frozen["stall_ms"] if base_frozen else None,
            STALL_BUDGET_MS,
            "ms",
        ),
        at_most("append_10k_batch", ours_one["batch_10k_ms"], base_one["batch_10k_ms"], 50, "ms"),
        at_most("mem_after_cap", ours_mem["steady_mb"], base_mem["steady_mb"], 16, "MB"),
        at_most(
            "mem_peak_vs_steady",
            ours_mem["peak_mb"] / ours_mem["steady_mb"],
            base_mem["peak_mb"] / base_mem["steady_mb"],
            1.6,
            "x",
            why="bounded by cap",
        ),
        at_most(
            "mem_growth_after_cap",
            ours_mem["end_mb"] - ours_mem["steady_mb"],
            base_mem["end_mb"] - base_mem["steady_mb"],
            1,
            "MB",
        ),
        at_most(
            "mem_growth_2nd_half",
            ours_mem["end_mb"] - ours_mem["mid_mb"],
            base_mem["end_mb"] - base_mem["mid_mb"],
            0.25,
            "MB",
            why="no leak",
        ),
        at_most(
            "render_screen_cold",
            ours_one["render_screen_ms"],
            base_one["render_screen_ms"],
            16,
            "ms",
        ),
        at_most("search_10k_lines", ours_one["search_ms"], None, 50, "ms"),
        at_most("filter_10k_lines", ours_one["filter_ms"], None, 50, "ms"),
    ]
    return lines


def run(quick: bool = False) -> list[BenchLine]:
    """Run the benchmark; returns one BenchLine per figure (see module docstring)."""
    return asyncio.run(_run(quick))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    t = time.perf_counter()
    results = run(quick)
    print("name | ours | baseline | ratio | budget | PASS/FAIL")
    for line in results:
        print(line.row())
    print(f"# {'quick' if quick else 'full'} run in {time.perf_counter() - t:.1f} s")
    return 0 if all(line.passed for line in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
