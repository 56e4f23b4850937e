"""Pilot tests for the log pane's selection keys in a tiny host app at 100×30: marking
lines (``space``, ``U``, a click), copying what is marked or selected rather than only
what is on screen (``c``), saving the whole log (``W``) and jumping between error-looking
lines (``]``/``[``, lnav's ``e``/``E``); all remappable by binding id and listed by ``?``.
"""

from __future__ import annotations

from pathlib import Path

from axom_tui.api.records import LogLine
from axom_tui.ui.app import AxomApp
from axom_tui.ui.screens.help import binding_sections, display_key
from axom_tui.ui.widgets.log_view import LogView
from ui_helpers import batch, log_view_holding, screen_rows, settle

NEW_KEYS = {
    "log.mark": "space",
    "log.clear_marks": "U",
    "log.save": "W",
    "log.next_error": "right_square_bracket",
    "log.prev_error": "left_square_bracket",
}


def training_log() -> list[LogLine]:
    """200 lines of progress with two error blocks (a traceback on stdout, a burst of
    stderr) and a NaN loss, none of them on screen at the tail."""
    lines = [LogLine(i, f"step {i} loss=2.{i:03d}") for i in range(200)]
    lines[40] = LogLine(40, "Traceback (most recent call last):")
    lines[41] = LogLine(41, '  File "train.py", line 9, in step')
    lines[42] = LogLine(42, "RuntimeError: CUDA error: an illegal memory access")
    lines[43] = LogLine(43, "  File nothing-looking-like-an-error", "stderr")
    lines[90] = LogLine(90, "step 90 loss=nan")
    lines[120] = LogLine(120, "warning: grad norm spiked", "stderr")
    lines[121] = LogLine(121, "warning: grad norm spiked again", "stderr")
    return lines


async def test_c_copies_marked_lines_even_when_they_are_off_screen() -> None:
    async with log_view_holding(batch(0, 200)) as (app, pilot, view):
        await pilot.press("space")  # following: marks the newest line on screen
        await pilot.press("home")
        await settle(pilot, view)
        await pilot.press("space")  # paused at the top: the last line on screen
        bottom = view.view_height - 1
        assert view.selection.marked() == [bottom, 199]
        assert "•" in screen_rows(view)[bottom]  # the mark shows in the gutter
        await pilot.press("end")
        await settle(pilot, view)
        await pilot.press("c")
        assert app.clipboard == f"line {bottom}\nline 199"
        await pilot.press("U")
        assert view.selection.marked() == []
        await pilot.press("c")  # nothing marked: the screen again
        assert app.clipboard.splitlines()[-1] == "line 199"
        assert len(app.clipboard.splitlines()) == view.view_height


async def test_c_copies_every_filtered_line_not_only_the_visible_ones() -> None:
    async with log_view_holding() as (app, pilot, view):
        view.append(batch(0, 300, "line {} " + "x" * 10))
        view.append([LogLine(300 + i, f"odd {i}") for i in range(200)])
        await settle(pilot, view)
        view.search("line")
        await pilot.press("x")
        await settle(pilot, view)
        assert view.index.visible_count == 300 > view.view_height
        await pilot.press("c")
        copied = app.clipboard.splitlines()
        assert len(copied) == 300 and copied[0].startswith("line 0 ") and "odd" not in app.clipboard


async def test_a_click_selects_a_line_and_space_marks_it() -> None:
    async with log_view_holding(batch(0, 100)) as (app, pilot, view):
        target = screen_rows(view)[3].strip()
        await pilot.click(LogView, offset=(5, 3))
        await settle(pilot, view)
        assert not view.follow  # the clicked line stays put
        assert view.index.text(view.selection.current) == target  # type: ignore[arg-type]
        await pilot.press("space", "c")
        assert app.clipboard == target
        await pilot.press("escape")  # clears the selection, not the mark
        assert view.selection.current is None and len(view.selection.marked()) == 1


async def test_brackets_jump_between_error_blocks_like_lnav() -> None:
    async with log_view_holding(training_log()) as (app, pilot, view):
        await pilot.press("left_square_bracket")  # from the tail: the newest block
        await settle(pilot, view)
        assert view.selection.current == 120 and not view.follow
        assert any("grad norm spiked" in row for row in screen_rows(view))
        await pilot.press("left_square_bracket")
        assert view.selection.current == 90
        await pilot.press("left_square_bracket")  # the traceback is one stop, at its top
        assert view.selection.current == 40
        await pilot.press("left_square_bracket")
        assert view.selection.current == 40  # nothing earlier: it stays
        await pilot.press("right_square_bracket")
        assert view.selection.current == 90  # 41-43 are the same block
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert view.selection.current == 120
        await pilot.press("c")
        assert app.clipboard == "warning: grad norm spiked"


async def test_w_saves_the_whole_log_to_a_file(tmp_path: Path) -> None:
    async with log_view_holding() as (app, pilot, view):
        view.save_dir = tmp_path / "exports"
        view.save_name = "run-abc"
        view.append(batch(0, 500))
        view.append([LogLine(500, "\x1b]0;pwned\x07 bell")])
        await settle(pilot, view)
        await pilot.press("W")
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved = (tmp_path / "exports" / "run-abc-log.txt").read_text(encoding="utf-8")
        lines = saved.splitlines()
        assert len(lines) == 501 and lines[0] == "line 0" and lines[499] == "line 499"
        assert "\x1b" not in saved and "\x07" not in saved  # as shown: inert


async def test_new_log_keys_have_ids_are_listed_in_help_and_can_be_remapped() -> None:
    bindings = {b.id: b for b in LogView.BINDINGS if not isinstance(b, tuple)}  # type: ignore[union-attr]
    assert {i: bindings[i].key for i in NEW_KEYS if i in bindings} == {
        i: k.replace("right_square_bracket", "]").replace("left_square_bracket", "[")
        for i, k in NEW_KEYS.items()
    }
    log_section = dict(binding_sections(AxomApp))["Log pane"]
    listed = {b.id: display_key(b, {}) for b in log_section}
    assert listed["log.next_error"] == "]" and listed["log.prev_error"] == "["
    assert listed["log.save"] == "W" and listed["log.mark"] == "space"
    # none of them shadows a dashboard or app key
    taken = {
        b.key
        for title, section in binding_sections(AxomApp)
        if title in ("Everywhere", "Dashboard")
        for b in section
    }
    assert not taken & {b.key for b in log_section if b.id in NEW_KEYS}
    async with log_view_holding() as (app, pilot, view):
        app.set_keymap({"log.prev_error": "ctrl+y", "log.mark": "ctrl+t"})
        view = app.query_one(LogView)
        view.append(training_log())
        await settle(pilot, view)
        await pilot.press("ctrl+y")
        assert view.selection.current == 120
        await pilot.press("ctrl+t")
        assert view.selection.marked() == [120]
