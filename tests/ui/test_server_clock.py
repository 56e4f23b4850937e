"""The server clock estimate follows the server, not one run's odd timestamp (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from axom_tui.api.records import Job
from axom_tui.view.derive import ServerClock, elapsed_seconds

NOW = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)


def _clock() -> tuple[ServerClock, list[float]]:
    mono = [100.0]
    return ServerClock(now=lambda: NOW, monotonic=lambda: mono[0]), mono


def _running(job_id: str, updated: datetime, started: datetime | None = None) -> Job:
    return Job(
        id=job_id,
        status="running",
        updated_at=updated,
        started_at=started or NOW - timedelta(minutes=50),
    )


def test_one_job_two_hours_ahead_does_not_inflate_every_elapsed():
    clock, _ = _clock()
    runs = [_running(f"r{i}", NOW - timedelta(seconds=i)) for i in range(4)]
    runs.append(_running("skewed", NOW + timedelta(hours=2)))
    for job in runs:
        clock.observe(job)
    elapsed = elapsed_seconds(runs[0], clock.now())
    assert elapsed is not None and abs(elapsed - 50 * 60) < 5  # 50 minutes, not 2h50m


def test_a_job_dated_2099_is_ignored():
    clock, _ = _clock()
    clock.observe(_running("a", NOW))
    clock.observe(_running("future", datetime(2099, 1, 1, tzinfo=UTC)))
    clock.observe(_running("b", NOW))
    assert clock.now() == NOW
    alone, _ = _clock()
    alone.observe(_running("future", datetime(2099, 1, 1, tzinfo=UTC)))
    assert alone.now() == NOW  # even when it is the only one


def test_a_server_whose_clock_runs_ahead_is_followed():
    clock, _ = _clock()
    for i in range(5):
        clock.observe(_running(f"r{i}", NOW + timedelta(minutes=10, seconds=-i)))
    assert timedelta(minutes=9) < clock.now() - NOW <= timedelta(minutes=10)


def test_two_runs_one_of_them_odd_keeps_our_clock():
    clock, _ = _clock()
    clock.observe(_running("a", NOW))
    clock.observe(_running("odd", NOW + timedelta(hours=2)))
    assert clock.now() == NOW  # the lower median of two


def test_old_leads_age_out_and_active_runs_win_over_finished_ones():
    clock, mono = _clock()
    clock.observe(_running("skewed", NOW + timedelta(hours=2)))
    mono[0] += 60  # a minute later the skewed run is no longer what we know
    for i in range(3):
        clock.observe(_running(f"r{i}", NOW))
    finished = Job(id="done", status="completed", updated_at=NOW + timedelta(hours=1))
    clock.observe(finished)
    assert clock.now() == NOW
