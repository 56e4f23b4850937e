"""The rate a download shows is its real rate as it goes, in one unit convention.

Seen before: the shell's progress line said ``0.0 MB/s ETA --:--`` for a whole transfer
shorter than the ticker's period (state changes were published with a speed only the
tick measured), then ``37.1 MB/s`` in the final summary; the dashboard said MiB where
the shell said MB.
"""

from __future__ import annotations

import io

import pytest

from axom_tui.base import units
from axom_tui.download.progress import FileState, ProgressTracker, TaskState
from axom_tui.download.progress_text import ProgressPrinter, summary_line

MB = 1_000_000


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _transfer(seen: list, now: list[float]) -> None:
    """A 4 MB file fetched in 0.2 s, with no tick in between (the ticker's period is 0.25 s)."""
    tracker = ProgressTracker("t", seen.append, clock=lambda: now[0])
    now[0] = 10.0  # model lookup and manifest: before the transfer, not part of its rate
    counter = tracker.add_file("model.bin", 4 * MB)
    tracker.set_task_state(TaskState.DOWNLOADING)
    tracker.set_file_state(counter, FileState.DOWNLOADING)
    now[0] = 10.1
    counter.add(2 * MB)
    tracker.set_file_state(counter, FileState.DOWNLOADING, "half way")  # any publish
    now[0] = 10.2
    counter.add(2 * MB)
    tracker.set_file_state(counter, FileState.VERIFYING)
    now[0] = 10.25
    tracker.set_file_state(counter, FileState.DONE)
    tracker.set_task_state(TaskState.DONE)


def test_snapshots_between_ticks_carry_the_measured_rate() -> None:
    seen: list = []
    now = [0.0]
    _transfer(seen, now)
    half = next(s for s in seen if s.files and s.files[0].reason == "half way")
    assert half.speed == pytest.approx(20 * MB)  # 2 MB in 0.1 s
    assert half.eta == pytest.approx(0.1)  # 2 MB left at 20 MB/s
    verifying = next(s for s in seen if s.files and s.files[0].state is FileState.VERIFYING)
    assert verifying.speed == pytest.approx(20 * MB)
    final = seen[-1]
    assert final.state is TaskState.DONE and final.eta == 0.0
    assert final.speed == pytest.approx(4 * MB / 0.25)  # the average of the transfer
    assert final.received_bytes == 4 * MB


def test_the_terminal_line_shows_the_rate_while_it_runs() -> None:
    out = Tty()
    printer = ProgressPrinter(out, tty=True)
    now = [0.0]
    tracker_seen: list = []
    _transfer(tracker_seen, now)
    for snap in tracker_seen:
        printer(snap)
    frames = [f for f in out.getvalue().replace("\n", "\r").split("\r") if "files" in f]
    running = [f for f in frames if "100.0%" not in f and "50.0%" in f]
    assert running and all("20.0 MB/s" in f and "ETA 0:00" in f for f in running), frames
    assert " 0.0 MB/s" not in out.getvalue()
    assert "16.0 MB/s" in frames[-1]  # the finished line: the average, not 0


def test_eta_is_unknown_rather_than_absurd() -> None:
    now = [0.0]
    tracker = ProgressTracker("t", None, clock=lambda: now[0])
    counter = tracker.add_file("big.bin", 10**15)
    tracker.set_task_state(TaskState.DOWNLOADING)
    now[0] = 1.0
    counter.add(10)  # 10 B/s: 3,000 years to go
    snap = tracker.snapshot()
    assert snap.speed == pytest.approx(10) and snap.eta is None
    assert "ETA --:--" in summary_line(snap)


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (1_500_000, "1.5 MB"),
        (999_960, "1.0 MB"),
        (37_100_000, "37.1 MB"),
        (4_980_000_000, "5.0 GB"),
        (1.2e13, "12.0 TB"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_one_byte_convention_si(n: float | None, text: str) -> None:
    assert units.human_bytes(n) == text
