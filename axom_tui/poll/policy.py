"""What to poll and how often: pure functions of a run's status and the user's attention.

Nothing here does I/O or keeps state, so every rule can be tested exhaustively.

* Periodic feeds: :func:`next_interval` gives the seconds until the next poll of a
  feed, or None when that feed is not polled periodically in that situation.
* Triggers: :func:`feeds_on_attention` (the run appeared on screen) and
  :func:`wants_final_fetch` (terminal runs get final fetches, then nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import Enum

from axom_tui.api.records import ACTIVE_STATUSES, TERMINAL_STATUSES
from axom_tui.store.vocab import GLOBAL_FEEDS, RUN_FEEDS, FeedKind


@dataclass(frozen=True)
class PollPolicy:
    """Every number the scheduler uses. Seconds unless named otherwise."""

    # focused run, active (running / checkpointing / uploading)
    focused_active: float = 2.0  # metrics, logs
    # its record (status, retries): in the job list's rounds, so the list brings it
    focused_active_job: float = 4.0
    focused_active_events: float = 10.0  # and at once when its status changes
    # visible (e.g. a compare tile) but not focused, active
    visible_active: float = 4.0  # metrics, logs
    # background active runs: metrics only, sharing a request budget
    background_min: float = 20.0
    background_rps: float = (
        2.5  # interval = max(background_min, n_background_live / background_rps)
    )
    # ...and, once the job list says which rows are on screen, those not shown this often
    # (a big account's live runs off screen cost a request each every 20 s for nothing)
    background_off_screen: float = 120.0
    # waiting runs (queued / provisioning / staging / preempted / unknown status)
    focused_waiting_job: float = 4.0
    focused_waiting_logs: float = 4.0
    # global feeds
    jobs_list: float = 4.0  # the active runs (?status=), or the next page of a full pass
    jobs_list_limit: int = 200
    # the whole list, paged: at least this often, and this much longer per page it fills
    jobs_full_list: float = 60.0
    jobs_full_list_per_page: float = 15.0
    overview: float = 30.0
    overview_days: int = 30
    models: float = 30.0  # and at once when a run completes
    # ...and this much longer per page of models held (as the whole job list is paced:
    # 4,000 models were one long answer every 30 s)
    models_page: int = 200
    models_per_page: float = 15.0
    # runs already finished when first listed: the newest this many get their result
    # (the list's Cost column) unasked, the rest when looked at. 5,000 finished runs
    # once cost 5,000 background requests (33 minutes of the background budget).
    eager_results: int = 50
    # a completed run whose result is not there yet: retry, doubling up to the cap
    result_retry: float = 5.0
    result_retry_cap: float = 300.0
    # a logs page at least this long is taken as capped (fetch again at once)
    logs_full_page: int = 1000
    # budget
    max_in_flight: int = 4
    rps: float = 8.0
    burst: float = 8.0
    # a poll still in flight after this long is cancelled and counts as failed (the
    # client's own deadline is shorter: this is for clients that have none)
    request_deadline: float = 45.0
    # refresh (r) restarts a feed's request that has been in flight this long
    refresh_restarts_after: float = 1.0
    # errors
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    forbidden_backoff: float = 300.0  # 403 on one feed: the key lacks a scope; ask rarely
    auth_retry: float = 30.0  # 401 (and 403 on the job list): only the job list, this often
    offline_after: float = 10.0  # no success for this long + transport errors = offline
    retrying_after_failures: int = 2  # consecutive transient failures before "retrying"

    @property
    def poll_grid(self) -> float:
        """Every periodic poll is due on this grid, so the answers of one round arrive
        together and the UI draws one frame for them: the focused run's period."""
        return self.focused_active


class RunPhase(Enum):
    ACTIVE = "active"
    WAITING = "waiting"
    TERMINAL = "terminal"


def phase_of(status: str | None) -> RunPhase:
    """Unknown statuses (and a run not loaded yet) count as waiting: polled slowly."""
    if status in TERMINAL_STATUSES:
        return RunPhase.TERMINAL
    if status in ACTIVE_STATUSES:
        return RunPhase.ACTIVE
    return RunPhase.WAITING


@dataclass(frozen=True)
class Attention:
    focused: bool = False
    visible: bool = False
    #: Not shown at all: off screen in the job list (when the list says what it shows).
    hidden: bool = False

    @property
    def on_screen(self) -> bool:
        return self.focused or self.visible


BACKGROUND = Attention()
HIDDEN = Attention(hidden=True)
FOCUSED = Attention(focused=True)
VISIBLE = Attention(visible=True)


class Priority:
    """Lower goes first when several feeds are due and the budget is short."""

    FOCUSED = 0
    GLOBAL = 1
    VISIBLE = 2
    BACKGROUND = 3


def priority_of(kind: FeedKind, attention: Attention) -> int:
    # A run off screen has its record asked for only when the job list says it changed
    # (it left the active runs): that is list news, not background work.
    if kind in GLOBAL_FEEDS or (kind == FeedKind.JOB and not attention.on_screen):
        return Priority.GLOBAL
    if attention.focused:
        return Priority.FOCUSED
    if attention.visible:
        return Priority.VISIBLE
    return Priority.BACKGROUND


def for_clock_speed(policy: PollPolicy, speed: float) -> PollPolicy:
    """The policy for a server whose clock runs ``speed`` times faster than ours (the demo's,
    30 times): a background run's metrics every 20 s of ours would be every 10 minutes of
    its, most of a demo run, so its Loss cell in the job list would hardly move. The floor
    shrinks with the speed, down to two poll rounds; ``background_rps`` still caps it."""
    if speed <= 1.0:
        return policy
    floor = max(2 * policy.poll_grid, policy.background_min / speed)
    return replace(policy, background_min=min(policy.background_min, floor))


def background_interval(n_background_live: int, policy: PollPolicy) -> float:
    """Metrics interval of a background active run: all of them share ``background_rps``."""
    return max(policy.background_min, n_background_live / policy.background_rps)


def models_interval(models_held: int, policy: PollPolicy) -> float:
    """The models list's period: longer the more pages of models the account holds."""
    pages = math.ceil(models_held / policy.models_page) if policy.models_page > 0 else 0
    return max(policy.models, pages * policy.models_per_page)


def global_interval(kind: FeedKind, policy: PollPolicy, models_held: int = 0) -> float:
    if kind == FeedKind.MODELS:
        return models_interval(models_held, policy)
    return policy.jobs_list if kind == FeedKind.LIST else policy.overview


def next_interval(
    kind: FeedKind,
    status: str | None,
    attention: Attention,
    n_background_live: int,
    policy: PollPolicy,
) -> float | None:
    """Seconds until the next periodic poll of a feed; None when it is not polled periodically."""
    if kind in GLOBAL_FEEDS:
        return global_interval(kind, policy)
    phase = phase_of(status)
    if phase is RunPhase.TERMINAL or kind == FeedKind.RESULT:
        return None
    if phase is RunPhase.ACTIVE:
        if attention.focused:
            if kind == FeedKind.JOB:
                return max(policy.focused_active, policy.focused_active_job)
            return (
                policy.focused_active_events if kind == FeedKind.EVENTS else policy.focused_active
            )
        if attention.visible:
            return policy.visible_active if kind in (FeedKind.METRICS, FeedKind.LOGS) else None
        if kind != FeedKind.METRICS:
            return None
        interval = background_interval(n_background_live, policy)
        return max(interval, policy.background_off_screen) if attention.hidden else interval
    # waiting: the job list reports status changes; only the focused run is watched closely
    if attention.focused:
        return {
            FeedKind.JOB: policy.focused_waiting_job,
            FeedKind.LOGS: policy.focused_waiting_logs,
        }.get(kind)
    return None


def feeds_on_attention(
    status: str | None, attention: Attention, n_background_live: int, policy: PollPolicy
) -> set[FeedKind]:
    """Feeds of a non-terminal run to fetch at once when it comes on screen.

    Its periodic feeds, plus the metrics history (a waiting run may hold steps from
    before a preemption) and, when focused, the events timeline.
    """
    if phase_of(status) is RunPhase.TERMINAL or not attention.on_screen:
        return set()
    kinds = {
        k
        for k in RUN_FEEDS
        if next_interval(k, status, attention, n_background_live, policy) is not None
    }
    kinds.add(FeedKind.METRICS)
    if attention.focused:
        kinds.add(FeedKind.EVENTS)
    return kinds


def events_on_status_change(attention: Attention) -> bool:
    return attention.focused


def wants_final_fetch(
    kind: FeedKind, status: str | None, attention: Attention, seen_live: bool
) -> bool:
    """Whether a terminal run still wants this feed fetched (once, or until caught up).

    * result: completed runs only;
    * metrics: runs this session watched while live, or that are on screen (runs that
      were already finished when first listed are fetched lazily, on first view);
    * logs: only when on screen; events: only when focused;
    * job: never (the job list keeps status current).
    """
    if kind == FeedKind.RESULT:
        return status == "completed"
    if kind == FeedKind.METRICS:
        return seen_live or attention.on_screen
    if kind == FeedKind.LOGS:
        return attention.on_screen
    if kind == FeedKind.EVENTS:
        return attention.focused
    return False


def next_due_delay(
    kind: FeedKind,
    status: str | None,
    attention: Attention,
    n_background_live: int,
    policy: PollPolicy,
    *,
    owed: bool = False,
    finished: bool = False,
    seen_live: bool = False,
    min_delay: float = 0.0,
    models_held: int = 0,
) -> float | None:
    """Seconds until a feed is next due, or None to park it (nothing to do for now).

    ``owed``: a trigger (focus, refresh, status change, catch-up) asked for a fetch;
    ``finished``: a terminal run's final fetch of this feed is done (never again);
    ``min_delay``: backoff after an error, or the result retry delay;
    ``models_held``: how many models the store holds (the models list's pace).
    """
    if kind in GLOBAL_FEEDS:
        every = global_interval(kind, policy, models_held)
        return min_delay if owed else max(every, min_delay)
    if kind == FeedKind.TAIL:  # once, when asked for (poll/tail.py)
        return min_delay if owed and not finished else None
    if finished or (kind == FeedKind.RESULT and status != "completed"):
        return None
    if phase_of(status) is RunPhase.TERMINAL:
        return min_delay if wants_final_fetch(kind, status, attention, seen_live) else None
    if owed:
        return min_delay
    interval = next_interval(kind, status, attention, n_background_live, policy)
    return None if interval is None else max(interval, min_delay)


def aligned_due(now: float, interval: float, grid: float) -> float:
    """When a periodic poll is next due: on the shared ``grid`` of poll rounds (seconds).

    Each feed is rescheduled when its own answer arrives, so feeds drift out of phase
    (a run's job and metrics one second, its logs the next, a background run's metrics
    and the job list in between) and each answer costs the UI its own flush and frame.
    On a shared grid the answers of one round come back together.

    The interval becomes the nearest whole number of rounds (ties up, at least one),
    counted from the round ``now`` is in, so the period does not depend on how long
    the answer took (if under a round). A whole number of rounds is kept exactly and
    is never later than ``now + interval``. Intervals shorter than a round are left
    as they are.
    """
    if grid <= 0 or interval < grid:
        return now + interval
    rounds = max(1, math.floor(interval / grid + 0.5))
    due = (math.floor(now / grid) + rounds) * grid
    return due if due > now else due + grid


def result_retry_delay(attempts: int, policy: PollPolicy) -> float:
    """Delay before asking again for a result that is not there yet (after ``attempts`` asks)."""
    return min(policy.result_retry_cap, policy.result_retry * 2.0 ** max(0, attempts - 1))
