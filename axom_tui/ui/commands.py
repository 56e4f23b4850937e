"""Command palette: go to any run by name, and the main actions.

The palette reads the run list from the store its app holds (:class:`HasStore`) and
sends every choice up as a message (``RunChosen``, ``DashboardAction``) or as one of
the app's own actions: it never calls into a screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from axom_tui.base.sanitize import clean_text
from axom_tui.ui.messages import DashboardAction, RunChosen

if TYPE_CHECKING:
    from axom_tui.store.run_store import RunStore


class HasStore(Protocol):
    """The one thing the palette needs from its app."""

    store: RunStore


class RunCommands(Provider):
    def _entries(
        self,
    ) -> Iterator[tuple[str, str, Callable[[], object]]]:  # (label, help, callback)
        store = cast(HasStore, self.app).store
        for job_id in store.order:
            run = store.runs.get(job_id)
            if run is None or run.job is None:
                continue
            name = clean_text(run.job.display_name, 60)
            yield (
                f"Go to run: {name}",
                f"{clean_text(run.job.status, 20)} · {job_id[:8]}",
                partial(self._choose, job_id),
            )
        yield (
            "Compare marked runs",
            "side-by-side tiles and overlay chart",
            partial(self._dashboard_action, "compare"),
        )
        yield (
            "Refresh now",
            "poll everything on screen now",
            partial(self._dashboard_action, "refresh"),
        )
        yield ("Download selected run's model", "d", partial(self._dashboard_action, "download"))
        yield (
            "Export selected run's metrics as CSV",
            "e",
            partial(self._dashboard_action, "export_csv"),
        )
        yield (
            "Replay the selected finished run",
            "R: every pane as of a moment; [ ] by event, , . by time, esc back",
            partial(self._dashboard_action, "replay"),
        )
        yield from chart_entries(self._dashboard_action)
        yield ("Save a screenshot (SVG)", "S", partial(self.app.run_action, "screenshot"))
        yield ("Next theme", "T", partial(self.app.run_action, "next_theme"))
        yield ("Help: all keys", "?", partial(self.app.run_action, "help"))

    def _choose(self, job_id: str) -> None:
        self.app.post_message(RunChosen(job_id))

    def _dashboard_action(self, name: str) -> None:
        self.app.post_message(DashboardAction(name))

    async def discover(self) -> Hits:
        for label, help_text, callback in self._entries():
            if not label.startswith("Go to run"):
                yield DiscoveryHit(label, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, callback in self._entries():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=help_text)


def chart_entries(
    send: Callable[[str], None],
) -> Iterator[tuple[str, str, Callable[[], object]]]:
    """One entry per key of the chart's cursor (from its bindings, so none is missed)."""
    from rich.markup import escape
    from textual.binding import Binding

    from axom_tui.ui.widgets.cursor_chart import CursorChart

    yield ("Chart: cursor (focus the chart)", "C", partial(send, "focus_chart"))
    seen: set[str] = set()
    for binding in Binding.make_bindings(CursorChart.BINDINGS):
        if binding.description and binding.id and binding.id not in seen:
            seen.add(binding.id)  # "plus,equals_sign" is two bindings, one entry
            key = escape(binding.key_display or binding.key)  # the palette reads markup: "[/]"
            what = binding.tooltip or binding.description
            yield (
                f"Chart: {what[0].lower()}{what[1:]}",
                key,
                partial(send, f"chart_key({binding.action!r})"),
            )
