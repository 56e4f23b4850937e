"""Keys that arrive together after the one that opened an input are typed into it.

A paste without bracketed-paste support, or a fast typist over SSH, delivers ``/qwen`` in
one read; each key after ``/`` must land in the filter box, not run as a shortcut (``q``
quit the app). The pty tests write each burst in one ``os.write``; the Pilot tests post
the keys to the app's queue all at once, as the terminal driver does.
"""

from __future__ import annotations

import time

from textual import events

from axom_tui.ui.widgets.job_table import JobTable
from axom_tui.ui.widgets.log_view import LogView
from pty_app import PtyApp
from ui_helpers import app_on, sim_server, wait_for

KEY_NAMES = {"/": "slash", " ": "space"}


def burst(app, text: str) -> None:
    """Every key of ``text`` into the app's queue in one go (the driver's way)."""
    for ch in text:
        app.post_message(events.Key(KEY_NAMES.get(ch, ch), ch))


def _job_rows(lines: list[str]) -> tuple[int, list[str]]:
    header = next(i for i, line in enumerate(lines) if "Name" in line and "Status" in line)
    rows = []
    for line in lines[header + 1 :]:
        if not line.strip() or "Lifecycle" in line:
            break
        rows.append(line)
    return header, rows


def test_slash_and_a_word_in_one_write_filters_and_does_not_quit(tmp_path):
    with PtyApp(tmp_path, "--demo", "--speed", "30") as app:
        assert app.wait_output(b"Lifecycle") and app.wait_output(b"running"), "no demo"
        time.sleep(2.0)
        app.write(b"/qwen")  # one write: q used to quit the app
        time.sleep(2.0)
        assert app.alive(), "the burst quit the app"
        app.write(b"\r")  # apply: the focus goes back to the job list, the box stays
        time.sleep(0.5)
        lines = app.screen()
        assert app.alive()
    header, rows = _job_rows(lines)
    assert "qwen" in lines[header - 2], lines[header - 3 : header]  # the box's text row
    assert rows and all("qwen" in row for row in rows), rows


def test_slash_and_a_bracketed_paste_in_one_write_fill_the_filter(tmp_path):
    with PtyApp(tmp_path, "--demo", "--speed", "30") as app:
        assert app.wait_output(b"Lifecycle") and app.wait_output(b"running"), "no demo"
        time.sleep(2.0)
        app.write(b"/\x1b[200~qwen\x1b[201~")
        time.sleep(1.5)
        app.write(b"\r")
        time.sleep(0.5)
        lines = app.screen()
    header, rows = _job_rows(lines)
    assert "qwen" in lines[header - 2]
    assert rows and all("qwen" in row for row in rows), rows


async def test_a_burst_after_slash_in_the_log_pane_goes_into_the_search(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            log = app.screen.query_one(LogView)
            log.focus()
            await pilot.pause()
            timestamps, wrap = log.show_timestamps, log.wrap
            burst(app, "/step 1010/")
            await wait_for(
                pilot,
                lambda: log.search_box.value == "step 1010/",
                what="the search box to hold the burst",
            )
            assert app.is_running
            assert (log.show_timestamps, log.wrap) == (timestamps, wrap)  # t, w not run
            assert not list((tmp_path / "exports").glob("*"))  # e not run
            assert app.focused is log.search_box


async def test_keys_after_an_opener_that_opens_nothing_are_not_lost(tmp_path):
    with sim_server() as server:
        async with app_on(server, tmp_path) as (app, _, pilot, _):
            table = app.screen.query_one(JobTable)
            app.keys.hold()  # as if an input were about to open, but none does
            start = table.cursor_row
            app.post_message(events.Key("down", None))
            await wait_for(pilot, lambda: not app.keys.holding, what="the hold to time out")
            await wait_for(
                pilot, lambda: table.cursor_row == start + 1, what="the held key to move the cursor"
            )
