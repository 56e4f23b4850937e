"""What one answer's parse left out: items skipped and fields left empty, counted.

The contract's Tolerance section: one bad item (a job, a metric point, a log line) or
one field of the wrong type spoils only itself. The parsers skip the item or leave the
field empty and note it here, and the note travels with the answer (``.issues`` on the
record or the :class:`Listing`) to the store, so the UI can say what was left out.
Before this, one job with ``"started_at": "yesterday"`` blanked the whole job list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
MAX_REASON = 80


@dataclass(frozen=True, slots=True)
class ParseIssues:
    """Counts of one answer (or a merge of several pages): immutable, cheap to compare."""

    #: Items skipped whole (a job without an id, a point whose step is not a number).
    skipped: int = 0
    #: Fields left empty (a string ``retries``, an unreadable timestamp).
    emptied: int = 0
    #: Items in the answer, kept and skipped (the "of N" of the message).
    items: int = 0
    #: What an item is called in messages: "job", "point", "line", "event"...
    noun: str = "item"
    #: The first problem, "[3].started_at: unreadable timestamp 'yesterday'".
    first: str = ""
    #: Names of the top-level fields left empty (one record): the store keeps the value
    #: it held for them instead of replacing it with nothing.
    fields: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not (self.skipped or self.emptied)

    def describe(self) -> str:
        """One line for a human: "1 of 6 jobs skipped, 2 fields left empty (first: …)"."""
        if self.clean:
            return ""
        parts = []
        if self.skipped:
            noun = self.noun if self.items == 1 else self.noun + "s"
            parts.append(f"{self.skipped:,} of {self.items:,} {noun} skipped")
        if self.emptied:
            parts.append(f"{self.emptied:,} field{'' if self.emptied == 1 else 's'} left empty")
        first = f" ({self.first})" if self.first else ""
        return ", ".join(parts) + first

    def __add__(self, other: ParseIssues) -> ParseIssues:
        if other.clean and not other.items:
            return self
        return ParseIssues(
            self.skipped + other.skipped,
            self.emptied + other.emptied,
            self.items + other.items,
            self.noun if self.items else other.noun,
            self.first or other.first,
            tuple(dict.fromkeys(self.fields + other.fields)),
        )


CLEAN = ParseIssues()


class IssueLog:
    """Collects the problems of one parse; :meth:`issues` freezes them."""

    __slots__ = ("skipped", "emptied", "first", "fields")

    def __init__(self) -> None:
        self.skipped = 0
        self.emptied = 0
        self.first = ""
        self.fields: list[str] = []

    def field(self, name: str, reason: str, top_level: str | None = None) -> None:
        self.emptied += 1
        if not self.first:
            self.first = f"{name}: {reason[:MAX_REASON]}"
        if top_level is not None and top_level not in self.fields:
            self.fields.append(top_level)

    def item(self, where: str, reason: str) -> None:
        self.skipped += 1
        if not self.first:
            self.first = f"{where}: {reason[:MAX_REASON]}" if where else reason[:MAX_REASON]

    def absorb(self, other: ParseIssues) -> None:
        """Add one record's own issues (a job parsed with its own log) to a list's."""
        self.emptied += other.emptied
        self.skipped += other.skipped
        if not self.first and other.first:
            self.first = other.first

    @property
    def clean(self) -> bool:
        return not (self.skipped or self.emptied)

    def issues(self, items: int = 1, noun: str = "item") -> ParseIssues:
        if self.clean:
            return CLEAN if items == 0 else ParseIssues(items=items, noun=noun)
        return ParseIssues(self.skipped, self.emptied, items, noun, self.first, tuple(self.fields))


class Listing(list[T]):
    """A list answer: the items that parsed, what was left out, and the next page's
    cursor (``None``: this was the last page)."""

    __slots__ = ("issues", "next")

    def __init__(
        self,
        items: list[T] | tuple[T, ...] = (),
        issues: ParseIssues = CLEAN,
        next: str | None = None,
    ) -> None:
        super().__init__(items)
        self.issues = issues
        self.next = next
