"""ConnectionMonitor: turns request outcomes into the header's connection state.

* ``live``: the last request that finished was answered;
* ``retrying``: requests keep failing transiently (or a 429 paused us), but something
  succeeded recently; ``retry_at`` says when the next try is;
* ``offline``: nothing has succeeded for ``offline_after`` seconds and the failures
  are transport errors (no answer at all);
* ``auth`` / ``forbidden``: the key was rejected (401) or lacks the ``read`` scope
  (403 on the job list). Everything pauses but a slow probe of the job list.

``offline``, ``auth`` and ``forbidden`` *gate* the scheduler: only the probe runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from axom_tui.api.errors import TransportError
from axom_tui.poll.policy import PollPolicy
from axom_tui.store.health import ConnectionStatus

GATED_STATES = frozenset({"offline", "auth", "forbidden"})
RATE_LIMITED = "rate limited by the server"


@dataclass
class ConnectionMonitor:
    policy: PollPolicy
    state: ConnectionStatus = "connecting"
    message: str = ""
    retry_at: float | None = None
    last_success_at: float | None = None
    started_at: float = 0.0
    consecutive_failures: int = 0

    @property
    def gated(self) -> bool:
        return self.state in GATED_STATES

    def start(self, now: float) -> None:
        self.started_at = now

    def on_success(self, now: float, probe: bool = True) -> None:
        """A request succeeded. Only the probe (job list) lifts ``auth``/``forbidden``: another
        feed's answer may come from a request sent before the key was refused."""
        self.consecutive_failures = 0
        self.last_success_at = now
        if (
            self.state == "retrying"
            and self.retry_at is not None
            and now < self.retry_at
            and self.message == RATE_LIMITED
        ):
            return  # an answer to a request sent before the 429: every feed is still paused
        if probe or self.state not in ("auth", "forbidden"):
            self.state, self.message, self.retry_at = "live", "", None

    def on_rate_limited(self, exc: Exception, until: float) -> None:
        self.consecutive_failures += 1
        if self.state not in ("auth", "forbidden"):
            self.state, self.message, self.retry_at = "retrying", RATE_LIMITED, until

    def on_auth(self, exc: Exception) -> None:
        self.state, self.message, self.retry_at = "auth", _text(exc), None

    def on_forbidden(self, exc: Exception) -> None:
        self.state, self.message, self.retry_at = "forbidden", _text(exc), None

    def on_transient(self, now: float, exc: Exception, retry_at: float) -> None:
        self.consecutive_failures += 1
        if self.state in ("auth", "forbidden"):
            return
        since = self.last_success_at if self.last_success_at is not None else self.started_at
        silent_for = now - since
        if isinstance(exc, TransportError) and silent_for > self.policy.offline_after:
            self.state, self.message, self.retry_at = "offline", _text(exc), retry_at
        elif (
            self.state == "offline"
            or self.consecutive_failures >= self.policy.retrying_after_failures
        ):
            self.state, self.message, self.retry_at = "retrying", _text(exc), retry_at


def _text(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc or type(exc).__name__)
