"""The log pane's Textual-free selection parts (axom_tui.logview): what looks like an error,
where the error jumps land, marks that survive eviction, and what copy takes."""

from __future__ import annotations

import pytest

from axom_tui.api.records import LogLine
from axom_tui.logview import LogIndex
from axom_tui.logview.errors import looks_like_error, next_error, prev_error
from axom_tui.logview.selection import CopyKind, LineSelection, clipboard_text


@pytest.mark.parametrize(
    "text",
    [
        "Traceback (most recent call last):",
        '  File "/opt/train.py", line 212, in <module>',
        "RuntimeError: CUDA error: device-side assert triggered",
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
        "step 1200 loss=nan grad_norm=inf",
        "loss is NaN, skipping batch",
        "error: could not open shard 3",
        "FATAL: NCCL watchdog timeout",
        "Killed: OOM",
        "ValueError",
    ],
)
def test_error_looking_lines(text: str) -> None:
    assert looks_like_error(text)


@pytest.mark.parametrize(
    "text",
    [
        "step 1200 loss=2.3102 lr=3.0e-4",
        "error_rate=0.00 (no errors)",
        "Errors: 0",
        "latency 120 nanoseconds",
        "memory 41.2GB",
    ],
)
def test_ordinary_lines_do_not_look_like_errors(text: str) -> None:
    assert not looks_like_error(text)


def test_any_stderr_line_looks_like_an_error() -> None:
    assert looks_like_error("step 3 ok", stderr=True)


def index_of(texts: list[str], stderr: frozenset[int] = frozenset(), cap: int = 1000) -> LogIndex:
    index = LogIndex(cap)
    index.append(
        [LogLine(i, t, "stderr" if i in stderr else "stdout") for i, t in enumerate(texts)]
    )
    return index


TRACE = [
    "ok 0",
    "Traceback (most recent call last):",
    '  File "a.py", line 1, in f',
    "    f()",
    '  File "b.py", line 2, in g',
    "    g()",
    "KeyError: 'x'",
    "ok 7",
    "ok 8",
    "loss=nan",
    "ok 10",
]


def test_a_whole_traceback_is_one_stop_both_ways() -> None:
    index = index_of(TRACE)
    assert next_error(index, None) == 1
    assert next_error(index, 1) == 9  # its frames and code lines are the same block
    assert next_error(index, 9) is None
    assert prev_error(index, None) == 9
    assert prev_error(index, 9) == 1  # lands on the block's first line, not on KeyError
    assert prev_error(index, 1) is None


def test_error_jumps_skip_lines_the_filter_hides() -> None:
    index = index_of(TRACE)
    index.set_query("ok")
    index.set_filtering(True)
    assert next_error(index, None) is None and prev_error(index, None) is None
    index.set_query("re:ok|nan")
    assert prev_error(index, None) == 9


def test_marks_and_the_current_line_survive_appends_and_evictions() -> None:
    index = index_of([f"l{i}" for i in range(10)], cap=10)
    selection = LineSelection(index)
    selection.toggle_mark(2)
    selection.toggle_mark(8)
    selection.set_current(8)
    index.append([LogLine(10 + i, f"l{10 + i}") for i in range(5)])  # evicts l0..l4
    assert [index.text(i) for i in selection.marked()] == ["l8"]
    assert selection.current is not None and index.text(selection.current) == "l8"
    index.append([LogLine(20 + i, f"n{i}") for i in range(10)])  # evicts l8 too
    assert selection.marked() == [] and selection.current is None


def test_copy_prefers_marks_then_the_filter_then_the_current_line_then_the_screen() -> None:
    index = index_of(["a1", "b2", "a3", "b4"])
    selection = LineSelection(index)
    assert selection.pick([2, 3]) == (CopyKind.SCREEN, [2, 3])
    selection.set_current(1)
    assert selection.pick([2, 3]) == (CopyKind.CURRENT, [1])
    index.set_query("a")
    index.set_filtering(True)
    assert selection.pick([2, 3]) == (CopyKind.FILTERED, [0, 2])
    selection.toggle_mark(3)
    assert selection.pick([2, 3]) == (CopyKind.MARKED, [3])


def test_clipboard_text_is_cut_on_a_character_boundary() -> None:
    text, cut = clipboard_text(["界" * 10], 7)
    assert (text, cut) == ("界" * 2, True)
    assert clipboard_text(["a", "b"], 3) == ("a\nb", False)
