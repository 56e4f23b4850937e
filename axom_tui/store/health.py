"""Freshness and error state of each feed, and of the connection as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from axom_tui.store.vocab import FeedKind

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

    @property
    def failing(self) -> bool:
        return self.last_error is not None

    def record_ok(self, now: float) -> bool:
        """Note a success; return True when the visible state changed (an error cleared)."""
        cleared = self.last_error is not None
        self.last_ok = now
        self.last_error = None
        self.error_since = None
        self.error_kind = None
        self.consecutive_errors = 0
        return cleared

    def record_error(self, message: str, kind: str, now: float) -> bool:
        """Note a failure; return True when the visible state changed."""
        changed = message != self.last_error
        if self.error_since is None:
            self.error_since = now
        self.last_error = message
        self.error_kind = kind
        self.consecutive_errors += 1
        return changed


@dataclass
class ConnectionState:
    """What the header shows: ``state`` plus a message and, when retrying, when."""

    state: ConnectionStatus = "connecting"
    message: str = ""
    retry_at: float | None = None  # monotonic; the UI shows "retrying in N s"
    last_success_at: float | None = None
