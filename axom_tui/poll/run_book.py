"""RunBook: the runs the scheduler knows, and where the user's attention is."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from axom_tui.poll.feeds import RunTrack
from axom_tui.poll.policy import BACKGROUND, FOCUSED, HIDDEN, VISIBLE, Attention, RunPhase, phase_of


class RunBook:
    def __init__(self) -> None:
        self._tracks: dict[str, RunTrack] = {}
        self.focused: str | None = None
        self.visible: frozenset[str] = frozenset()
        self._background_live: int | None = None
        self._active: set[str] = set()  # runs whose status is active (a few of many)
        #: Runs whose job-list rows are on screen; None: the UI has not said (all count).
        self.in_view: frozenset[str] | None = None

    def __iter__(self) -> Iterator[RunTrack]:
        return iter(self._tracks.values())

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._tracks

    def get(self, job_id: str | None) -> RunTrack | None:
        return self._tracks.get(job_id) if job_id is not None else None

    def add(self, track: RunTrack) -> None:
        self._tracks[track.job_id] = track
        self.status_changed(track)

    def status_changed(self, track: RunTrack) -> None:
        """``track.status`` was set: keep the index of active runs, recount."""
        if phase_of(track.status) is RunPhase.ACTIVE:
            self._active.add(track.job_id)
        else:
            self._active.discard(track.job_id)
        self.changed()

    def changed(self) -> None:
        """A status, attention or gone flag changed: recount background live runs."""
        self._background_live = None

    def set_focus(self, job_id: str | None) -> bool:
        """Focus a run; return True when the focus moved to a new run."""
        moved = job_id is not None and job_id != self.focused
        self.focused = job_id
        self.changed()
        return moved

    def set_visible(self, job_ids: Iterable[str]) -> list[str]:
        """Set the visible runs; return the ones newly visible."""
        new = frozenset(job_ids)
        added = sorted(new - self.visible)
        self.visible = new
        self.changed()
        return added

    def set_in_view(self, job_ids: Iterable[str]) -> list[str]:
        """Set the runs the job list shows; return the ones newly shown (none the first
        time: until then every run counted as shown)."""
        new = frozenset(job_ids)
        before, self.in_view = self.in_view, new
        return [] if before is None else sorted(new - before)

    def shown(self, job_id: str) -> bool:
        """Whether the run's row is on screen (True until the job list says what it shows)."""
        return self.in_view is None or job_id in self.in_view

    def is_active(self, job_id: str) -> bool:
        return job_id in self._active and phase_of(self._tracks[job_id].status) is RunPhase.ACTIVE

    def attention(self, job_id: str) -> Attention:
        if job_id == self.focused:
            return FOCUSED
        if job_id in self.visible:
            return VISIBLE
        return HIDDEN if self.in_view is not None and job_id not in self.in_view else BACKGROUND

    def background_live(self) -> int:
        """Active runs neither focused nor visible (they share the background budget)."""
        if self._background_live is None:
            tracks = self._tracks
            self._background_live = sum(
                1
                for job_id in self._active
                if not tracks[job_id].gone
                and phase_of(tracks[job_id].status) is RunPhase.ACTIVE
                and job_id != self.focused
                and job_id not in self.visible
            )
        return self._background_live
