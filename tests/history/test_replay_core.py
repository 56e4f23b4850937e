"""Replay's core (view/replay.py): a finished run as it was at any moment of it."""

from __future__ import annotations

import dataclasses
import math
from datetime import timedelta

from axom_tui.api.records import Event, LogLine, MetricPoint
from axom_tui.store.run_state import RunState
from axom_tui.view.replay import RunReplay
from axom_tui.view.replay_state import run_as_of
from history_helpers import T0, job

H = 3600.0
START = T0.timestamp()


def at(hours: float):
    return T0 + timedelta(hours=hours)


def failed_run() -> tuple:
    """Started at T0, a checkpoint at 1 h (step 1000), preempted at 1.5 h, back at 1.6 h
    from the checkpoint, failed at 2 h at step 1500; a point every 3.6 s."""
    record = dataclasses.replace(
        job("r", "failed", latest_step=1500, retries=1, error="CUDA out of memory"),
        finished_at=at(2),
    )
    events = [
        Event("submitted", T0),
        Event("status", T0, {"from": "queued", "to": "running"}),
        Event("checkpoint", at(1), {"step": 1000}),
        Event("preempted", at(1.5), {"retries": 1}),
        Event("status", at(1.6), {"from": "preempted", "to": "running"}),
        Event("error", at(2), {"message": "CUDA out of memory"}),
        Event("status", at(2), {"from": "running", "to": "failed"}),
    ]
    steps = list(range(1, 1501))
    # steps 1..1000 logged in the first hour, the rest after the resume (1.6 h to 2 h)
    times = [START + s * 3.6 for s in range(1, 1001)] + [
        START + 1.6 * H + (s - 1000) * (0.4 * H / 500) for s in range(1001, 1501)
    ]
    lines = [START + k * 60.0 for k in range(121)]  # a line a minute
    return record, events, steps, times, lines


def test_the_status_then_follows_the_events():
    replay = RunReplay(*failed_run())
    assert replay.start == START and replay.end == START + 2 * H
    assert replay.status_at(START + 0.5 * H) == "running"
    assert replay.status_at(START + 1.55 * H) == "preempted"
    assert replay.status_at(START + 1.7 * H) == "running"
    assert replay.status_at(START + 2 * H) == "failed"
    assert replay.status_at(START - 10) == "queued"


def test_the_record_then_has_no_end_and_the_step_then():
    replay = RunReplay(*failed_run())
    then = replay.job_at(START + 0.5 * H)
    assert then.status == "running" and not then.terminal
    assert then.finished_at is None and then.error is None
    assert then.latest_step == 500 and then.retries == 0
    later = replay.job_at(START + 1.7 * H)
    assert later.retries == 1 and later.latest_step == 1000 + 125
    end = replay.job_at(replay.end)
    assert end.status == "failed" and end.error == "CUDA out of memory"
    assert end.finished_at == at(2) and end.latest_step == 1500


def test_points_and_lines_are_cut_at_the_moment():
    replay = RunReplay(*failed_run())
    assert replay.points_at(START) == 0 and replay.step_at(START) is None
    assert replay.points_at(START + 360.0) == 100
    # during the preemption, the points held are those up to the checkpoint
    assert replay.step_at(START + 1.55 * H) == 1000
    assert replay.points_at(replay.end) == 1500
    assert replay.lines_at(START + 30 * 60 + 1) == 31  # lines at minutes 0..30
    assert replay.lines_at(replay.end) == 121


def test_brackets_step_from_event_to_event():
    replay = RunReplay(*failed_run())
    labels = [m.label for m in replay.marks]
    # marks of one moment are one stop
    assert labels[0] == "start · submitted · running"
    assert labels[-1] == "error: CUDA out of memory · failed"
    assert replay.marks[-1].status == "failed"
    assert "ckpt @1,000" in labels and "preempted" in labels
    ts = replay.start
    visited = []
    while (mark := replay.next_mark(ts)) is not None:
        visited.append(mark.label)
        ts = mark.ts
    assert visited == ["ckpt @1,000", "preempted", "running", labels[-1]]
    back = replay.prev_mark(START + 1.55 * H)
    assert back is not None and back.label == "preempted"
    assert replay.prev_mark(replay.start) is None


def test_just_before_it_failed():
    """] to the failure, then a step back by time: running, the last steps before it."""
    replay = RunReplay(*failed_run())
    ts = replay.start
    while (mark := replay.next_mark(ts)) is not None and mark.status != "failed":
        ts = mark.ts
    assert mark is not None and replay.status_at(mark.ts) == "failed"
    before = replay.by_time(mark.ts, -1 / 200)
    assert before < mark.ts
    assert replay.status_at(before) == "running"
    assert 1400 < (replay.step_at(before) or 0) < 1500
    assert not replay.finished_at(before) and replay.finished_at(replay.end)


def test_stepping_by_time_stays_inside_the_run():
    replay = RunReplay(*failed_run())
    assert replay.by_time(replay.start, -0.5) == replay.start
    assert replay.by_time(replay.end, 0.5) == replay.end
    assert math.isclose(replay.by_time(replay.start, 0.25), START + 0.5 * H)
    assert replay.at_fraction(0.5) == START + H and replay.fraction(START + H) == 0.5


def test_points_without_times_are_placed_by_the_events():
    """A cache written before points kept their times: steps placed between the start,
    the checkpoint and the end; the replay says it estimated them."""
    record, events, steps, _times, lines = failed_run()
    replay = RunReplay(record, events, steps, None, lines)
    assert replay.estimated
    assert replay.step_at(START + 1 * H) == 1000  # the checkpoint's moment
    assert 400 < (replay.step_at(START + 0.5 * H) or 0) < 600
    assert replay.points_at(replay.end) == 1500
    assert not RunReplay(*failed_run()).estimated


def test_a_run_as_of_a_moment_has_its_last_points_and_no_result_yet():
    record, events, steps, times, lines = failed_run()
    run = RunState("r", job=record, events=events)
    run.metrics.merge(
        MetricPoint(step=s, loss=1000.0 / s, ts=T0 + timedelta(seconds=t - START))
        for s, t in zip(steps, times, strict=True)
    )
    run.logs.append(LogLine(k, f"line {k}", ts=T0 + timedelta(minutes=k)) for k in range(121))
    replay = RunReplay(record, events, run.metrics.steps, times, lines)
    then = run_as_of(run, replay, START + 0.5 * H)
    assert then.job is not None and then.job.status == "running"
    assert then.metrics.last_step == 500 and math.isclose(then.metrics.latest("loss"), 2.0)
    assert len(then.metrics) == 60 and then.result is None
    assert [e.kind for e in then.events] == ["submitted", "status"]
    assert len(run.metrics) == 1500  # the store's own series untouched


def test_without_times_a_preemption_sends_the_steps_after_the_checkpoint_later():
    """The store holds the steps after the checkpoint as re-run after the preemption:
    while the run was preempted and requeued, the last step held by then is the checkpoint's."""
    record, events, steps, _times, lines = failed_run()
    replay = RunReplay(record, events, steps, None, lines)
    assert replay.step_at(START + 1.55 * H) == 1000  # preempted: back to the checkpoint
    assert 1000 < (replay.step_at(START + 1.8 * H) or 0) < 1500  # re-run after 1.6 h
    assert replay.step_at(START + 2 * H) == 1500


def test_a_point_logged_with_the_moments_event_counts_as_logged_by_then():
    """The store's times are exact to 25 ms: the last step before a checkpoint, stamped
    a few ms after the status change, is on the chart at that change."""
    record, events, steps, times, lines = failed_run()
    times = list(times)
    times[999] = START + 1 * H + 0.004  # step 1000, 4 ms after the checkpoint event
    replay = RunReplay(record, events, steps, times, lines)
    assert replay.step_at(START + 1 * H) == 1000
    assert replay.step_at(START + 1 * H - 1.0) == 999


def test_a_preemption_after_the_moment_is_said_only_once_the_run_had_trained():
    record, events, steps, times, lines = failed_run()
    queued_first = [Event("submitted", T0 - timedelta(minutes=5)), *events]
    replay = RunReplay(record, queued_first, steps, times, lines)
    assert not replay.resent_later(START - 60)  # queued: nothing to have replaced yet
    assert replay.resent_later(START + 0.5 * H)  # trained, the preemption at 1.5 h to come
    assert not replay.resent_later(START + 1.7 * H)  # after the last preemption
