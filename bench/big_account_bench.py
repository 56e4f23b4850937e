"""A big account stays light: idle CPU and filter latency at 10, 1,000 and 5,000 runs.

Each account is a simulator in its own process (bench/_big_sim_server.py: speed 1; at
1,000 and 5,000 runs 150 recent ones, a few dozen of them live, and the rest finished
over 60 days), so the figures are the client's alone.

* **Idle CPU.** ``python -m axom_tui --base-url …`` for each account, the three side by
  side at the same time, each in a 160x48 pty. After the whole list is on screen (its
  line says "5,000 runs") and a warm-up (45 s; quick: 30 s), CPU time over a window
  (40 s; quick: 20 s).
  Budget: the 5,000-run app <= 2x the 10-run app, and <= 1.3x the 1,000-run app (the
  same live runs: what 4,000 more finished runs cost).
* **Filter keystroke.** The dashboard in process (Pilot, 160x48) against each account,
  once the whole list is held: a run name typed a character at a time and erased again;
  each keystroke's time is the filter handler plus the repaint of what it changed
  (``Input.Changed`` → job table and its line → the screen's next frame). Budget:
  the slowest keystroke at 5,000 runs <= 50 ms.
* **Full list pass.** In the same process, at 5,000 runs: CPU of one pass through every
  page (fetch, parse, merge, list refresh) when nothing changed, and what that is per
  second at the period the app asks for the whole list.

    .venv/bin/python bench/big_account_bench.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from bench._common import BenchLine, run_standalone
    from bench._pty import ROOT, PtyProcess, clean_env, python
except ImportError:  # pragma: no cover - run from inside bench/
    from _common import BenchLine, run_standalone  # type: ignore[no-redef]
    from _pty import ROOT, PtyProcess, clean_env, python  # type: ignore[no-redef]

SIZES = (10, 1000, 5000)
IDLE_RATIO_BUDGET = 2.0
#: The list's cost grows with what changed, not with the account: 5,000 runs against
#: 1,000 with the same live runs.
SIZE_RATIO_BUDGET = 1.3
FILTER_BUDGET_MS = 50.0
COLS, ROWS = 160, 48
TYPED = "qwen3-x2"  # a name prefix: matches fewer runs with each keystroke


class Account:
    def __init__(self, runs: int) -> None:
        self.proc = subprocess.Popen(
            [python(), str(ROOT / "bench" / "_big_sim_server.py"), str(runs)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.base_url: str = info["base_url"]
        self.key: str = info["key"]
        self.runs: int = info["runs"]
        self.live: int = info["live"]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------- idle CPU, side by side


def idle_cpu(accounts: dict[int, Account], quick: bool) -> dict[int, float]:
    # warm-up: the first pass's one-off work (each live run's metrics history, the results
    # of the newest finished runs, 2.5 requests a second of background budget) settles
    warm, window = (30.0, 20.0) if quick else (45.0, 40.0)
    procs: dict[int, PtyProcess] = {}
    try:
        for n, account in accounts.items():
            env = clean_env(AXOM_KEY=account.key)
            procs[n] = PtyProcess(
                [python(), "-m", "axom_tui", "--base-url", account.base_url],
                cols=COLS,
                rows=ROWS,
                env=env,
            )
            procs[n].watch(b"Name", f"{account.runs:,} runs".encode())
        for n, proc in procs.items():
            if proc.wait_marker(f"{accounts[n].runs:,} runs".encode(), 120) is None:
                raise RuntimeError(
                    f"{n} runs: the whole list never showed: {proc.output[-1500:]!r}"
                )
        time.sleep(warm)
        t0 = time.perf_counter()
        c0 = {n: p.cpu() for n, p in procs.items()}
        time.sleep(window)
        t1 = time.perf_counter()
        c1 = {n: p.cpu() for n, p in procs.items()}
        for n, proc in procs.items():
            if not proc.alive():
                raise RuntimeError(f"{n} runs: the app exited: {proc.output[-1500:]!r}")
    finally:
        for proc in procs.values():
            proc.stop()
    return {n: 100 * (c1[n] - c0[n]) / (t1 - t0) for n in procs}


# ---------------------------------------------------------------- in process: filter, full pass


async def _in_process(account: Account, full_pass: bool) -> dict[str, Any]:
    from textual.widgets import Input

    from axom_tui.api.secret import ApiKey
    from axom_tui.runtime.services import build_services
    from axom_tui.ui.app import AxomApp
    from axom_tui.ui.settings import UiSettings
    from axom_tui.ui.widgets.job_table import JobTable

    services = build_services(account.base_url, ApiKey(account.key))
    app = AxomApp(services, UiSettings(notify_desktop=False, notify_toast=False))
    store = services.store
    out: dict[str, Any] = {}
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        table = app.screen.query_one(JobTable)
        while not (store.listing.complete and table.row_count == account.runs):
            if loop.time() > deadline:
                raise RuntimeError(f"{account.runs} runs: the list never filled")
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)
        screen = app.screen
        box = screen.query_one("#job-filter", Input)
        await pilot.press("slash")
        await pilot.pause()
        times: list[float] = []
        texts = [TYPED[:i] for i in range(1, len(TYPED) + 1)]
        texts += [TYPED[:i] for i in range(len(TYPED) - 1, -1, -1)]
        for text in texts:
            await asyncio.sleep(0.05)  # a typist's pace; the app's own work settles
            t = time.perf_counter()
            screen._filter_changed(Input.Changed(box, text))  # what typing the key posts
            screen._on_timer_update()  # the frame that shows it
            times.append(time.perf_counter() - t)
        out["filter"] = times
        out["matches"] = min(len(table.visible_job_ids()), account.runs)
        if full_pass:
            listing = services.scheduler._fetcher.listing
            await asyncio.sleep(1.0)
            base_t, base_c = time.perf_counter(), time.process_time()
            await asyncio.sleep(3.0)
            idle_rate = (time.process_time() - base_c) / (time.perf_counter() - base_t)
            listing.start_full_pass()
            t, c = time.perf_counter(), time.process_time()
            services.scheduler.refresh_now()
            await asyncio.sleep(0.2)
            while store.listing.loading or listing.current is not None:
                await asyncio.sleep(0.02)
            span = time.perf_counter() - t
            out["pass_cpu"] = max(0.0, time.process_time() - c - idle_rate * span)
            out["pass_period"] = listing.period_of_full
            out["pass_pages"] = listing.full_pages
    return out


def in_process(account: Account, full_pass: bool = False) -> dict[str, Any]:
    return asyncio.run(_in_process(account, full_pass))


# ---------------------------------------------------------------- the figures


def run(quick: bool) -> list[BenchLine]:
    accounts: dict[int, Account] = {}
    try:
        for n in SIZES:
            accounts[n] = Account(n)
        idle = idle_cpu(accounts, quick)
        measured = {n: in_process(accounts[n], full_pass=n == max(SIZES)) for n in SIZES}
    finally:
        for account in accounts.values():
            account.close()
    small, big = min(SIZES), max(SIZES)
    lines: list[BenchLine] = []
    live = ", ".join(f"{accounts[n].runs:,} runs: {accounts[n].live} live" for n in SIZES)
    for n in SIZES[1:]:
        ratio = idle[n] / idle[small] if idle[small] else float("inf")
        lines.append(
            BenchLine(
                f"idle CPU at {n:,} runs, % of one core",
                idle[n],
                idle[small],
                ratio,
                f"<= {IDLE_RATIO_BUDGET:g}x {small} runs" if n == big else "-",
                ratio <= IDLE_RATIO_BUDGET if n == big else True,
                "%",
                note=f"side by side, 160x48 ptys, {('20' if quick else '40')} s window "
                f"{('30' if quick else '45')} s after the whole list showed; {live}",
            )
        )
    mid = SIZES[1]
    ratio = idle[big] / idle[mid] if idle[mid] else float("inf")
    lines.append(
        BenchLine(
            f"idle CPU at {big:,} runs against {mid:,}, % of one core",
            idle[big],
            idle[mid],
            ratio,
            f"<= {SIZE_RATIO_BUDGET:g}x {mid:,} runs",
            ratio <= SIZE_RATIO_BUDGET,
            "%",
            note=f"the same window; {accounts[mid].live} and {accounts[big].live} live runs",
        )
    )
    for n in SIZES[1:]:
        worst = max(measured[n]["filter"]) * 1000
        base = max(measured[small]["filter"]) * 1000
        lines.append(
            BenchLine(
                f"filter keystroke at {n:,} runs, slowest, ms",
                worst,
                base,
                worst / base if base else None,
                f"<= {FILTER_BUDGET_MS:g} ms" if n == big else "-",
                worst <= FILTER_BUDGET_MS if n == big else True,
                "ms",
                note=f"'{TYPED}' typed and erased ({len(measured[n]['filter'])} keystrokes): median "
                f"{statistics.median(measured[n]['filter']) * 1000:.1f} ms; baseline: the same "
                f"at {small} runs",
            )
        )
    m = measured[big]
    per_s = 100 * m["pass_cpu"] / m["pass_period"]
    lines.append(
        BenchLine(
            f"full list pass at {big:,} runs, amortized, % of one core",
            per_s,
            None,
            None,
            "report",
            True,
            "%",
            note=f"{m['pass_pages']} pages, {m['pass_cpu'] * 1000:.0f} ms of CPU when nothing "
            f"changed, every {m['pass_period']:.0f} s",
        )
    )
    return lines


if __name__ == "__main__":
    sys.exit(run_standalone("big account", sys.argv[1:], run))
