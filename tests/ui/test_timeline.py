"""The lifecycle pane lists every phase, scrolls, and keeps the current (or final) phase
and a failed run's whole error in view however short it gets, without laying the screen
out again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App, ComposeResult

from axom_tui.api.records import Event, Job
from axom_tui.ui.widgets.timeline import Timeline

T0 = datetime(2026, 6, 1, tzinfo=UTC)
LONG_ERROR = (
    "worker crashed at step 1520: RuntimeError: CUDA error: an illegal memory access "
    "was encountered; retry limit exhausted (3 of 3 retries used) — see the worker "
    "log for the stack trace"
)


def _history(preemptions: int) -> tuple[Job, list[Event]]:
    events = [Event("submitted", T0)]
    t = T0
    for status in ("provisioning", "staging", "running"):
        t += timedelta(minutes=1)
        events.append(Event("status", t, {"to": status}))
    for _ in range(preemptions):
        t += timedelta(minutes=5)
        events.append(Event("status", t, {"to": "preempted"}))
        t += timedelta(minutes=1)
        events.append(Event("status", t, {"to": "running"}))
    return Job(id="j1", status="running", started_at=T0, updated_at=t), events


def _failed(preemptions: int, error: str = LONG_ERROR) -> tuple[Job, list[Event]]:
    job, events = _history(preemptions)
    events.append(Event("status", job.updated_at + timedelta(minutes=1), {"to": "failed"}))
    events.append(Event("mystery", job.updated_at, {"x": 1}))  # an unknown kind
    return Job(
        id="j1",
        status="failed",
        error=error,
        started_at=T0,
        updated_at=job.updated_at + timedelta(minutes=1),
    ), events


def shown_lines(timeline: Timeline) -> list[str]:
    """What the pane shows, row by row."""
    return [timeline.render_line(y).text.rstrip() for y in range(timeline.size.height)]


def _host(css: str) -> App:
    """An app holding only a Timeline, sized by ``css``."""

    class Host(App):
        CSS = css

        def compose(self) -> ComposeResult:
            yield Timeline(id="timeline")

    return Host()


@asynccontextmanager
async def _showing(
    css: str, size: tuple[int, int], history: tuple[Job, list[Event]]
) -> AsyncIterator[tuple[Any, Timeline]]:
    """A Timeline sized by ``css`` in an app of ``size``, showing ``history`` as of the
    job's last update."""
    app = _host(css)
    async with app.run_test(size=size) as pilot:
        timeline = app.query_one(Timeline)
        job, events = history
        timeline.show(job, events, lambda: job.updated_at)
        yield pilot, timeline


async def test_long_history_keeps_the_current_phase_on_screen_without_layout():
    app = _host("Timeline { height: 10; }")
    async with app.run_test(size=(60, 20)) as pilot:
        timeline = app.query_one(Timeline)
        layouts: list[bool] = []
        real_refresh = timeline.refresh
        timeline.refresh = lambda *a, **kw: (
            layouts.append(kw.get("layout", False)),
            real_refresh(*a, **kw),
        )[1]
        for preemptions in (0, 2, 6, 12):
            job, events = _history(preemptions)
            timeline.show(job, events, lambda: job.updated_at + timedelta(seconds=30))
            await pilot.pause()
            shown = shown_lines(timeline)
            assert any("◀ now" in line for line in shown)  # the current phase, on screen
            if 3 + 2 * preemptions > 10 - 2:
                assert "earlier" in shown[0]  # the title says there is more above
        assert not any(layouts)


async def test_earlier_phases_can_be_scrolled_to_and_back():
    async with _showing("Timeline { height: 8; }", (60, 20), _history(12)) as (pilot, timeline):
        timeline.focus()
        await pilot.pause()
        assert not any("provisioning" in line for line in shown_lines(timeline))
        await pilot.press("g")
        assert any("provisioning" in line for line in shown_lines(timeline))
        await pilot.press("j", "j", "k")
        assert any("staging" in line for line in shown_lines(timeline))
        # scrolled away, it stays where the user put it while the run goes on
        timeline.tick()
        await pilot.pause()
        assert not any("◀ now" in line for line in shown_lines(timeline))
        await pilot.press("G")
        assert any("◀ now" in line for line in shown_lines(timeline))


async def test_a_failed_runs_whole_error_shows_wrapped_under_its_last_phase():
    async with _showing("Timeline { height: 9; min-height: 0; }", (50, 20), _failed(5)) as (
        pilot,
        timeline,
    ):
        await pilot.pause()
        shown = shown_lines(timeline)
        text = " ".join(line.strip() for line in shown)
        assert "retry limit exhausted (3 of 3 retries used)" in text
        assert "for the stack trace" in text  # the end of it too: nothing cut
        first = next(i for i, line in enumerate(shown) if "worker crashed" in line)
        assert shown[first - 1].startswith("✗ failed")  # the last phase, just above its error


async def test_a_very_short_pane_still_shows_the_final_phase():
    async with _showing(
        "Timeline { height: 4; min-height: 0; }", (60, 20), _failed(5, error="CUDA out of memory")
    ) as (pilot, timeline):
        await pilot.pause()
        shown = shown_lines(timeline)
        assert any(line.startswith("✗ failed") for line in shown), shown


async def test_a_phase_detail_too_long_for_the_pane_wraps_below_it():
    app = _host("Timeline { height: 20; width: 48; }")
    async with app.run_test(size=(60, 24)) as pilot:
        timeline = app.query_one(Timeline)
        job, events = _history(1)
        events.append(Event("preempted", events[-2].ts, {"retries": 1}))
        events.append(Event("cycle", job.updated_at, {"cycle": 2}))
        events.append(
            Event(
                "error",
                job.updated_at,
                {"message": "worker crashed at step 1520, resumed from a checkpoint"},
            )
        )
        timeline.show(job, events, lambda: job.updated_at + timedelta(seconds=30))
        await pilot.pause()
        width = timeline.scrollable_content_region.width
        assert all(len(line) <= width for line in timeline.lines), timeline.lines
        text = " ".join(" ".join(timeline.lines).split())
        assert "(normal on spot capacity)" in text
        assert "retry 1 (normal on spot capacity)" in text
        assert "cycle 2, worker crashed at step 1520, resumed from a checkpoint" in text
        assert any("◀ now" in line for line in shown_lines(timeline))


async def test_the_moments_phase_is_highlighted_below_a_detail_line():
    """A preempted phase takes two lines (its detail wraps below it): the phase of the
    moment after it is still the one highlighted, not the line above it."""
    from rich.style import Style

    from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane

    class Host(App):
        CSS = "LifecyclePane { height: 20; width: 40; }"

        def compose(self) -> ComposeResult:
            yield LifecyclePane(id="timeline")

    app = Host()
    async with app.run_test(size=(60, 24)) as pilot:
        pane = app.query_one(LifecyclePane)
        job, events = _history(1)
        events.append(Event("preempted", events[-2].ts, {"retries": 1}))
        pane.show(job, events, lambda: job.updated_at + timedelta(seconds=30))
        assert job.updated_at is not None
        pane.show_moment(job.updated_at.timestamp() + 10)  # in the last phase: running again
        await pilot.pause()
        highlighted = [
            line.plain
            for line in pane._body
            if any(isinstance(s.style, Style) and s.style.bgcolor for s in line.spans)
        ]
        assert len(highlighted) == 1 and "running" in highlighted[0], highlighted
