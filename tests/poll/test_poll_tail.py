"""Every listed run's latest loss is known within one poll round of start.

The job list shows a loss per run, but the list carries none: before, a background run's
Loss cell waited for its first metrics poll (spread over 20 s, and starting from step 0),
and a run that had finished before start waited until somebody opened it. Here the
simulator has been running for a while (runs mid-training, some finished, one failed)
when the scheduler starts, in virtual time.
"""

from __future__ import annotations

from axom_tui.ui.widgets.job_rows import row_cells
from axom_tui.view.derive import StepRate
from axom_tui.view.format import utcnow
from test_poll_with_simulator import World, finish, start


def loss_cell(run) -> str:
    """The job list's Loss cell for ``run``."""
    cells = row_cells(
        run.job_id,
        run,
        StepRate(),
        marked=False,
        compact=False,
        ascii_mode=False,
        variables={},
        server_now=utcnow(),
    )
    return cells["loss"].plain


async def test_every_listed_run_has_its_latest_loss_one_round_after_start():
    world = World()
    world.sim.clock.advance(1500.0)  # the world went on before the app started: one failed
    task = await start(world)
    try:
        focused = world.job_id("near-finish")
        world.scheduler.focus(focused)
        await world.run_for(int(world.scheduler.policy.poll_grid), world_moves=False)
        runs = [world.store.runs[j] for j in world.store.order]
        with_steps = [r for r in runs if r.job is not None and (r.job.latest_step or 0) > 0]
        assert {r.job.status for r in with_steps} >= {"running", "failed", "completed"}
        missing = [(r.job.display_name, r.job.status) for r in with_steps if loss_cell(r) == "—"]
        assert missing == []
        # the figure is the run's latest, not that of its first page of history
        for run in with_steps:
            if run.job.status == "running" and run.job_id != focused:
                truth = world.sim.ground_truth(run.job_id).metrics
                last = max(truth)
                assert abs(float(loss_cell(run)) - truth[last]["loss"]) < 0.5
    finally:
        await finish(world, task)


async def test_the_tail_is_asked_once_per_run():
    world = World()
    world.sim.clock.advance(1500.0)
    task = await start(world)
    try:
        await world.run_for(60, world_moves=False)
        tails = {k.job_id: n for k, n in world.scheduler.stats.by_feed.items() if k.kind == "tail"}
        listed = [
            j
            for j in world.store.order
            if (world.store.runs[j].job.latest_step or 0) > 0
            and world.store.runs[j].job.status != "completed"
        ]  # the result has its loss
        assert tails and set(tails) == set(listed)
        assert set(tails.values()) == {1}
    finally:
        await finish(world, task)
