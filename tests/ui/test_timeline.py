"""The lifecycle timeline fills its pane and keeps the current phase on screen, however
long the run's history grows, without laying the screen out again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult

from axom_tui.api.records import Event, Job
from axom_tui.ui.widgets.timeline import Timeline

T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)


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


def _host(css: str) -> App:
    """An app holding only a Timeline, sized by ``css``."""

    class Host(App):
        CSS = css

        def compose(self) -> ComposeResult:
            yield Timeline(id="timeline")

    return Host()


async def test_long_history_keeps_the_current_phase_on_screen_without_layout():
    app = _host("Timeline { height: 10; }")
    async with app.run_test(size=(60, 20)) as pilot:
        timeline = app.query_one(Timeline)
        layouts: list[bool] = []
        real_refresh = timeline.refresh
        timeline.refresh = lambda *a, **kw: (layouts.append(kw.get("layout", False)), real_refresh(*a, **kw))[1]
        for preemptions in (0, 2, 6, 12):
            job, events = _history(preemptions)
            timeline.show(job, events, lambda: job.updated_at + timedelta(seconds=30))
            await pilot.pause()
            lines = timeline.render_timeline().plain.splitlines()
            assert len(lines) <= timeline.content_size.height
            assert "◀ now" in lines[-1]  # the current phase: last, and on screen
            if 3 + 2 * preemptions > len(lines) - 2:
                assert any("earlier phases" in line for line in lines)
        assert not any(layouts)


async def test_a_short_timeline_keeps_the_failed_runs_error_and_last_phase():
    app = _host("Timeline { height: 6; min-height: 0; }")
    async with app.run_test(size=(60, 20)) as pilot:
        timeline = app.query_one(Timeline)
        job, events = _history(5)
        events.append(Event("status", job.updated_at + timedelta(minutes=1), {"to": "failed"}))
        events.append(Event("mystery", job.updated_at, {"x": 1}))  # an unknown kind: least important
        job = Job(id="j1", status="failed", error="CUDA out of memory", started_at=T0,
                  updated_at=job.updated_at + timedelta(minutes=1))
        timeline.show(job, events, lambda: job.updated_at)
        await pilot.pause()
        lines = timeline.render_timeline().plain.splitlines()
        assert len(lines) <= timeline.content_size.height == 6
        error = next(i for i, line in enumerate(lines) if "CUDA out of memory" in line)
        assert lines[error - 1].startswith("✗ failed")  # the last phase, just above its error
        assert any("earlier phases" in line for line in lines)

        timeline.styles.height = 5  # tighter still: the unknown event's line goes first
        await pilot.pause()
        lines = timeline.render_timeline().plain.splitlines()
        assert len(lines) <= 5 and "mystery" not in "".join(lines)
        assert "CUDA out of memory" in lines[-1] and lines[-2].startswith("✗ failed")
