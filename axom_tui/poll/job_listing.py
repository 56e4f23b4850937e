"""JobListing: which page of the job list the next poll of the "jobs" feed asks for.

An account may hold thousands of runs, most of them finished and unchanging, and one
answer holds at most 200: before this the list stopped at 200 of 5,000 with no sign,
and asked for all 200 every 4 s. Now the feed goes in *passes*, one page per poll (the
next page at once, under the scheduler's budget):

* an **active** pass most rounds: ``?status=`` every non-terminal status, usually one
  page. A run held as non-terminal that a finished active pass no longer lists has
  changed status (finished, most likely): its own record is asked for at once.
* a **full** pass rarely (``PollPolicy.jobs_full_list``, and longer the more pages the
  account fills: ``jobs_full_list_per_page`` each), which pages through everything
  (``next`` / ``?cursor=``) and gives the list its order.

A server that ignores ``?status=`` (it answers with finished runs too) or refuses
several statuses (400/422) is asked for the first page of the whole list instead of
active passes; the full passes still cover the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from axom_tui.api.issues import CLEAN, ParseIssues
from axom_tui.api.records import KNOWN_STATUSES, TERMINAL_STATUSES

#: Every non-terminal status of the contract: what an active pass asks for.
ACTIVE_FILTER = tuple(s for s in KNOWN_STATUSES if s not in TERMINAL_STATUSES)
_ACTIVE_SET = frozenset(ACTIVE_FILTER)
MAX_PAGES = 1000  # a server whose cursors never end is not followed past this


@dataclass
class ListPass:
    full: bool
    cursor: str | None = None
    pages: int = 0
    ids: list[str] = field(default_factory=list)
    issues: ParseIssues = CLEAN
    #: The server sent a bare page as long as the limit: there may be more it cannot page.
    truncated: bool = False


@dataclass(frozen=True)
class PageOutcome:
    """What one page means for the scheduler and the store."""

    #: Another page of this pass is waiting: poll again at once.
    more: bool
    #: The pass that this page finished (None: it goes on).
    finished: ListPass | None
    #: The finished pass listed every run with a non-terminal status: a run held as
    #: non-terminal that it does not list has changed status.
    covers_active: bool = False


class JobListing:
    def __init__(self, full_period: float, per_page: float, limit: int) -> None:
        self.full_period = full_period
        self.per_page = per_page
        self.limit = limit
        self.current: ListPass | None = None
        self.last_full_at: float | None = None
        self.full_pages = 0
        #: False once the server showed it cannot filter by several statuses.
        self.filter_ok = True
        #: A full pass has finished: every run the account holds is in the store.
        self.complete = False
        self.truncated = False
        self.full_issues: ParseIssues = CLEAN
        self.active_issues: ParseIssues = CLEAN

    @property
    def period_of_full(self) -> float:
        """Seconds between full passes: longer for a bigger account."""
        return max(self.full_period, self.full_pages * self.per_page)

    def full_due(self, now: float) -> bool:
        return self.last_full_at is None or now - self.last_full_at >= self.period_of_full

    def request(self, now: float) -> tuple[str | None, str | None]:
        """``(status filter, cursor)`` for the next poll; starts a pass when none is on."""
        if self.current is None:
            self.current = ListPass(full=self.full_due(now))
        current = self.current
        if current.full or not self.filter_ok:
            return None, current.cursor
        return ",".join(ACTIVE_FILTER), current.cursor

    def start_full_pass(self) -> None:
        """The next poll starts a full pass (unless one is going on)."""
        if self.current is None or not self.current.full:
            self.current = None
            self.last_full_at = None

    def on_page(
        self,
        ids: Sequence[str],
        statuses: Sequence[str],
        next_cursor: str | None,
        issues: ParseIssues,
        now: float,
    ) -> PageOutcome:
        current = self.current
        if current is None:  # not asked through request() (a test, say): one full page
            current = self.current = ListPass(full=True)
        active_pass = not current.full and self.filter_ok
        if active_pass and any(s not in _ACTIVE_SET for s in statuses):
            self.filter_ok = False  # the server ignores ?status=: this page is not "active"
            active_pass = False
        current.pages += 1
        current.ids.extend(ids)
        current.issues = current.issues + issues
        repeat = next_cursor is not None and next_cursor == current.cursor
        if (
            next_cursor is not None
            and not repeat
            and current.pages < MAX_PAGES
            and (current.full or active_pass)
        ):
            current.cursor = next_cursor
            return PageOutcome(more=True, finished=None)
        # a full first page without ``next``: a server that may not page (a full last
        # page after cursors is just the end of a list of whole pages)
        current.truncated = next_cursor is None and len(ids) >= self.limit and current.pages == 1
        self.current = None
        if current.full:
            self.last_full_at = now
            self.full_pages = current.pages
            self.complete = True
            self.truncated = current.truncated
            self.full_issues = current.issues
        else:
            self.active_issues = current.issues
        covers = (current.full or active_pass) and not repeat and not current.truncated
        return PageOutcome(more=False, finished=current, covers_active=covers)

    @property
    def issues(self) -> ParseIssues:
        """What the list leaves out now: the last active pass's, else the last full pass's."""
        return self.active_issues if not self.active_issues.clean else self.full_issues

    def on_refused_filter(self) -> None:
        """400/422 to an active pass: ask without the filter from now on."""
        self.filter_ok = False
        self.current = None

    def on_bad_cursor(self) -> None:
        """A cursor the server no longer takes: start that pass again."""
        if self.current is not None:
            self.current = ListPass(full=self.current.full)


def is_waiting_or_active(status: str | None) -> bool:
    """Whether an active pass would list a run with this status."""
    return status in _ACTIVE_SET
