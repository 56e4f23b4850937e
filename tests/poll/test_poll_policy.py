"""Pure policy rules: intervals per status and attention, final fetches, priorities."""

from __future__ import annotations

import pytest

from axom_tui.poll.policy import (
    BACKGROUND,
    FOCUSED,
    VISIBLE,
    PollPolicy,
    Priority,
    RunPhase,
    background_interval,
    feeds_on_attention,
    next_due_delay,
    next_interval,
    phase_of,
    priority_of,
    result_retry_delay,
    wants_final_fetch,
)
from axom_tui.store import FeedKind

P = PollPolicy()
ACTIVE = ("running", "checkpointing", "uploading")
WAITING = ("queued", "provisioning", "staging", "preempted", "mystery-status", None)

# (kind, attention) -> expected interval, for an active run (n_background_live = 10)
ACTIVE_TABLE = {
    ("job", FOCUSED): 4.0,
    ("metrics", FOCUSED): 2.0,
    ("logs", FOCUSED): 2.0,
    ("events", FOCUSED): 10.0,
    ("result", FOCUSED): None,
    ("job", VISIBLE): None,
    ("metrics", VISIBLE): 4.0,
    ("logs", VISIBLE): 4.0,
    ("events", VISIBLE): None,
    ("result", VISIBLE): None,
    ("job", BACKGROUND): None,
    ("metrics", BACKGROUND): 20.0,
    ("logs", BACKGROUND): None,
    ("events", BACKGROUND): None,
    ("result", BACKGROUND): None,
}
WAITING_TABLE = {
    ("job", FOCUSED): 4.0,
    ("logs", FOCUSED): 4.0,
    ("metrics", FOCUSED): None,
    ("events", FOCUSED): None,
    ("result", FOCUSED): None,
}


@pytest.mark.parametrize("status", ACTIVE)
@pytest.mark.parametrize("kind,attention", list(ACTIVE_TABLE))
def test_active_intervals(status, kind, attention):
    assert next_interval(kind, status, attention, 10, P) == ACTIVE_TABLE[(kind, attention)]


@pytest.mark.parametrize("status", WAITING)
@pytest.mark.parametrize("kind", ["job", "metrics", "logs", "events", "result"])
@pytest.mark.parametrize("attention", [FOCUSED, VISIBLE, BACKGROUND])
def test_waiting_intervals(status, kind, attention):
    expected = WAITING_TABLE.get((kind, attention)) if attention is FOCUSED else None
    assert next_interval(kind, status, attention, 10, P) == expected


@pytest.mark.parametrize("status", ["completed", "failed"])
@pytest.mark.parametrize("kind", ["job", "metrics", "logs", "events", "result"])
@pytest.mark.parametrize("attention", [FOCUSED, VISIBLE, BACKGROUND])
def test_terminal_runs_have_no_periodic_feed(status, kind, attention):
    assert next_interval(kind, status, attention, 10, P) is None


def test_a_focused_runs_record_never_comes_more_often_than_its_metrics():
    slow = PollPolicy(focused_active=6.0)
    assert next_interval("job", "running", FOCUSED, 0, slow) == 6.0
    assert next_interval("metrics", "running", FOCUSED, 0, slow) == 6.0


def test_global_intervals():
    assert next_interval(FeedKind.LIST, None, BACKGROUND, 0, P) == 4.0
    assert next_interval("overview", None, BACKGROUND, 0, P) == 30.0
    assert next_interval("models", None, BACKGROUND, 0, P) == 30.0


def test_background_interval_adapts_to_keep_the_budget():
    assert background_interval(1, P) == 20.0
    assert background_interval(50, P) == 20.0
    assert background_interval(200, P) == 80.0
    for n in (1, 10, 50, 200, 1000):
        assert n / background_interval(n, P) <= P.background_rps + 1e-9


def test_unknown_status_is_waiting():
    assert phase_of("exploding") is RunPhase.WAITING and phase_of(None) is RunPhase.WAITING
    assert phase_of("failed") is RunPhase.TERMINAL and phase_of("uploading") is RunPhase.ACTIVE


def test_final_fetches():
    assert wants_final_fetch("result", "completed", BACKGROUND, False)
    assert not wants_final_fetch("result", "failed", FOCUSED, True)
    assert wants_final_fetch("metrics", "failed", BACKGROUND, True)
    assert not wants_final_fetch("metrics", "completed", BACKGROUND, False)  # lazily, on view
    assert wants_final_fetch("metrics", "completed", VISIBLE, False)
    assert not wants_final_fetch("logs", "completed", BACKGROUND, True)
    assert wants_final_fetch("logs", "completed", VISIBLE, False)
    assert not wants_final_fetch("events", "completed", VISIBLE, True)
    assert wants_final_fetch("events", "completed", FOCUSED, False)
    assert not any(
        wants_final_fetch("job", "completed", a, True) for a in (FOCUSED, VISIBLE, BACKGROUND)
    )


def test_feeds_on_attention():
    assert feeds_on_attention("running", FOCUSED, 0, P) == {"job", "metrics", "logs", "events"}
    assert feeds_on_attention("running", VISIBLE, 0, P) == {"metrics", "logs"}
    assert feeds_on_attention("queued", FOCUSED, 0, P) == {"job", "metrics", "logs", "events"}
    assert feeds_on_attention("queued", VISIBLE, 0, P) == {"metrics"}
    assert feeds_on_attention("running", BACKGROUND, 0, P) == set()
    assert feeds_on_attention("completed", FOCUSED, 0, P) == set()


def test_priorities_and_result_retry():
    assert (
        priority_of("metrics", FOCUSED)
        < priority_of(FeedKind.LIST, BACKGROUND)
        < priority_of("logs", VISIBLE)
    )
    assert priority_of("metrics", BACKGROUND) == Priority.BACKGROUND
    assert [result_retry_delay(n, P) for n in (1, 2, 3)] == [5.0, 10.0, 20.0]
    assert result_retry_delay(30, P) == P.result_retry_cap


def test_next_due_delay_combines_interval_triggers_and_final_fetches():
    d = lambda kind, status, att=FOCUSED, **kw: next_due_delay(kind, status, att, 10, P, **kw)  # noqa: E731
    assert d("metrics", "running") == 2.0
    assert d("metrics", "running", min_delay=7.0) == 7.0  # backoff beyond the interval
    assert d("metrics", "running", min_delay=0.5) == 2.0  # never faster than the interval
    assert d("metrics", "queued") is None  # parked
    assert d("metrics", "queued", owed=True) == 0.0  # but a trigger fetches it now
    assert d("metrics", "queued", owed=True, min_delay=4.0) == 4.0  # retried with backoff
    assert d("result", "running", owed=True) is None  # no result before completion
    assert d("result", "completed", BACKGROUND) == 0.0
    assert d("result", "completed", BACKGROUND, min_delay=20.0) == 20.0
    assert d("result", "completed", BACKGROUND, finished=True) is None
    assert d("metrics", "failed", BACKGROUND, seen_live=True) == 0.0
    assert d("metrics", "failed", BACKGROUND, seen_live=True, finished=True) is None
    assert d("logs", "failed", BACKGROUND, seen_live=True) is None
    assert d("job", "completed", owed=True) is None
    assert (
        d(FeedKind.LIST, None, BACKGROUND) == 4.0
        and d(FeedKind.LIST, None, BACKGROUND, owed=True) == 0.0
    )
    assert d("overview", None, BACKGROUND, min_delay=45.0) == 45.0


def test_a_fast_server_clock_polls_background_metrics_often_enough_to_see_the_loss_move():
    # the demo's clock runs 30x: 20 s of ours would be 10 minutes of a run's training
    from axom_tui.poll.policy import for_clock_speed

    fast = for_clock_speed(PollPolicy(), 30.0)
    assert background_interval(7, fast) == 2 * PollPolicy().poll_grid
    assert background_interval(200, fast) == 200 / fast.background_rps  # budget still holds
    assert for_clock_speed(PollPolicy(), 1.0) == PollPolicy()


def test_the_models_period_grows_with_the_pages_of_models_held():
    from axom_tui.poll.policy import models_interval

    policy = PollPolicy()
    assert models_interval(0, policy) == models_interval(200, policy) == policy.models
    assert models_interval(4000, policy) == 20 * policy.models_per_page
    assert next_due_delay(FeedKind.MODELS, None, BACKGROUND, 0, policy, models_held=4000) == 300
