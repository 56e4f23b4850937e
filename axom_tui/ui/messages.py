"""The dashboard's messages: data down from the app to its screens, intents up to the app.

Down (posted by :class:`~axom_tui.ui.app.AxomApp` to the dashboard and to the screen on
top if another, never bubbling): :class:`StoreChanged` carries what the store says changed since the last
flush, :class:`DownloadProgressed` one download's progress. Both are snapshots: when a
screen falls behind, a newer one replaces the older in its queue (``can_replace``), and
a replaced :class:`StoreChanged` hands its changes on to the one replacing it, so a
backlog collapses into one redraw without losing a change.

Up (posted by a screen or widget, bubbling to the app, which owns the services that
carry them out): :class:`RunChosen`, :class:`CompareRequested`,
:class:`DownloadRequested`, :class:`DownloadCancelRequested`, :class:`ExportRequested`,
:class:`DashboardAction`.
"""

from __future__ import annotations

from textual.message import Message

from axom_tui.download.progress import DownloadProgress
from axom_tui.store.changes import ChangeSet

# ---------------------------------------------------------------- down: app → screens


class StoreChanged(Message, bubble=False):
    """The store changed: ``changes`` says which runs' aspects and which global aspects."""

    def __init__(self, changes: ChangeSet) -> None:
        super().__init__()
        self.changes = changes

    def can_replace(self, message: Message) -> bool:
        # Textual asks the message it is about to handle (self, the older) whether the
        # next one in the queue (``message``) may be handled instead; that one is then
        # handled and this one dropped. So this one's changes go along with it.
        if isinstance(message, StoreChanged):
            message.changes = self.changes | message.changes
            return True
        return False


class DownloadProgressed(Message, bubble=False):
    """A download moved on: the latest snapshot of one task."""

    def __init__(self, snapshot: DownloadProgress) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        # A later snapshot of the same task says everything this one does; a final one
        # is never replaced (it is the last of its task anyway).
        return (
            isinstance(message, DownloadProgressed)
            and message.snapshot.task_id == self.snapshot.task_id
            and not self.snapshot.final
        )


# ---------------------------------------------------------------- up: intents → app


class RunIntent(Message):
    """Something the user wants done with one run (``job_id``); the kinds below say what."""

    def __init__(self, job_id: str) -> None:
        super().__init__()
        self.job_id = job_id


class RunChosen(RunIntent):
    """Show this run on the dashboard (the command palette's "Go to run")."""


class CompareRequested(Message):
    """Compare these runs side by side (2–6; fewer is answered with a hint)."""

    def __init__(self, job_ids: list[str]) -> None:
        super().__init__()
        self.job_ids = job_ids


class DownloadRequested(RunIntent):
    """Download the model of this run."""


class DownloadCancelRequested(Message):
    """Cancel this download (its .part files stay, so it can resume)."""

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id


class ExportRequested(RunIntent):
    """Write this run's metrics to a CSV file."""


class DashboardAction(Message):
    """Run one of the dashboard's actions (``"compare"``, ``"refresh"``…) as its key
    would, from wherever the user is (the command palette)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
