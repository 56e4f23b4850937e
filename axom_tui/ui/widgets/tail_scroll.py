"""A line-API scroll view that follows its tail, the way ``tail -f`` does.

Content arrives in bursts; redrawing on each would spend the frame budget on frames
nobody sees, so changes are applied by one throttled *sync* (at most every
``REFRESH_INTERVAL``) that sets the virtual size, keeps the view at the bottom while
following, and redraws. Scrolling up by any means (wheel, keys, scrollbar) pauses
following, and a paused view counts the lines that arrived and stays on the lines it
shows while the oldest are evicted; End or ``f`` resumes.

``LogView`` is built on it; a subclass says how big its content is and what to do after
a sync (:meth:`TailScrollView._resize_content`, :meth:`TailScrollView._on_synced`).
"""

from __future__ import annotations

from time import monotonic

from textual import events
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo, ScrollUp
from textual.timer import Timer


class TailScrollView(ScrollView):
    """A scroll view that sticks to its bottom until the user scrolls up."""

    REFRESH_INTERVAL = 0.1
    """Minimum seconds between redraws caused by new content (≈10 Hz)."""

    follow: var[bool] = var(True, init=False)
    """Stick to the bottom as content arrives."""

    def __init__(
        self,
        *,
        follow: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._new_lines = 0
        self._pending_evicted_rows = 0
        self._sync_timer: Timer | None = None
        self._last_sync = 0.0
        self.set_reactive(TailScrollView.follow, follow)

    # ------------------------------------------------------------------ for subclasses

    @property
    def content_rows(self) -> int:
        """Rows of content (the view pauses on scrolling up only when they overflow)."""
        return self.virtual_size.height

    @property
    def view_height(self) -> int:
        """Rows of content visible."""
        return self.scrollable_content_region.height

    def _resize_content(self) -> None:
        """Set the virtual size for the content as it is now (called by each sync)."""

    def _on_synced(self) -> None:
        """After each sync and follow change (e.g. to show a status)."""

    @property
    def new_lines(self) -> int:
        """Lines that arrived while paused."""
        return self._new_lines

    def _content_changed(self, added: int, evicted_rows: int) -> None:
        """``added`` lines arrived and ``evicted_rows`` rows left the top: sync soon."""
        if not self.follow:
            self._new_lines += added
            self._pending_evicted_rows += evicted_rows
        self._schedule_sync()

    def _reset_tail(self) -> None:
        """The content was replaced: follow it from the top of the new content."""
        self._new_lines = 0
        self._pending_evicted_rows = 0
        self.set_reactive(TailScrollView.follow, True)
        if self.is_mounted:
            self.scroll_to(0, 0, animate=False, force=True)
        self._schedule_sync()

    # ------------------------------------------------------------------ sync

    def _schedule_sync(self) -> None:
        if not self.is_mounted or self._sync_timer is not None:
            return
        delay = self._last_sync + self.REFRESH_INTERVAL - monotonic()
        self._sync_timer = self.set_timer(max(0.001, delay), self._sync, name="log-sync")

    def flush(self) -> None:
        """Apply pending changes now (size, scroll, redraw, status) instead of on the timer."""
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self._sync()

    def _sync(self) -> None:
        self._sync_timer = None
        self._last_sync = monotonic()
        self._resize_content()
        if self.follow:
            self._stick()
        elif self._pending_evicted_rows:
            self._scroll_rows(self.scroll_offset.y - self._pending_evicted_rows)
        self._pending_evicted_rows = 0
        self.refresh()
        self._on_synced()

    def _stick(self) -> None:
        if self.follow:
            self._scroll_rows(self.max_scroll_y)

    def _scroll_rows(self, y: int, x: int | None = None) -> None:
        self.scroll_to(x, max(0, y), animate=False, force=True)

    # ------------------------------------------------------------------ follow / pause

    def watch_follow(self, following: bool) -> None:
        if following:
            self._new_lines = 0
            self._pending_evicted_rows = 0
            self._stick()
        self._on_synced()

    def pause(self) -> None:
        """Stop following (what the user scrolling up does)."""
        if self.follow:
            self._pending_evicted_rows = 0
            self.follow = False

    def resume(self) -> None:
        """Follow the tail again (End / ``f``)."""
        self.follow = True
        self._stick()

    def _user_scrolls_up(self) -> None:
        if self.content_rows > self.view_height:
            self.pause()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not (event.ctrl or event.shift):
            self._user_scrolls_up()

    def on_scroll_up(self, event: ScrollUp) -> None:  # scrollbar click above the thumb
        self._user_scrolls_up()

    def on_scroll_to(self, event: ScrollTo) -> None:  # scrollbar drag
        if event.y is not None and event.y < self.max_scroll_y:
            self._user_scrolls_up()

    def action_scroll_up(self) -> None:
        self._user_scrolls_up()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._user_scrolls_up()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._user_scrolls_up()
        super().action_scroll_home()

    def action_scroll_end(self) -> None:
        self.resume()

    def action_toggle_follow(self) -> None:
        if self.follow:
            self.pause()
        else:
            self.resume()
