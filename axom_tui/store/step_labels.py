"""Run-length encoded (cycle, phase) labels of a metric series, keyed by step.

A training run changes cycle a handful of times and phase a few times per cycle, so
storing both per point would waste bytes on repeats. Instead we keep *segments*:
segment ``i`` starts at step ``starts[i]`` and labels every held step up to (not
including) ``starts[i + 1]``. Labels are ``(cycle, phase_code)``: ``cycle`` is 0 when
unknown, ``phase_code`` indexes :attr:`StepLabels.phase_names` (-1 when unknown).
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

UNKNOWN_CYCLE = 0
UNKNOWN_PHASE = -1
MAX_PHASE_NAMES = 127  # codes must fit array('b'); further names read as unknown

Label = tuple[int, int]


class StepLabels:
    """(cycle, phase) per step, stored as segments of equal labels."""

    __slots__ = ("starts", "cycles", "phases", "phase_names", "_phase_codes")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.cycles: list[int] = []
        self.phases: list[int] = []
        self.phase_names: list[str] = []
        self._phase_codes: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.starts)

    @classmethod
    def restore(
        cls,
        starts: Sequence[int],
        cycles: Sequence[int],
        phases: Sequence[int],
        phase_names: Sequence[str],
    ) -> StepLabels:
        """Segments read back from the run cache."""
        if not len(starts) == len(cycles) == len(phases):
            raise ValueError("label segments of uneven lengths")
        labels = cls()
        labels.starts, labels.cycles, labels.phases = list(starts), list(cycles), list(phases)
        labels.phase_names = list(phase_names[:MAX_PHASE_NAMES])
        labels._phase_codes = {name: code for code, name in enumerate(labels.phase_names)}
        return labels

    # ------------------------------------------------------------ encoding

    def label_for(self, cycle: int | None, phase: str | None) -> Label:
        return (cycle if cycle is not None else UNKNOWN_CYCLE, self.phase_code(phase))

    def phase_code(self, phase: str | None) -> int:
        if phase is None:
            return UNKNOWN_PHASE
        code = self._phase_codes.get(phase)
        if code is None:
            if len(self.phase_names) >= MAX_PHASE_NAMES:
                return UNKNOWN_PHASE
            code = len(self.phase_names)
            self.phase_names.append(phase)
            self._phase_codes[phase] = code
        return code

    def phase_name(self, code: int) -> str | None:
        return self.phase_names[code] if 0 <= code < len(self.phase_names) else None

    # ------------------------------------------------------------ reading

    def label_at(self, step: int) -> Label | None:
        i = bisect_right(self.starts, step) - 1
        if i < 0:
            return None
        return (self.cycles[i], self.phases[i])

    def cycle_boundaries(self) -> list[int]:
        """First step of every new cycle (a known cycle different from the previous one)."""
        boundaries: list[int] = []
        previous = None
        for start, cycle in zip(self.starts, self.cycles):
            if cycle == UNKNOWN_CYCLE:
                continue
            if previous is not None and cycle != previous:
                boundaries.append(start)
            previous = cycle
        return boundaries

    def expand(self, steps: Sequence[int]) -> tuple[array[int], array[int]]:
        """Per-point ``(cycles as array('i'), phase codes as array('b'))`` for ``steps``."""
        cycles = array("i", bytes(4 * len(steps)))
        phases = array("b", bytes(len(steps)))
        for i, start in enumerate(self.starts):
            first = bisect_left(steps, start)
            end = bisect_left(steps, self.starts[i + 1]) if i + 1 < len(self.starts) else len(steps)
            if end > first:
                cycles[first:end] = array("i", [self.cycles[i]]) * (end - first)
                phases[first:end] = array("b", [self.phases[i]]) * (end - first)
        return cycles, phases

    def memory_bytes(self) -> int:
        lists = sys.getsizeof(self.starts) + sys.getsizeof(self.cycles) + sys.getsizeof(self.phases)
        ints = sum(sys.getsizeof(v) for v in self.starts)  # cycles/phases are small cached ints
        return lists + ints

    # ------------------------------------------------------------ writing

    def append(self, step: int, label: Label) -> None:
        """Label a step beyond every step held so far."""
        if self.starts and (self.cycles[-1], self.phases[-1]) == label:
            return
        self._insert(len(self.starts), step, label)

    def assign(self, step: int, label: Label, next_held_step: int | None) -> None:
        """Give exactly ``step`` the label ``label``; held steps after it keep theirs.

        ``next_held_step`` is the first held step after ``step`` (None if none).
        """
        i = bisect_right(self.starts, step) - 1
        if i < 0:  # before every segment: the following steps keep the first segment
            self._insert(0, step, label)
            self._coalesce(1)
            return
        old = (self.cycles[i], self.phases[i])
        if old == label:
            return
        if self.starts[i] == step:
            self.cycles[i], self.phases[i] = label
            at = i
        else:
            at = i + 1
            self._insert(at, step, label)
        following = self.starts[at + 1] if at + 1 < len(self.starts) else None
        if next_held_step is not None and (following is None or next_held_step < following):
            self._insert(at + 1, next_held_step, old)
        self._coalesce(at + 1)
        self._coalesce(at)

    def _insert(self, index: int, step: int, label: Label) -> None:
        self.starts.insert(index, step)
        self.cycles.insert(index, label[0])
        self.phases.insert(index, label[1])

    def _coalesce(self, index: int) -> None:
        """Drop segment ``index`` if it carries the same label as the one before it."""
        if 0 < index < len(self.starts) and (
            self.cycles[index] == self.cycles[index - 1]
            and self.phases[index] == self.phases[index - 1]
        ):
            del self.starts[index], self.cycles[index], self.phases[index]
