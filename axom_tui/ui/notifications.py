"""Tell the user when a run they watched finishes: on-screen notice, terminal bell, desktop
notification.

Desktop notifications go through the terminal itself (OSC 9, understood by iTerm2,
WezTerm, kitty, foot…, and OSC 777 for VTE/urxvt), so they work over SSH. Inside tmux
they are wrapped in tmux's passthrough (needs ``set -g allow-passthrough on``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from axom_tui.base.sanitize import clean_text
from axom_tui.store.vocab import RunAspect

if TYPE_CHECKING:
    from axom_tui.store.changes import ChangeSet
    from axom_tui.store.run_store import RunStore
    from axom_tui.ui.settings import UiSettings

#: ``notice(title, body, error)``: the on-screen news (the app puts it in the header).
Notice = Callable[[str, str, bool], None]


def desktop_sequence(title: str, body: str, in_tmux: bool) -> str:
    """OSC 9 and OSC 777 for one notification; text is sanitized (no ESC/BEL can get in)."""
    title = clean_text(title, 80).replace(";", ",")
    body = clean_text(body, 200).replace(";", ",")
    sequences = [f"\x1b]9;{title}: {body}\x07", f"\x1b]777;notify;{title};{body}\x07"]
    if in_tmux:
        sequences = ["\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\" for seq in sequences]
    return "".join(sequences)


class Notifier:
    """Watches the runs' status in each change set; news goes to the callables given.

    One notice per watched run that finishes: in the header (README, "Notices").
    Watched: selected on the dashboard or shown in the compare view at some point; a run
    nobody looked at finishing is not news. The bell and the desktop notification are
    settings, both off unless turned on: a terminal that shows OSC 9 as a toast would
    otherwise tell every notice twice.
    """

    def __init__(
        self,
        store: RunStore,
        settings: UiSettings,
        *,
        notice: Notice,
        bell: Callable[[], None],
        write_terminal: Callable[[str], None],
    ) -> None:
        self.store = store
        self.settings = settings
        self._notice = notice
        self._bell = bell
        self._write_terminal = write_terminal  # raw bytes to the terminal (OSC sequences)
        self.watched: set[str] = set()
        self._last_status: dict[str, str] = {}
        self.sent: list[tuple[str, str]] = []  # (job_id, status) for tests and history

    def watch(self, job_id: str | None) -> None:
        """The user looked at this run: its end will be news."""
        if job_id is not None:
            self.watched.add(job_id)

    def observe(self, changes: ChangeSet) -> None:
        store = self.store
        for job_id, aspects in changes.items():
            if RunAspect.JOB not in aspects:
                continue
            run = store.runs.get(job_id)
            if run is None or run.job is None:
                continue
            status = run.job.status
            before = self._last_status.get(job_id)
            self._last_status[job_id] = status
            # Only runs we saw unfinished: a run already done at start-up is not news.
            if (
                job_id in self.watched
                and before is not None
                and before not in ("completed", "failed")
                and status in ("completed", "failed")
            ):
                self.notify_finished(job_id, run.job.display_name, status, run.job.error)

    def notify_finished(self, job_id: str, name: str, status: str, error: str | None) -> None:
        settings = self.settings
        self.sent.append((job_id, status))
        title = "Run completed" if status == "completed" else "Run failed"
        body = clean_text(name, 60)
        if status == "failed" and error:
            body += f" — {clean_text(error, 120)}"
        if settings.notify_toast:
            self._notice(title, body, status != "completed")
        if settings.notify_bell:
            self._bell()
        if settings.notify_desktop:
            self._write_terminal(
                desktop_sequence(title, body, in_tmux=bool(os.environ.get("TMUX")))
            )
