"""What a failing feed says on screen: one line naming the endpoint and what went wrong.

``FeedHealth`` records every failure and what each answer left out; before this no
widget read it, so a job list frozen by a bad answer sat under "● live". Each pane
shows its own feeds' line (the job list: ``GET /jobs``; the run summary: the run's
record and metrics; the log pane: its logs; the lifecycle: events and result) and the
header counts the feeds that fail. No Textual here: the text is built for any widget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from axom_tui.base.sanitize import clean_text
from axom_tui.poll.feeds import ENDPOINTS
from axom_tui.store.health import FeedHealth, FeedKey
from axom_tui.store.run_state import RunState
from axom_tui.store.vocab import FeedKind

MAX_LEN = 200


def problem_text(health: FeedHealth | None, kind: str) -> str | None:
    """``GET /jobs failing: …`` or ``GET /jobs: 1 of 9 jobs skipped (…)``; None when fine."""
    if health is None or not health.degraded:
        return None
    endpoint = ENDPOINTS.get(kind, kind)
    if health.persistent:
        message = (health.last_error or "").removeprefix(endpoint + ": ")
        text = f"{endpoint} failing: {message}"
        if health.consecutive_errors > 1:
            text += f" (×{health.consecutive_errors})"
    elif not health.issues.clean:
        text = f"{endpoint}: {health.issues.describe()}"
        if health.lost.skipped > health.issues.skipped:
            text += f"; {health.lost.skipped:,} {health.lost.noun}s skipped so far"
    else:  # the last answer was whole; earlier ones were not, and that is not undone
        lost = health.lost
        parts = (
            [f"{lost.skipped:,} {lost.noun}{'' if lost.skipped == 1 else 's'} skipped"]
            if lost.skipped
            else []
        )
        if lost.emptied:
            parts.append(f"{lost.emptied:,} field{'' if lost.emptied == 1 else 's'} left empty")
        text = f"{endpoint}: {', '.join(parts)} so far ({lost.first})"
    return clean_text(text, MAX_LEN)


def run_problem(run: RunState | None, kinds: Iterable[FeedKind]) -> str | None:
    """The first problem among a run's feeds of these kinds."""
    if run is None:
        return None
    for kind in kinds:
        text = problem_text(run.feeds.get(kind), kind)
        if text is not None:
            return text
    return None


def failing_feeds(problems: Mapping[FeedKey, FeedHealth]) -> list[FeedKey]:
    """Feeds failing now (not merely leaving items out), global ones first."""
    keys = [key for key, health in problems.items() if health.persistent]
    return sorted(keys, key=lambda key: (key.job_id is not None, key.kind, key.job_id or ""))
