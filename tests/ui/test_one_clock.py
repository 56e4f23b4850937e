"""One clock on screen, the server's: the job list's ETA counts the same seconds as the
elapsed time and the lifecycle, also when the server's clock runs 30 times faster (the
demo's) than ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from axom_tui.api.records import Job
from axom_tui.store.run_state import RunState
from axom_tui.ui.widgets.job_rows import row_cells, time_cells
from axom_tui.view.derive import ServerClock, StepRate

T0 = datetime(2026, 6, 4, 2, 0, tzinfo=UTC)


def _run(step: int, at: datetime) -> RunState:
    job = Job(
        id="j", status="running", total_steps=6000, latest_step=step, started_at=T0, updated_at=at
    )
    return RunState(job_id="j", job=job)


def _cells(run: RunState, rate: StepRate, server_now: datetime) -> dict[str, str]:
    cells = row_cells(
        "j",
        run,
        rate,
        marked=False,
        compact=False,
        ascii_mode=False,
        variables={},
        server_now=server_now,
    )
    return {key: cell.plain for key, cell in cells.items()}


def test_eta_and_elapsed_use_the_servers_seconds():
    rate = StepRate()
    # our clock barely moves between the two answers; the server's moved a minute
    first = _cells(_run(400, T0 + timedelta(minutes=9)), rate, T0 + timedelta(minutes=9))
    _cells(_run(1000, T0 + timedelta(minutes=10)), rate, T0 + timedelta(minutes=10))
    later = _cells(_run(1600, T0 + timedelta(minutes=11)), rate, T0 + timedelta(minutes=11))
    assert first["eta"] == "—"  # one sample: no rate yet
    # 600 steps per server minute, 4,400 to go: 7m20s of server time
    assert later["eta"] == "7m20s" and later["elapsed"] == "11m00s"
    assert (
        time_cells(_run(1600, T0 + timedelta(minutes=11)), rate, T0 + timedelta(minutes=11))[
            "eta"
        ].plain
        == "7m20s"
    )


def test_the_server_clock_says_how_far_ahead_it_runs():
    clock = ServerClock()
    assert clock.ahead_by() == 0.0
    clock.observe(
        Job(id="j", status="running", updated_at=datetime.now(UTC) + timedelta(minutes=10))
    )
    assert 590 < clock.ahead_by() <= 600
