"""Coalesced change notification: what changed since the UI last looked.

The store marks each change on a :class:`ChangeTracker` (a set add: merges are hot);
the dirty callback fires once when the tracker goes from clean to dirty, and the UI
drains at its own pace (a few times a second), so a burst of a hundred merges costs one
wake-up and one redraw. A drain hands out a :class:`ChangeSet`: a frozen value that can
be kept, merged with another (``a | b``) and passed along without anyone mutating it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType

from axom_tui.store.vocab import GlobalAspect, RunAspect

_NO_ASPECTS: frozenset[RunAspect] = frozenset()


class ChangeSet:
    """Which aspects of which runs, and which global aspects, changed. Immutable."""

    __slots__ = ("_globals", "_runs")

    _runs: Mapping[str, frozenset[RunAspect]]
    _globals: frozenset[GlobalAspect]

    def __init__(
        self,
        runs: Mapping[str, Iterable[RunAspect]] | None = None,
        globals: Iterable[GlobalAspect] = (),
    ) -> None:
        frozen = {job_id: frozenset(aspects) for job_id, aspects in (runs or {}).items()}
        object.__setattr__(self, "_runs", MappingProxyType({k: v for k, v in frozen.items() if v}))
        object.__setattr__(self, "_globals", frozenset(globals))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ChangeSet is immutable")

    # ------------------------------------------------------------ queries

    @property
    def globals(self) -> frozenset[GlobalAspect]:
        """The global aspects that changed."""
        return self._globals

    @property
    def run_ids(self) -> frozenset[str]:
        """Every run with at least one changed aspect."""
        return frozenset(self._runs)

    def run(self, job_id: str | None) -> frozenset[RunAspect]:
        """The aspects of one run that changed (empty for a run that did not, or None)."""
        if job_id is None:
            return _NO_ASPECTS
        return self._runs.get(job_id, _NO_ASPECTS)

    def runs_with(self, *aspects: RunAspect) -> frozenset[str]:
        """The runs that changed in any of ``aspects`` (in any aspect when none are given)."""
        if not aspects:
            return self.run_ids
        wanted = frozenset(aspects)
        return frozenset(job_id for job_id, changed in self._runs.items() if changed & wanted)

    def items(self) -> Iterator[tuple[str, frozenset[RunAspect]]]:
        """(job id, its changed aspects) for every changed run."""
        return iter(self._runs.items())

    # ------------------------------------------------------------ values

    def __or__(self, other: ChangeSet) -> ChangeSet:
        if not isinstance(other, ChangeSet):
            return NotImplemented
        if not other:
            return self
        if not self:
            return other
        runs = {job_id: set(aspects) for job_id, aspects in self._runs.items()}
        for job_id, aspects in other._runs.items():
            runs.setdefault(job_id, set()).update(aspects)
        return ChangeSet(runs, self._globals | other._globals)

    def __bool__(self) -> bool:
        return bool(self._runs) or bool(self._globals)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChangeSet):
            return NotImplemented
        return self._globals == other._globals and dict(self._runs) == dict(other._runs)

    def __hash__(self) -> int:
        return hash((self._globals, frozenset(self._runs.items())))

    def __repr__(self) -> str:
        runs = {job_id: sorted(aspects) for job_id, aspects in sorted(self._runs.items())}
        return f"ChangeSet(runs={runs!r}, globals={sorted(self._globals)!r})"


EMPTY = ChangeSet()


class ChangeTracker:
    """Collects the store's changes until the UI drains them as one :class:`ChangeSet`."""

    __slots__ = ("_callback", "_globals", "_listeners", "_runs")

    def __init__(self) -> None:
        self._runs: dict[str, set[RunAspect]] = {}
        self._globals: set[GlobalAspect] = set()
        self._callback: Callable[[], None] | None = None
        #: Told of every change as it happens (the run cache's write-behind).
        self._listeners: list[Callable[[str | None, str], None]] = []

    @property
    def dirty(self) -> bool:
        return bool(self._runs) or bool(self._globals)

    def set_callback(self, callback: Callable[[], None] | None) -> None:
        self._callback = callback

    def add_listener(self, listener: Callable[[str | None, str], None]) -> None:
        """``listener(job_id or None, aspect)`` on every mark, before the UI hears of it."""
        self._listeners.append(listener)

    def mark_run(self, job_id: str, aspect: RunAspect) -> None:
        for listener in self._listeners:
            listener(job_id, aspect)
        was_clean = not self._runs and not self._globals
        aspects = self._runs.get(job_id)
        if aspects is None:
            self._runs[job_id] = {aspect}
        else:
            aspects.add(aspect)
        if was_clean and self._callback is not None:
            self._callback()

    def mark_global(self, aspect: GlobalAspect) -> None:
        for listener in self._listeners:
            listener(None, aspect)
        was_clean = not self._runs and not self._globals
        self._globals.add(aspect)
        if was_clean and self._callback is not None:
            self._callback()

    def drain(self) -> ChangeSet:
        if not self._runs and not self._globals:
            return EMPTY
        changes = ChangeSet(self._runs, self._globals)
        self._runs, self._globals = {}, set()
        return changes
