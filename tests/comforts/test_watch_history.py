"""`watch` on a run under way prints its past first, in order, each line with its own time."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime, timedelta

from axom_tui.api.records import Event, Job, LogLine
from axom_tui.cli.headless import _WatchPrinter
from axom_tui.store.run_state import RunState
from axom_tui.store.vocab import FeedKind

T0 = datetime(2026, 6, 4, 2, 0, tzinfo=UTC)


def _stamp(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).astimezone().strftime("%H:%M:%S")


def test_history_first_in_order_with_its_own_times_then_the_live_lines():
    run = RunState(
        job_id="j", job=Job(id="j", status="uploading", total_steps=100, latest_step=100)
    )
    run.events = [
        Event("submitted", T0),
        Event("status", T0 + timedelta(minutes=1), {"from": "queued", "to": "running"}),
        Event("status", T0 + timedelta(minutes=9), {"from": "running", "to": "uploading"}),
    ]
    run.logs.append(
        [
            LogLine(seq=1, text="loading data", ts=T0 + timedelta(minutes=2)),
            LogLine(seq=2, text="saved", ts=T0 + timedelta(minutes=8)),
        ]
    )
    out = io.StringIO()
    printer = _WatchPrinter(argparse.Namespace(every=500, logs=True), out)
    assert not printer.show(run)  # the events and logs have not come yet: wait for them
    run.feed(FeedKind.EVENTS).record_ok(1.0)
    run.feed(FeedKind.LOGS).record_ok(1.0)
    assert printer.show(run)
    lines = out.getvalue().splitlines()
    assert lines[:5] == [
        f"{_stamp(0)} event submitted",
        f"{_stamp(1)} event status queued -> running",
        f"{_stamp(2)} log loading data",
        f"{_stamp(8)} log saved",
        f"{_stamp(9)} event status running -> uploading",
    ]
    assert lines[5].endswith("status uploading")  # now: the live lines follow
    assert sum("loading data" in line for line in lines) == 1
