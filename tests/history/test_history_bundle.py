"""Bundles: made from the cache plus what it lacks, then opened with no key and no
network, every view working (list, lifecycle, chart, logs with search, result, compare)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
from datetime import timedelta

import pytest

from axom_tui.api.records import Event, Model
from axom_tui.cli.launch import bundle_services
from axom_tui.history import db, read
from axom_tui.history.bundle import is_bundle, make_bundle
from axom_tui.ui.app import AxomApp
from axom_tui.ui.messages import CompareRequested
from axom_tui.ui.settings import UiSettings
from axom_tui.ui.widgets.log_view import LogView
from history_helpers import T0, events, job, points, result
from sessions import Session, new_api

DONE, FAILED = "a1b2c3d4-done", "e5f6a7b8-failed"


def world():
    api = new_api(metrics_page=400)
    api.add_run(FAILED, status="failed")
    api.runs[FAILED].points = points(1, 1500, seed=5)
    api.runs[FAILED].job = dataclasses.replace(
        job(FAILED, "failed", name="broken-overnight"), latest_step=1500, error="CUDA out of memory"
    )
    api.add_lines(FAILED, 80)
    api.runs[FAILED].events = [
        Event("submitted", T0),
        Event("status", T0, {"from": "queued", "to": "running"}),
        Event("checkpoint", T0 + timedelta(hours=1), {"step": 1000}),
        Event("error", T0 + timedelta(hours=2), {"message": "CUDA out of memory"}),
        Event("status", T0 + timedelta(hours=2), {"from": "running", "to": "failed"}),
    ]
    api.add_run(DONE, status="completed")
    api.runs[DONE].points = points(1, 6000)
    api.runs[DONE].job = dataclasses.replace(
        job(DONE, "completed", name="falcon-h1-grown"), latest_step=6000
    )
    api.add_lines(DONE, 2500)
    api.runs[DONE].lines[1233] = dataclasses.replace(
        api.runs[DONE].lines[1233], text="needle in the logs"
    )
    api.runs[DONE].events = events("submitted", "status", "checkpoint", "completed")
    api.runs[DONE].result = result(DONE)
    api.models = [Model(id="m-1", name="falcon-h1-grown-model", job_id=DONE, status="ready")]
    return api


def screen_text(app: AxomApp) -> str:
    return re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")


async def wait_until(predicate, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


async def test_a_bundle_fetches_only_what_the_cache_lacks(tmp_path):
    api = world()
    cache = tmp_path / "c.sqlite3"
    async with Session(api, cache) as s:  # the user looked at the finished run before
        await s.watch(DONE, 60)
    api.calls.clear()
    out = tmp_path / "two.axom"
    report = await make_bundle(api, [DONE, FAILED], out, cache_path=cache)
    assert api.history_calls(DONE) == 0 and api.count("get_result", DONE) == 0
    assert api.count("get_metrics", FAILED) >= 4  # 1,500 points at 400 a page
    assert report.runs == 2 and report.points == 7500 and report.log_lines == 2580
    assert is_bundle(out) and not any(p.exists() for p in db.companions(out)[1:])  # one file
    conn = db.connect(out, readonly=True)
    entries = {e.job_id: e for e in read.read_index(conn)}
    assert set(entries) == {DONE, FAILED} and entries[DONE].points == 6000
    assert conn.execute("SELECT value FROM meta WHERE name = 'kind'").fetchone()[0] == "bundle"
    conn.close()
    # what was fetched for the bundle went to the cache too: a second bundle costs nothing
    api.calls.clear()
    await make_bundle(api, [DONE, FAILED], tmp_path / "again.axom", cache_path=cache)
    assert api.history_calls() == 0


@pytest.fixture
def no_network(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("the bundle viewer tried to connect")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.delenv("AXOM_KEY", raising=False)


async def test_a_bundle_opens_offline_and_every_view_works(tmp_path, no_network):
    api = world()
    out = tmp_path / "two.axom"
    await make_bundle(api, [DONE, FAILED], out)
    services = bundle_services(out)
    assert not services.client.key  # no key anywhere
    app = AxomApp(services, UiSettings(notify_desktop=False, label="bundle"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(
            lambda: (
                len(services.store.runs.get(DONE, None).metrics) == 6000
                if DONE in services.store.runs
                else False
            )
        )
        await pilot.pause(0.4)
        text = screen_text(app)
        assert "falcon-h1-grown" in text and "broken-overnight" in text  # the list
        assert "offline" in text and "two.axom" in text
        assert "perplexity" in text and "11k" in text  # the result card
        assert "✓ completed" in text.split("Lifecycle", 1)[1]  # the lifecycle pane
        assert "6000" in text.split("└", 1)[1][:400]  # the chart's x axis reaches the last step
        assert re.search(r"loss \d", text)  # the run summary's readout
        log = app.screen.query_one(LogView)
        await wait_until(lambda: log.index.last_seq == 2500)
        log.search("needle")
        assert log.index.match_count == 1  # logs with search
        # the failed run: lifecycle and its error
        await pilot.press("down")
        await wait_until(lambda: len(services.store.runs[FAILED].metrics) == 1500)
        await pilot.pause(0.4)
        lifecycle = screen_text(app).split("Lifecycle", 1)[1]
        assert "running" in lifecycle and "CUDA out of memory" in lifecycle
        # compare both
        app.post_message(CompareRequested([DONE, FAILED]))
        await pilot.pause(0.5)
        text = screen_text(app)
        assert "loss — all compared runs" in text
        assert "falcon-h1-grown" in text and "broken-overnight" in text
        await pilot.press("escape")
        await pilot.press("q")
