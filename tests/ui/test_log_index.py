"""The log pane's Textual-free model (axom_tui.logview): buffer, cap, search, filter, rows."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given, settings, strategies as st

from axom_tui.api.records import LogLine
from axom_tui.base.sanitize import clean_text
from axom_tui.logview import MAX_LINE_CHARS, LogIndex, compile_query, sanitize_line


def lines(start: int, stop: int, fmt: str = "line {}", stream: str = "stdout") -> list[LogLine]:
    return [LogLine(seq=i, text=fmt.format(i), stream=stream) for i in range(start, stop)]


def test_core_imports_without_textual() -> None:
    probe = "import sys, axom_tui.logview; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_fast_path_agrees_with_clean_text_on_every_unsafe_codepoint() -> None:
    # sanitize_line skips clean_text for printable text: that is only sound if every
    # character clean_text rewrites is non-printable.
    for code in [*range(0, 0x300), *range(0x2000, 0x2100), 0xFEFF]:
        ch = chr(code)
        text = f"a{ch}b"
        assert sanitize_line(text) == clean_text(text, max_len=None), hex(code)


@given(st.text(max_size=60))
def test_sanitize_line_matches_clean_text(text: str) -> None:
    assert sanitize_line(text) == clean_text(text, max_len=None)


def test_hostile_text_becomes_visible_and_inert() -> None:
    for raw in ["\x1b]0;pwned\x07", "\x1b[31mred", "\x9b2J", "a\rb", "x\u202ey", "t\tab"]:
        out = sanitize_line(raw)
        assert out.isprintable(), (raw, out)
        assert "\x1b" not in out and "\x9b" not in out
    assert sanitize_line("\x1b[31mred") == "␛[31mred"
    assert sanitize_line("a\rb") == "a␍b"


def test_long_line_is_truncated_with_marker() -> None:
    out = sanitize_line("x" * 5000)
    assert len(out) == MAX_LINE_CHARS and out.endswith("…")
    assert sanitize_line("y" * MAX_LINE_CHARS) == "y" * MAX_LINE_CHARS


def test_dedupe_by_seq_survives_eviction() -> None:
    index = LogIndex(max_lines=5)
    assert index.append(lines(0, 10)).added == 10
    assert index.append(lines(5, 12)).added == 2  # 5..9 already seen
    assert index.append(lines(0, 3)).added == 0  # evicted long ago, still ignored
    assert [index.seq(i) for i in range(len(index))] == [7, 8, 9, 10, 11]
    assert index.last_seq == 11
    index.clear()
    assert index.append(lines(0, 2)).added == 2  # clear forgets the last seq


def test_unsorted_batch_keeps_increasing_seqs_only() -> None:
    index = LogIndex()
    batch = [LogLine(3, "c"), LogLine(1, "a"), LogLine(4, "d"), LogLine(4, "dup")]
    index.append(batch)
    assert index.texts() == ["c", "d"]


def test_cap_evicts_oldest_and_storage_stays_bounded() -> None:
    index = LogIndex(max_lines=1000)
    for start in range(0, 210_000, 700):
        index.append(lines(start, start + 700))
        assert len(index) <= 1000
        # dead prefix is compacted in chunks: storage ≤ cap + slack
        assert len(index._text) <= 1000 + 1024 + 700
    assert index.texts()[-1] == "line 209999"
    assert index.texts()[0] == "line 209000"


def test_batch_bigger_than_cap() -> None:
    index = LogIndex(max_lines=10)
    result = index.append(lines(0, 100))
    assert result.added == 100 and len(index) == 10
    assert index.texts() == [f"line {i}" for i in range(90, 100)]


def test_max_lines_setter_trims() -> None:
    index = LogIndex(max_lines=100)
    index.append(lines(0, 100))
    index.set_max_lines(10)
    assert len(index) == 10 and index.text(0) == "line 90"


def test_search_counts_and_moves() -> None:
    index = LogIndex()
    index.append(lines(0, 30, "row {} ERROR error"))
    index.set_query("error")
    assert index.match_count == 60  # two case-insensitive hits per line
    assert index.match_spans(0) == [(6, 11), (12, 17)]
    assert index.next_match(from_line=5) == 5
    assert index.current_match == 10
    assert index.next_match() == 5 and index.current_match == 11
    assert index.prev_match() == 5 and index.current_match == 10
    index.reset_current_match()
    assert index.prev_match(from_line=0) == 0 and index.current_match == 1
    assert index.prev_match() == 0
    assert index.prev_match() == 29  # wraps around


def test_regex_mode_and_bad_regex() -> None:
    index = LogIndex()
    index.append(lines(0, 100))
    index.set_query(r"re:^line 1\d$")
    assert index.match_count == 10 and index.error is None
    index.set_query("re:[unclosed")
    assert index.match_count == 0 and index.error and "bad regex" in index.error
    assert compile_query("re:") == (None, None)
    pattern, _ = compile_query("a.b")
    assert pattern is not None and pattern.search("A.B") and not pattern.search("axb")


def test_filter_incremental_on_append() -> None:
    index = LogIndex(max_lines=50)
    index.set_filtering(True)
    index.set_query("7")
    index.append(lines(0, 40))
    shown = [index.text(index.locate(r)[0]) for r in range(index.row_count)]  # type: ignore[index]
    assert shown == ["line 7", "line 17", "line 27", "line 37"]
    index.append(lines(40, 80))  # evicts 0..29
    shown = [index.text(index.locate(r)[0]) for r in range(index.row_count)]  # type: ignore[index]
    assert shown == [
        "line 37",
        "line 47",
        "line 57",
        "line 67",
        "line 70",
        "line 71",
        "line 72",
        "line 73",
        "line 74",
        "line 75",
        "line 76",
        "line 77",
        "line 78",
        "line 79",
    ]
    index.set_filtering(False)
    assert index.row_count == 50


def test_wrap_rows() -> None:
    index = LogIndex()
    index.append([LogLine(0, "a" * 25), LogLine(1, "b"), LogLine(2, "")])
    assert index.row_count == 3
    index.set_wrap(10)
    assert index.row_count == 3 + 1 + 1
    assert index.locate(2) == (0, 2) and index.locate(3) == (1, 0) and index.locate(4) == (2, 0)
    assert index.row_of_line(1) == 3
    index.append([LogLine(3, "c" * 11)])
    assert index.row_count == 7
    index.set_wrap(0)
    assert index.row_count == 4


# ----------------------------------------------------------------- model-based check

ALPHABET = "aAb\x1b[7 é"
op = st.one_of(
    st.tuples(
        st.just("append"),
        st.lists(
            st.tuples(st.integers(0, 60), st.text(ALPHABET, max_size=14), st.booleans()),
            max_size=12,
        ),
    ),
    st.tuples(
        st.just("query"),
        st.sampled_from(["", "a", "ab", "re:a+b", "re:[", "7", " ", "A", "re:A|b"]),
    ),
    st.tuples(st.just("filter"), st.booleans()),
    st.tuples(st.just("wrap"), st.sampled_from([0, 1, 3, 8])),
    st.tuples(st.just("cap"), st.integers(1, 15)),
    st.tuples(st.just("truncate"), st.integers(0, 10)),  # replay going back
)


@settings(max_examples=300, deadline=None)
@given(st.lists(op, max_size=25))
def test_incremental_state_matches_a_naive_model(ops: list[tuple[str, object]]) -> None:
    index = LogIndex(max_lines=8)
    # ensure compaction paths run with tiny caps
    import axom_tui.logview.index as mod

    old_slack, mod._MIN_SLACK = mod._MIN_SLACK, 2
    try:
        held: list[tuple[int, str]] = []
        last = None
        cap, query, filtering, wrap = 8, "", False, 0
        for kind, arg in ops:
            if kind == "append":
                assert isinstance(arg, list)
                batch = [LogLine(s, t, "stderr" if e else "stdout") for s, t, e in arg]
                index.append(batch)
                for line in batch:
                    if last is None or line.seq > last:
                        held.append((line.seq, sanitize_line(line.text)))
                        last = line.seq
            elif kind == "query":
                query = str(arg)
                index.set_query(query)
            elif kind == "filter":
                filtering = bool(arg)
                index.set_filtering(filtering)
            elif kind == "wrap":
                wrap = int(arg)  # type: ignore[call-overload]
                index.set_wrap(wrap)
            elif kind == "truncate":
                index.truncate(int(arg))  # type: ignore[call-overload]
                held = held[: int(arg)]  # type: ignore[call-overload]
                last = held[-1][0] if held else None
            else:
                cap = int(arg)  # type: ignore[call-overload]
                index.set_max_lines(cap)
            held = held[-cap:]

            assert index.texts() == [t for _, t in held]
            assert index.last_seq == (held[-1][0] if held else last)
            pattern, _ = compile_query(query)
            spans = [
                [m.span() for m in pattern.finditer(t) if m.end() > m.start()] if pattern else []
                for _, t in held
            ]
            assert index.match_count == sum(map(len, spans))
            for i, s in enumerate(spans):
                assert index.match_spans(i) == s
            shown = (
                [i for i, s in enumerate(spans) if s]
                if (filtering and pattern)
                else list(range(len(held)))
            )
            rows: list[tuple[int, int]] = []
            for i in shown:
                n = max(1, -(-len(held[i][1]) // wrap)) if wrap else 1
                rows.extend((i, k) for k in range(n))
            assert index.row_count == len(rows)
            assert [index.locate(r) for r in range(len(rows))] == rows
            for i in range(len(held)):
                expect = rows.index((i, 0)) if (i, 0) in rows else None
                assert index.row_of_line(i) == expect
    finally:
        mod._MIN_SLACK = old_slack


def test_query_is_matched_against_displayed_text() -> None:
    index = LogIndex()
    index.append([LogLine(0, "\x1b[31mred")])
    index.set_query("␛[31m")
    assert index.match_count == 1
    index.set_query("re:" + re.escape("\x1b"))
    assert index.match_count == 0  # raw ESC no longer exists
