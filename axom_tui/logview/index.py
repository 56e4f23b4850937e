"""The log pane's model: a bounded, de-duplicated buffer of sanitised lines.

Everything the widget needs to draw a huge log lazily lives here, with no Textual import:

* lines are cleaned once on the way in (:func:`sanitize_line`), never parsed as markup;
* the buffer holds at most ``max_lines`` live lines; evicted lines become a dead prefix
  that is compacted in chunks, so eviction is amortised O(1) per line;
* search matches, the filtered subset and the soft-wrap row table are all maintained
  incrementally, so :meth:`LogIndex.append` costs O(batch), not O(buffer);
* rows (what the screen shows) map to lines through :meth:`LogIndex.locate` in O(log n).

Lines are addressed two ways: a *live index* ``0 <= i < len(index)`` (public), and an
*absolute id* that never changes while the line is held (used for cache keys).

This module holds the line buffer and the search matches; the filter and row mapping
live in :mod:`~axom_tui.logview.rows`, line cleaning in :mod:`~axom_tui.logview.text`
and query parsing in :mod:`~axom_tui.logview.query`.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from rich.cells import cell_len

from axom_tui.api.records import LogLine
from axom_tui.base.sanitize import has_secrets, redact_secrets
from axom_tui.logview.query import REGEX_PREFIX, Matcher, compile_query, make_matcher
from axom_tui.logview.rows import VisibleRows
from axom_tui.logview.text import ELLIPSIS, MAX_LINE_CHARS, sanitize_line, text_width

__all__ = [
    "ELLIPSIS",
    "MAX_LINE_CHARS",
    "REGEX_PREFIX",
    "AppendResult",
    "LogIndex",
    "Matcher",
    "compile_query",
    "make_matcher",
    "sanitize_line",
    "text_width",
]

_MIN_SLACK = 1024


class AppendResult(NamedTuple):
    added: int
    """Lines accepted (after de-duplication)."""
    evicted: int
    """Lines dropped from the front to honour the cap."""
    evicted_rows: int
    """Display rows dropped from the front (to keep a paused viewport steady)."""


class LogIndex(VisibleRows):
    """Bounded log buffer with incremental search, filter and wrap bookkeeping."""

    def __init__(self, max_lines: int = 10_000, *, max_line_chars: int = MAX_LINE_CHARS) -> None:
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self._max_lines = max_lines
        self.max_line_chars = max_line_chars
        self.version = 0
        """Bumped on every change that can alter what is drawn."""
        self._query = ""
        self._matcher: Matcher | None = None
        self._error: str | None = None
        self._init_view()
        self._reset()

    # ------------------------------------------------------------------ storage

    def _reset(self) -> None:
        # Parallel per-line arrays; list index k holds absolute id ``_base + k``;
        # entries before ``_head`` are evicted (dead prefix awaiting compaction).
        self._text: list[str] = []
        self._ts: list[datetime | None] = []
        self._seq = array("q")
        self._err = bytearray()
        self._width = array("q")
        self._base = 0
        self._head = 0
        self._last_seq: int | None = None
        self._max_width = 0
        self._reset_rows()
        # Search matches in line order: absolute line id, start, end.
        self._m_line = array("q")
        self._m_start = array("q")
        self._m_end = array("q")
        self._m_head = 0
        self._m_cur: int | None = None
        self.version += 1

    def clear(self) -> None:
        """Drop every line (and forget the last seq, so anything can be appended again)."""
        self._reset()

    def set_lines(self, lines: Iterable[LogLine]) -> AppendResult:
        """Replace the content with ``lines`` (e.g. a run's ring when switching run)."""
        self._reset()
        return self.append(lines)

    def __len__(self) -> int:
        return len(self._text) - self._head

    def truncate(self, count: int) -> None:
        """Keep only the first ``count`` live lines (replay: the log as it was at a moment).
        O(lines dropped); what is kept is not cleaned or scanned again."""
        if count >= len(self):
            return
        count = max(0, count)
        end = self._head + count
        end_id = self._base + end
        del self._text[end:], self._ts[end:], self._seq[end:], self._err[end:], self._width[end:]
        self._truncate_rows(end_id, count)
        k = bisect_left(self._m_line, end_id, self._m_head)
        del self._m_line[k:], self._m_start[k:], self._m_end[k:]
        if self._m_cur is not None and self._m_cur >= k:
            self._m_cur = None
        self._last_seq = self._seq[-1] if count else None
        self.version += 1

    @property
    def max_lines(self) -> int:
        return self._max_lines

    def set_max_lines(self, max_lines: int) -> AppendResult:
        """Change the cap; evicts the oldest lines at once if over it."""
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self._max_lines = max_lines
        evicted, rows = self._evict()
        if evicted:
            self.version += 1
        return AppendResult(0, evicted, rows)

    @property
    def last_seq(self) -> int | None:
        """Highest seq ever accepted since the last clear (survives eviction)."""
        return self._last_seq

    @property
    def max_width(self) -> int:
        """Widest line held (cells); only grows until :meth:`clear`."""
        return self._max_width

    @property
    def first_id(self) -> int:
        """Absolute id of live line 0."""
        return self._base + self._head

    def line_id(self, i: int) -> int:
        return self._base + self._head + i

    def _k(self, i: int) -> int:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._head + i

    def text(self, i: int) -> str:
        return self._text[self._k(i)]

    def seq(self, i: int) -> int:
        return self._seq[self._k(i)]

    def is_stderr(self, i: int) -> bool:
        return bool(self._err[self._k(i)])

    def timestamp(self, i: int) -> datetime | None:
        return self._ts[self._k(i)]

    def width(self, i: int) -> int:
        return self._width[self._k(i)]

    def texts(self, start: int = 0, stop: int | None = None) -> list[str]:
        stop = len(self) if stop is None else min(stop, len(self))
        return self._text[self._head + start : self._head + stop]

    # ------------------------------------------------------------------ append

    def append(self, lines: Iterable[LogLine]) -> AppendResult:
        """Add a batch; lines with ``seq <= last seq held`` are ignored. O(batch)."""
        last = self._last_seq
        accepted: list[LogLine] = []
        keep = accepted.append
        for line in lines:
            if last is None or line.seq > last:
                keep(line)
                last = line.seq
        if not accepted:
            return AppendResult(0, 0, 0)
        self._last_seq = last
        count = len(accepted)
        if count > self._max_lines:  # the front of this batch would be evicted at once
            accepted = accepted[-self._max_lines :]
        limit = self.max_line_chars
        # Inline fast path of sanitize_line (short, printable text is already clean).
        texts = [
            t if (len(t) <= limit and t.isprintable()) else sanitize_line(t, limit)
            for t in [line.text for line in accepted]
        ]
        if has_secrets():  # the fast path skips clean_text, which hides the key
            texts = [redact_secrets(t) for t in texts]
        widths = [len(t) if t.isascii() else cell_len(t) for t in texts]
        start_id = self._base + len(self._text)
        self._text.extend(texts)
        self._ts.extend([line.ts for line in accepted])
        self._seq.extend([line.seq for line in accepted])
        self._err.extend([line.stream == "stderr" for line in accepted])  # bools are 0/1
        self._width.extend(widths)
        widest = max(widths)
        if widest > self._max_width:
            self._max_width = widest

        hit_ids = self._scan(start_id, texts) if self._matcher is not None else []
        self._append_rows(start_id, widths, hit_ids)
        evicted, evicted_rows = self._evict()
        self.version += 1
        return AppendResult(count, evicted + (count - len(accepted)), evicted_rows)

    def _scan(self, start_id: int, texts: Sequence[str]) -> list[int]:
        """Record the (non-empty) matches in ``texts``; return the ids of lines hit."""
        assert self._matcher is not None
        spans_of = self._matcher.spans
        m_line, m_start, m_end = self._m_line, self._m_start, self._m_end
        hits: list[int] = []
        for offset, text in enumerate(texts):
            spans = spans_of(text)
            if not spans:
                continue
            line_id = start_id + offset
            hits.append(line_id)
            for start, end in spans:
                m_line.append(line_id)
                m_start.append(start)
                m_end.append(end)
        return hits

    def _evict(self) -> tuple[int, int]:
        excess = len(self) - self._max_lines
        if excess <= 0:
            return 0, 0
        new_head = self._head + excess
        first_id = self._base + new_head
        gone_rows = self._evict_rows(first_id, excess)
        if len(self._m_line) > self._m_head:
            k = bisect_left(self._m_line, first_id, self._m_head)
            if self._m_cur is not None and self._m_cur < k:
                self._m_cur = None
            self._m_head = k
        self._head = new_head
        self._compact()
        return excess, gone_rows

    def _compact(self) -> None:
        """Drop dead prefixes once they are a sizeable chunk (amortised O(1) per line)."""
        slack = max(_MIN_SLACK, self._max_lines // 8)
        if self._head > slack:
            h = self._head
            del self._text[:h], self._ts[:h], self._seq[:h], self._err[:h], self._width[:h]
            self._base += h
            self._head = 0
        self._compact_rows(slack)
        if self._m_head > max(slack, (len(self._m_line) - self._m_head)):
            h = self._m_head
            del self._m_line[:h], self._m_start[:h], self._m_end[:h]
            self._m_head = 0
            if self._m_cur is not None:
                self._m_cur -= h

    # ------------------------------------------------------------------ search

    @property
    def query(self) -> str:
        return self._query

    @property
    def error(self) -> str | None:
        """Why the query is unusable (bad regex), else None."""
        return self._error

    @property
    def searching(self) -> bool:
        """A valid, non-empty query is active."""
        return self._matcher is not None

    def set_query(self, query: str) -> None:
        """Set the search query and recompute matches over the live lines. O(buffer)."""
        if query == self._query:
            return
        self._query = query
        self._matcher, self._error = make_matcher(query)
        self._rescan()
        if self._filtering:
            self._rebuild_visible()
        self.version += 1

    def _rescan(self) -> None:
        self._m_line = array("q")
        self._m_start = array("q")
        self._m_end = array("q")
        self._m_head = 0
        self._m_cur = None
        if self._matcher is not None and len(self):
            self._scan(self.first_id, self._text[self._head :])

    @property
    def match_count(self) -> int:
        return len(self._m_line) - self._m_head

    @property
    def current_match(self) -> int | None:
        """0-based number of the current match among all matches, or None."""
        return None if self._m_cur is None else self._m_cur - self._m_head

    def current_span(self) -> tuple[int, int, int] | None:
        """``(line index, start, end)`` of the current match, or None."""
        k = self._m_cur
        if k is None:
            return None
        return self._m_line[k] - self.first_id, self._m_start[k], self._m_end[k]

    def match_spans(self, i: int) -> list[tuple[int, int]]:
        """Character spans of every match in live line ``i``."""
        line_id = self.line_id(i)
        lo = bisect_left(self._m_line, line_id, self._m_head)
        hi = bisect_right(self._m_line, line_id, lo)
        return [(self._m_start[k], self._m_end[k]) for k in range(lo, hi)]

    def next_match(self, from_line: int = 0) -> int | None:
        """Advance the current match (wrapping); return its line index.

        With no current match, picks the first match on or after ``from_line``.
        """
        if not self.match_count:
            return None
        end = len(self._m_line)
        if self._m_cur is None:
            k = bisect_left(self._m_line, self.first_id + max(0, from_line), self._m_head)
        else:
            k = self._m_cur + 1
        if k >= end:
            k = self._m_head
        self._m_cur = k
        self.version += 1
        return self._m_line[k] - self.first_id

    def prev_match(self, from_line: int | None = None) -> int | None:
        """Step the current match back (wrapping); return its line index.

        With no current match, picks the last match on or before ``from_line``.
        """
        if not self.match_count:
            return None
        end = len(self._m_line)
        if self._m_cur is None:
            target = self.first_id + (len(self) if from_line is None else from_line)
            k = bisect_right(self._m_line, target, self._m_head) - 1
        else:
            k = self._m_cur - 1
        if k < self._m_head:
            k = end - 1
        self._m_cur = k
        self.version += 1
        return self._m_line[k] - self.first_id

    def reset_current_match(self) -> None:
        if self._m_cur is not None:
            self._m_cur = None
            self.version += 1
