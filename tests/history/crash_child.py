"""A process that writes history to a cache file as fast as it can, until killed.

    python crash_child.py CACHE_FILE RUN_ID [RUN_ID...]

It restores what the file holds, then appends pages of points and lines to each run
(steps and seqs contiguous from 1, so a reader can tell a gap), now and then re-sends
the last 100 steps with new values, and prints "writing" once the first batch is out.
Its "scheduler" reports cursors equal to the last step and seq held, as the real one
does after each page.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from axom_tui.api.records import LogsPage, MetricsPage  # noqa: E402
from axom_tui.history.cache import open_cache  # noqa: E402
from axom_tui.history.sync import HistorySync  # noqa: E402
from axom_tui.store import RunStore  # noqa: E402
from history_helpers import lines, points  # noqa: E402


class Tracker:
    def __init__(self, store: RunStore) -> None:
        self.store = store

    def feed_progress(self, job_id: str):
        run = self.store.runs[job_id]
        return run.metrics.last_step, run.logs.last_seq, frozenset()

    def forget_seed(self, job_id: str) -> None:
        pass


async def main(path: Path, run_ids: list[str]) -> None:
    store = RunStore()
    sync = HistorySync(store, open_cache(path), log_limit=100_000, flush_delay=0.003)
    sync.tracker = Tracker(store)
    sync.restore_index()
    for job_id in run_ids:
        await sync.ready(job_id)
    said = False
    round_ = 0
    while True:
        round_ += 1
        for job_id in run_ids:
            run = store.ensure_run(job_id)
            top = run.metrics.last_step or 0
            store.apply_metrics(job_id, MetricsPage(job_id, top + 200, points(top + 1, top + 200)))
            if round_ % 5 == 0 and top > 100:  # a re-send: newest value wins
                store.apply_metrics(
                    job_id, MetricsPage(job_id, top, points(top - 99, top, seed=round_))
                )
            seq = run.logs.last_seq or 0
            store.apply_logs(job_id, LogsPage(job_id, seq + 30, lines(seq + 1, seq + 30)))
        await asyncio.sleep(0.002)
        if not said and sync._number > 1:
            print("writing", flush=True)
            said = True


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2:]))
