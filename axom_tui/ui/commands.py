"""Command palette: go to any run by name, and the main actions."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from axom_tui.sanitize import clean_text


class RunCommands(Provider):
    def _entries(self):  # (label, help, callback)
        app = self.app
        store = app.services.store
        for job_id in store.order:
            run = store.runs.get(job_id)
            if run is None or run.job is None:
                continue
            name = clean_text(run.job.display_name, 60)
            yield (f"Go to run: {name}", f"{clean_text(run.job.status, 20)} · {job_id[:8]}",
                   partial(app.select_run, job_id))
        yield ("Compare marked runs", "side-by-side tiles and overlay chart",
               partial(self._dashboard_action, "compare"))
        yield ("Refresh now", "poll everything on screen now", partial(self._dashboard_action, "refresh"))
        yield ("Download selected run's model", "d", partial(self._dashboard_action, "download"))
        yield ("Export selected run's metrics as CSV", "e", partial(self._dashboard_action, "export_csv"))
        yield ("Save a screenshot (SVG)", "S", app.action_screenshot)
        yield ("Next theme", "T", app.action_next_theme)
        yield ("Help: all keys", "?", app.action_help)

    def _dashboard_action(self, name: str) -> None:
        dashboard = self.app._dashboard  # type: ignore[attr-defined]
        if dashboard is not None:
            if self.app.screen is not dashboard:
                self.app.pop_screen()
            getattr(dashboard, f"action_{name}")()

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
