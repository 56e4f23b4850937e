"""Resume points from a run's events: a run preempted before anyone watched it has them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from axom_tui.api.records import Event
from axom_tui.store.resume_points import resume_points, resumed_from

T0 = datetime(2026, 6, 4, 2, 0, tzinfo=UTC)


def history(*items: tuple[str, dict]) -> list[Event]:
    return [
        Event(ts=T0 + timedelta(seconds=i), kind=kind, payload=payload)
        for i, (kind, payload) in enumerate(items)
    ]


def status(to: str) -> tuple[str, dict]:
    return ("status", {"to": to})


PREEMPTED_TWICE = history(
    status("running"),
    ("checkpoint", {"step": 1000}),
    ("preempted", {"retries": 1}),
    status("preempted"),
    status("queued"),
    status("staging"),
    status("running"),
    ("checkpoint", {"step": 2000}),
    ("checkpoint", {"step": 3000}),
    ("preempted", {"retries": 2}),
    status("queued"),
    status("running"),
)


def test_each_resume_is_at_the_checkpoint_before_its_preemption():
    assert resumed_from(PREEMPTED_TWICE) == [1000, 3000]


def test_a_preemption_not_resumed_yet_and_one_before_any_checkpoint_have_no_marker():
    waiting = history(
        status("running"), ("checkpoint", {"step": 500}), ("preempted", {}), status("queued")
    )
    restart = history(status("running"), ("preempted", {}), status("running"))
    assert resumed_from(waiting) == [] and resumed_from(restart) == []


def test_events_out_of_order_and_odd_payloads_are_tolerated():
    shuffled = list(reversed(PREEMPTED_TWICE)) + [
        Event(ts=T0, kind="checkpoint", payload={"step": "x"})
    ]
    assert resumed_from(shuffled) == [1000, 3000]


def test_a_point_seen_live_is_the_checkpoint_the_events_name_not_a_second_marker():
    steps = list(range(10, 4001, 10))
    assert resume_points(PREEMPTED_TWICE, steps, seen=[1010, 3010]) == [1000, 3000]
    # a resume the events do not tell yet (fetched before it) still shows
    assert resume_points(PREEMPTED_TWICE, steps, seen=[1010, 3510]) == [1000, 3000, 3510]
