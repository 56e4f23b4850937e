"""Keys that arrive in one burst belong to whatever the key before them opened.

A paste, or a fast typist over SSH, delivers ``/qwen`` in one read: Textual hands all
five keys to the focused widget at once, and the ``/`` that opens the filter box only
takes effect (a message to the screen, then a deferred focus) after the other four have
already been looked up as shortcuts: ``q`` quit the app. Here, the moment a binding that
opens an input runs, every key after it (fresh from the terminal, or already on its way
through the widgets) is held; when an input gets focus they are replayed to it, in the
order they came. If no input shows up, they go to whatever has focus after
:data:`HOLD_SECONDS`, so a key is never lost or stuck.

Which bindings open an input is said by binding id (:data:`INPUT_OPENERS`): ids stay
the same when a user remaps the keys.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.timer import Timer

#: Binding ids whose action opens a text input (the job filter, the log search, the palette).
INPUT_OPENERS: frozenset[str] = frozenset({"jobs.filter", "log.search", "palette"})
HOLD_SECONDS = 1.0  # an opener that opened nothing: the held keys go on after this

Handler = Callable[[events.Event], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Held:
    event: events.Key | events.Paste
    fresh: bool  # straight from the terminal (not yet offered to any widget)


def takes_typing(widget: object) -> bool:
    """Widgets that want typed characters as text, not as shortcuts."""
    return isinstance(widget, (Input, TextArea))


def _binding_ids(node: DOMNode, action: str) -> set[str]:
    ids: set[str] = set()
    for cls in type(node).__mro__:
        for binding in Binding.make_bindings(getattr(cls, "BINDINGS", None) or ()):
            if binding.id and binding.action == action:
                ids.add(binding.id)
    return ids


class KeyRouter:
    """Holds keys while an input is being opened; the app calls it for every key and paste."""

    _ids_cache: ClassVar[dict[tuple[type, str], frozenset[str]]] = {}

    def __init__(
        self,
        app: App[object],
        openers: frozenset[str] = INPUT_OPENERS,
        hold_seconds: float = HOLD_SECONDS,
    ) -> None:
        self.app = app
        self.openers = openers
        self.hold_seconds = hold_seconds
        self._held: list[Held] | None = None
        self._timer: Timer | None = None
        self.replayed = 0  # keys handed to an input after it opened (tests, curiosity)

    @property
    def holding(self) -> bool:
        return self._held is not None

    def opens_input(self, action: str, namespace: DOMNode | None) -> bool:
        """Whether running ``action`` on ``namespace`` is a binding that opens an input."""
        if namespace is None:
            return False
        key = (type(namespace), action)
        ids = self._ids_cache.get(key)
        if ids is None:
            ids = self._ids_cache[key] = frozenset(_binding_ids(namespace, action))
        return bool(ids & self.openers)

    def hold(self) -> None:
        """From now on keys wait, until an input gets focus (or ``hold_seconds`` pass)."""
        if self._held is None:
            self._held = []
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(self.hold_seconds, self._time_out, name="key-hold")

    def take(self, event: events.Event) -> bool:
        """Hold ``event`` if keys are being held; True if it was taken."""
        if self._held is None or not isinstance(event, (events.Key, events.Paste)):
            return False
        self._held.append(Held(event, fresh=not event.is_forwarded))
        event.stop()
        event.prevent_default()
        return True

    async def focused(self, widget: object, handle_fresh: Handler) -> None:
        """A widget got focus: if it takes typing, the held keys are its own."""
        if self._held is not None and takes_typing(widget):
            await self.release(handle_fresh)

    async def _time_out(self) -> None:
        self._timer = None
        if self._held is not None:
            await self.release(self.app.on_event)

    async def release(self, handle_fresh: Handler) -> None:
        """Replay the held keys, in order, to the focus as it is now."""
        held, self._held = self._held or [], None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        for item in held:
            copy = _copy(item.event)
            if item.fresh:
                await handle_fresh(copy)  # as from the terminal: priority bindings, then focus
                continue
            # Already offered to a widget and bubbled back (its priority bindings were
            # checked when it first came): straight to the focus, as the next key.
            target = self.app.focused or self.app.screen
            target._forward_event(copy)
        self.replayed += len(held)


def _copy(event: events.Key | events.Paste) -> events.Key | events.Paste:
    if isinstance(event, events.Key):
        return events.Key(event.key, event.character)
    return events.Paste(event.text)
