"""Search queries for the log pane: plain text or ``re:`` regex, matched case-insensitively."""

from __future__ import annotations

import re

REGEX_PREFIX = "re:"


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
        source = query[len(REGEX_PREFIX) :]
        if not source:
            return None, None
        try:
            return re.compile(source, re.IGNORECASE), None
        except (re.error, OverflowError, RecursionError, ValueError) as error:
            return None, f"bad regex: {error}"
    return re.compile(re.escape(query), re.IGNORECASE), None
