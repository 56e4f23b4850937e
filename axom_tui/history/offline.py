"""The dashboard with no service: `axom-tui open FILE` on a bundle (or any cache file).

:class:`OfflineScheduler` stands where the poll scheduler stands and fetches nothing: a
run that comes on screen has its history loaded from the file, that is all. The app
is given a client it never uses (no key, no network).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from axom_tui.api.client import AxomClient
from axom_tui.api.secret import ApiKey
from axom_tui.poll.history_hook import RunHistory
from axom_tui.poll.policy import PollPolicy
from axom_tui.store.run_store import RunStore

OFFLINE_URL = "http://offline.invalid/api"  # never asked: nothing here fetches


class OfflineScheduler:
    """Focus and visibility load runs from the file; refresh does nothing."""

    def __init__(self, store: RunStore, label: str, client: AxomClient | None = None) -> None:
        self.store = store
        self.label = label
        #: The never-used client (the UI reads its base URL for messages).
        self.client = client or offline_client()
        #: Read by the UI as the scheduler's (the defaults: nothing here polls).
        self.policy = PollPolicy()
        self.history: RunHistory | None = None
        self.focused: str | None = None
        self.visible: frozenset[str] = frozenset()
        self._stop = asyncio.Event()

    def attach_history(self, history: RunHistory | None) -> None:
        self.history = history
        if history is not None:  # runs chosen before the file was open
            chosen = {self.focused} if self.focused is not None else set()
            for job_id in sorted(chosen | self.visible):
                history.prefetch(job_id)

    async def run(self) -> None:
        self.store.set_connection("offline", f"opened from {self.label}: no service, no network")
        await self._stop.wait()

    def stop(self) -> None:
        self._stop.set()

    def focus(self, job_id: str | None) -> None:
        self.focused = job_id
        if job_id is not None and self.history is not None:
            self.history.prefetch(job_id)

    def set_visible(self, job_ids: Iterable[str]) -> None:
        self.visible = frozenset(job_ids)
        if self.history is not None:
            for job_id in sorted(self.visible):
                self.history.prefetch(job_id)

    def set_in_view(self, job_ids: Iterable[str]) -> None:
        """The job list's rows on screen: their history is read from the bundle."""
        if self.history is not None:
            for job_id in sorted(frozenset(job_ids)):
                self.history.prefetch(job_id)

    def refresh_now(self, job_id: str | None = None) -> None:
        """Nothing to refresh from."""

    # the cache's view of the scheduler (nothing is written to a bundle)
    def feed_progress(self, job_id: str) -> tuple[int | None, int | None, frozenset[str]] | None:
        return None

    def forget_seed(self, job_id: str) -> None:
        """Nothing was seeded."""


def offline_client() -> AxomClient:
    return AxomClient(OFFLINE_URL, ApiKey(""), retries=0)


def bundle_label(path: Path) -> str:
    return path.name
