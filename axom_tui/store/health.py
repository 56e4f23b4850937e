"""Freshness and error state of each feed, and of the connection as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from axom_tui.api.issues import CLEAN, ParseIssues
from axom_tui.store.vocab import FeedKind

#: Consecutive transient failures after which a feed counts as failing on screen.
PERSISTENT_AFTER = 2

ConnectionStatus = Literal["connecting", "live", "retrying", "offline", "auth", "forbidden"]


class FeedKey(NamedTuple):
    """One thing the scheduler polls: a global feed, or one feed of one run."""

    kind: FeedKind
    job_id: str | None = None

    def __str__(self) -> str:
        return self.kind if self.job_id is None else f"{self.kind}:{self.job_id}"


@dataclass
class FeedHealth:
    """How one feed is doing. Times are monotonic seconds."""

    last_ok: float | None = None
    last_error: str | None = None
    error_since: float | None = None
    consecutive_errors: int = 0
    error_kind: str | None = None  # the error's class name, e.g. "ServerError"
    #: Retrying may help (5xx, 429, a dropped connection), as opposed to a bad answer.
    transient: bool = False
    #: What the last answer left out (items skipped, fields left empty); kept while the
    #: feed fails, since the data held is still that answer's.
    issues: ParseIssues = CLEAN
    #: Everything the answers left out so far. For a feed read by cursor (metrics, logs)
    #: a skipped item is not asked for again: that loss stays worth saying.
    lost: ParseIssues = CLEAN

    @property
    def failing(self) -> bool:
        return self.last_error is not None

    @property
    def persistent(self) -> bool:
        """Failing in a way worth telling the user about: a bad answer, or a transient
        failure that happened twice in a row (one blip is retried unseen)."""
        return self.failing and (not self.transient or self.consecutive_errors >= PERSISTENT_AFTER)

    @property
    def degraded(self) -> bool:
        """Failing persistently, or answering with items or fields left out."""
        return self.persistent or not self.issues.clean or not self.lost.clean

    def record_ok(self, now: float, issues: ParseIssues = CLEAN, cumulative: bool = False) -> bool:
        """Note a success; return True when the visible state changed (an error cleared,
        or what the answer left out changed)."""
        if issues.clean:
            issues = CLEAN  # counts of a clean answer do not matter
        changed = self.last_error is not None or issues != self.issues
        if not issues.clean and cumulative:
            self.lost = self.lost + issues
            changed = True
        self.last_ok = now
        self.last_error = None
        self.error_since = None
        self.error_kind = None
        self.transient = False
        self.consecutive_errors = 0
        self.issues = issues
        return changed

    def record_error(self, message: str, kind: str, now: float, transient: bool = False) -> bool:
        """Note a failure; return True when the visible state changed."""
        was_persistent = self.persistent
        changed = message != self.last_error
        if self.error_since is None:
            self.error_since = now
        self.last_error = message
        self.error_kind = kind
        self.transient = transient
        self.consecutive_errors += 1
        return changed or was_persistent != self.persistent


@dataclass
class ConnectionState:
    """What the header shows: ``state`` plus a message and, when retrying, when."""

    state: ConnectionStatus = "connecting"
    message: str = ""
    retry_at: float | None = None  # monotonic; the UI shows "retrying in N s"
    last_success_at: float | None = None
