"""The job list's rows, made when they are drawn and not before.

At 5,000 runs every flush and clock step used to walk every row (the time cells of
5,000 rows each tick, the cells of every row shown again when a filter was erased: a
keystroke took up to 450 ms). A row's cells are now made when the row is drawn (a
screenful at a time) and dropped when it goes off screen while its run changes; what a
row must remember while it is not made (the run's step rate, for its ETA) is kept here
for every run, and so is the lower-cased text the filter searches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text

from axom_tui.api.records import Job
from axom_tui.base.sanitize import clean_text
from axom_tui.ui.widgets.job_columns import colliding, name_cut
from axom_tui.ui.widgets.job_rows import CellSegments, observe_rate, signature
from axom_tui.view.derive import StepRate

if TYPE_CHECKING:
    from axom_tui.store import RunStore

CellsFor = Callable[[str, StepRate], dict[str, Text]]


@dataclass
class Row:
    cells: dict[str, Text]
    signatures: dict[str, tuple[object, ...]]
    rate: StepRate = field(default_factory=StepRate)
    #: The drawn cells' segments, reused while a cell stays the same (job_rows.row_segments).
    segments: CellSegments = field(default_factory=dict)
    _cut: tuple[Text, int, bool, Text] | None = None

    def ellipsized(self, width: int, collide: frozenset[str] = frozenset()) -> Text:
        """The name cell cut to ``width`` (:func:`job_columns.name_cut`: in the middle, or
        to its tail where the cut would read like another run's name), the same object
        while it stays so (its drawn segments are then reused)."""
        cell = self.cells["name"]
        alike = cell.plain in collide
        cut = self._cut
        if cut is None or cut[0] is not cell or cut[1] != width or cut[2] != alike:
            cut = self._cut = (cell, width, alike, name_cut(cell, width, collide))
        return cut[3]


class RowCache:
    def __init__(self, store: RunStore, cells_for: CellsFor) -> None:
        self.store = store
        self._cells_for = cells_for
        self._rows: dict[str, Row] = {}
        self._rates: dict[str, StepRate] = {}
        self._haystacks: dict[str, tuple[Job, str]] = {}
        self._look_alikes: tuple[tuple[int, int], frozenset[str]] | None = None
        self._names: dict[str, tuple[Job, str]] = {}

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._rows))

    def rate(self, job_id: str) -> StepRate:
        rate = self._rates.get(job_id)
        if rate is None:
            rate = self._rates[job_id] = StepRate()
        return rate

    def get(self, job_id: str) -> Row:
        """The run's row, made now if it is not."""
        row = self._rows.get(job_id)
        if row is None:
            rate = self.rate(job_id)
            cells = self._cells_for(job_id, rate)
            row = self._rows[job_id] = Row(cells, {k: signature(c) for k, c in cells.items()}, rate)
        return row

    def peek(self, job_id: str) -> Row | None:
        return self._rows.get(job_id)

    def drop(self, job_id: str) -> None:
        self._rows.pop(job_id, None)

    def clear(self) -> None:
        """Every row is made again when drawn (theme, columns); step rates are kept."""
        self._rows.clear()

    def learn(self, job_id: str) -> None:
        """A run without a row changed: its step rate learns the new step all the same."""
        run = self.store.runs.get(job_id)
        if run is None or run.job is None or run.job.terminal:
            return
        observe_rate(run, self.rate(job_id))  # as a drawn row does (job_rows._progress)

    def forget_missing(self) -> None:
        """Runs no longer in the store lose what was kept for them."""
        runs = self.store.runs
        for table in (self._rows, self._rates, self._haystacks, self._names):
            for job_id in [j for j in table if j not in runs]:
                del table[job_id]

    def name(self, job_id: str) -> str:
        """What the run's name cell says (for the column fit), without making its row."""
        row = self._rows.get(job_id)
        if row is not None:
            return row.cells["name"].plain
        run = self.store.runs.get(job_id)
        job = run.job if run is not None else None
        if run is None or job is None:
            return job_id
        hit = self._names.get(job_id)
        if hit is None or hit[0] is not job:
            hit = self._names[job_id] = (
                job,
                ("⚠ " if run.gone else "") + clean_text(job.display_name, 60),
            )
        return hit[1]

    def matches(self, job_id: str, needle: str) -> bool:
        """Whether the run's name, status or type holds ``needle`` (lower case)."""
        run = self.store.runs.get(job_id)
        job = run.job if run else None
        if job is None:
            return False
        hit = self._haystacks.get(job_id)
        if hit is None or hit[0] is not job:
            hit = self._haystacks[job_id] = (
                job,
                "\0".join((job.display_name.lower(), job.status.lower(), job.type.lower())),
            )
        return needle in hit[1]

    def look_alikes(self, width: int) -> tuple[frozenset[str], bool]:
        """Names that would read alike cut to ``width`` (job_columns.colliding), and whether
        that set just changed; computed once per width and number of runs held (rows are
        made lazily, so the names come from the store)."""
        runs = self.store.runs
        key = (width, len(runs))
        if self._look_alikes is not None and self._look_alikes[0] == key:
            return self._look_alikes[1], False
        names = [clean_text(run.job.display_name, 60) for run in runs.values() if run.job]
        found = colliding(names, width)
        changed = self._look_alikes is not None and self._look_alikes[1] != found
        self._look_alikes = (key, found)
        return found, changed
