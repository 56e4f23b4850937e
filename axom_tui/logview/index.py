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
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from rich.cells import cell_len

from axom_tui.api.records import LogLine
from axom_tui.sanitize import clean_text

MAX_LINE_CHARS = 2000
"""Longest line (in characters, after cleaning) that is kept; longer ones end in "…"."""
ELLIPSIS = "…"
REGEX_PREFIX = "re:"
_MIN_SLACK = 1024


def sanitize_line(text: str, max_chars: int = MAX_LINE_CHARS) -> str:
    """Terminal-safe, single-line, length-capped text for one log line.

    The fast path relies on ``str.isprintable()``: every character that
    :func:`axom_tui.sanitize.clean_text` rewrites (C0/C1 controls, DEL, tab, bidi and
    format marks) is non-printable, so a printable line is already clean.
    """
    if not isinstance(text, str):
        text = str(text)
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    if not text.isprintable():
        text = clean_text(text, max_len=None)
    if truncated or len(text) > max_chars:
        text = text[: max_chars - 1] + ELLIPSIS
    return text


def text_width(text: str) -> int:
    """Terminal cells taken by already-sanitised text."""
    return len(text) if text.isascii() else cell_len(text)


class Matcher:
    """Finds non-empty, non-overlapping, case-insensitive matches of a compiled query.

    A plain ASCII query against an ASCII line uses ``str.lower().find`` (several times
    faster than an IGNORECASE regex); everything else goes through the regex, and both
    give the same spans.
    """

    __slots__ = ("pattern", "needle")

    def __init__(self, pattern: re.Pattern[str], needle: str | None) -> None:
        self.pattern = pattern
        self.needle = needle

    def spans(self, text: str) -> list[tuple[int, int]]:
        needle = self.needle
        if needle is not None and text.isascii():
            low = text.lower()
            start = low.find(needle)
            if start < 0:
                return []
            size = len(needle)
            out = []
            while start >= 0:
                out.append((start, start + size))
                start = low.find(needle, start + size)
            return out
        if self.pattern.search(text) is None:
            return []
        return [m.span() for m in self.pattern.finditer(text) if m.end() > m.start()]


def make_matcher(query: str) -> tuple[Matcher | None, str | None]:
    """``(matcher, error)`` for a query; see :func:`compile_query`."""
    pattern, error = compile_query(query)
    if pattern is None:
        return None, error
    plain = not query.startswith(REGEX_PREFIX) and query.isascii()
    return Matcher(pattern, query.lower() if plain else None), None


def compile_query(query: str) -> tuple[re.Pattern[str] | None, str | None]:
    """``(pattern, error)`` for a search query.

    Plain text is a case-insensitive substring; a leading ``re:`` makes the rest a
    case-insensitive regular expression. An empty query gives ``(None, None)``; a bad
    regex gives ``(None, message)``.
    """
    if not query:
        return None, None
    if query.startswith(REGEX_PREFIX):
        source = query[len(REGEX_PREFIX):]
        if not source:
            return None, None
        try:
            return re.compile(source, re.IGNORECASE), None
        except (re.error, OverflowError, RecursionError, ValueError) as error:
            return None, f"bad regex: {error}"
    return re.compile(re.escape(query), re.IGNORECASE), None


class AppendResult(NamedTuple):
    added: int
    """Lines accepted (after de-duplication)."""
    evicted: int
    """Lines dropped from the front to honour the cap."""
    evicted_rows: int
    """Display rows dropped from the front (to keep a paused viewport steady)."""


class LogIndex:
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
        self._filtering = False
        self._wrap_width = 0  # 0 = no wrapping; else body cells per row
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
        # Filtered subset (absolute ids), only kept while a filter is active.
        self._vis = array("q")
        self._vis_head = 0
        # Cumulative row ends, parallel to the visible sequence, only kept while wrapping.
        self._cum = array("q")
        self._cum_head = 0
        self._cum_zero = 0
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
        return self._text[self._head + start: self._head + stop]

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
            accepted = accepted[-self._max_lines:]
        limit = self.max_line_chars
        # Inline fast path of sanitize_line (short, printable text is already clean).
        texts = [
            t if (len(t) <= limit and t.isprintable()) else sanitize_line(t, limit)
            for t in [line.text for line in accepted]
        ]
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
        if self.filter_active:
            self._vis.extend(hit_ids)
            self._extend_rows([widths[a - start_id] for a in hit_ids])
        else:
            self._extend_rows(widths)
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

    def _extend_rows(self, widths: Iterable[int]) -> None:
        if not self._wrap_width:
            return
        cum = self._cum
        total = cum[-1] if len(cum) > self._cum_head else self._cum_zero
        per_row = self._wrap_width
        for w in widths:
            total += max(1, -(-w // per_row))
            cum.append(total)

    def _evict(self) -> tuple[int, int]:
        excess = len(self) - self._max_lines
        if excess <= 0:
            return 0, 0
        new_head = self._head + excess
        first_id = self._base + new_head
        if self.filter_active:
            k = bisect_left(self._vis, first_id, self._vis_head)
            gone_visible = k - self._vis_head
            self._vis_head = k
        else:
            gone_visible = excess
        if self._wrap_width:
            if gone_visible:
                new_zero = self._cum[self._cum_head + gone_visible - 1]
                gone_rows = new_zero - self._cum_zero
                self._cum_zero = new_zero
                self._cum_head += gone_visible
            else:
                gone_rows = 0
        else:
            gone_rows = gone_visible
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
        if self._vis_head > slack:
            del self._vis[: self._vis_head]
            self._vis_head = 0
        if self._cum_head > slack:
            del self._cum[: self._cum_head]
            self._cum_head = 0
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
            self._scan(self.first_id, self._text[self._head:])

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

    # ------------------------------------------------------------------ filter / rows

    @property
    def filtering(self) -> bool:
        """The filter toggle (it only narrows the view while a valid query is set)."""
        return self._filtering

    @property
    def filter_active(self) -> bool:
        return self._filtering and self._matcher is not None

    def set_filtering(self, on: bool) -> None:
        if on == self._filtering:
            return
        self._filtering = on
        self._rebuild_visible()
        self.version += 1

    def _rebuild_visible(self) -> None:
        self._vis = array("q")
        self._vis_head = 0
        if self.filter_active:
            ids = self._m_line[self._m_head:]
            last = -1
            vis = self._vis
            for line_id in ids:
                if line_id != last:
                    vis.append(line_id)
                    last = line_id
        self._rebuild_rows()

    @property
    def wrap_width(self) -> int:
        return self._wrap_width

    def set_wrap(self, width: int) -> None:
        """Soft-wrap every line at ``width`` body cells; 0 turns wrapping off. O(buffer)."""
        width = max(0, width)
        if width == self._wrap_width:
            return
        self._wrap_width = width
        self._rebuild_rows()
        self.version += 1

    def _rebuild_rows(self) -> None:
        self._cum = array("q")
        self._cum_head = 0
        self._cum_zero = 0
        if not self._wrap_width:
            return
        if self.filter_active:
            base = self._base
            widths = self._width
            self._extend_rows(widths[line_id - base] for line_id in self._vis[self._vis_head:])
        else:
            self._extend_rows(self._width[self._head:])

    @property
    def visible_count(self) -> int:
        """Lines shown (all live lines, or the filtered subset)."""
        if self.filter_active:
            return len(self._vis) - self._vis_head
        return len(self)

    def _visible_line(self, p: int) -> int:
        if self.filter_active:
            return self._vis[self._vis_head + p] - self.first_id
        return p

    @property
    def row_count(self) -> int:
        if self._wrap_width:
            if len(self._cum) > self._cum_head:
                return self._cum[-1] - self._cum_zero
            return 0
        return self.visible_count

    def rows_of(self, i: int) -> int:
        """Rows taken by line ``i`` (1 unless wrapping)."""
        if not self._wrap_width:
            return 1
        return max(1, -(-self.width(i) // self._wrap_width))

    def locate(self, row: int) -> tuple[int, int] | None:
        """``(line index, row within the line)`` for display ``row``, or None if past the end."""
        if row < 0 or row >= self.row_count:
            return None
        if not self._wrap_width:
            return self._visible_line(row), 0
        target = row + self._cum_zero
        k = bisect_right(self._cum, target, self._cum_head)
        before = self._cum[k - 1] if k > self._cum_head else self._cum_zero
        return self._visible_line(k - self._cum_head), target - before

    def _visible_position(self, i: int) -> tuple[int, bool]:
        """Position of line ``i`` in the visible sequence, and whether it is shown there."""
        if not self.filter_active:
            return i, True
        line_id = self.line_id(i)
        k = bisect_left(self._vis, line_id, self._vis_head)
        shown = k < len(self._vis) and self._vis[k] == line_id
        return k - self._vis_head, shown

    def row_of_line(self, i: int) -> int | None:
        """First display row of line ``i``, or None if the filter hides it."""
        if not 0 <= i < len(self):
            return None
        p, shown = self._visible_position(i)
        if not shown:
            return None
        return self._row_of_position(p)

    def nearest_row(self, i: int) -> int:
        """First row of the first shown line at or after ``i`` (else the last row)."""
        p, _ = self._visible_position(max(0, min(i, len(self))))
        if p >= self.visible_count:
            return max(0, self.row_count - 1)
        return self._row_of_position(p)

    def _row_of_position(self, p: int) -> int:
        if not self._wrap_width:
            return p
        if p == 0:
            return 0
        return self._cum[self._cum_head + p - 1] - self._cum_zero
