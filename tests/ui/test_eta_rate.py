"""The ETA comes from the training rate alone: a waiting record's step 0 (its time is
when the run was queued or staged) or a checkpoint's pause must not stretch it, and no
ETA shows until a few training records span enough time."""

from __future__ import annotations

from axom_tui.view.derive import Progress, StepRate, eta_seconds


def test_the_queued_records_step_zero_does_not_count():
    rate = StepRate()
    rate.observe(0, 0.0, "queued")  # queued an hour before it trained
    rate.observe(0, 3000.0, "staging")
    for i, step in enumerate((10, 20, 30)):
        rate.observe(step, 3600.0 + 3.0 * i, "running")
    assert rate.per_second() == 10 / 3.0


def test_no_eta_from_the_first_two_records():
    rate = StepRate()
    rate.observe(1, 100.0, "running")
    rate.observe(5, 110.0, "running")
    assert eta_seconds(Progress(5, 2000), rate, "running") is None
    rate.observe(9, 120.0, "running")
    assert eta_seconds(Progress(9, 2000), rate, "running") == (2000 - 9) / 0.4


def test_a_checkpoints_pause_is_not_training_time():
    rate = StepRate()
    rate.observe(900, 0.0, "running")
    rate.observe(1000, 10.0, "running")
    rate.observe(1000, 10.0, "checkpointing")  # reached step 1000, saving for 60 s
    rate.observe(1050, 75.0, "running")  # training again from 70 s
    rate.observe(1150, 85.0, "running")
    assert rate.per_second() == 200 / 20.0
