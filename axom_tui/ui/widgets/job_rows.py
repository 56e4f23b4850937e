"""What a job-list row says and how it is drawn: cells as Rich ``Text``, rows as segments.

Drawing is done here rather than through Rich's console: a row is ten short one-line
cells, and the generic path (measure, pad, wrap, crop each cell as a renderable) cost
about 2 ms per row, most of the dashboard's rendering time while runs tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from axom_tui.base.glyphs import dash, glyph, truncate
from axom_tui.base.sanitize import clean_text
from axom_tui.ui.status_style import progress_bar, status_colour, status_text
from axom_tui.view import format as fmt
from axom_tui.view.derive import (
    Progress,
    StepRate,
    elapsed_seconds,
    eta_seconds,
    latest_loss,
    progress_of,
)

if TYPE_CHECKING:
    from datetime import datetime

    from axom_tui.store.run_state import RunState

Column = tuple[str, str, int]  # key, header label, width

COLUMNS: tuple[Column, ...] = (
    ("mark", " ", 1),
    ("name", "Name", 26),
    ("type", "Type", 8),
    ("status", "Status", 15),
    ("progress", "Progress", 29),  # an 8-cell bar, "12,000/12,000 100.0%"
    ("loss", "Loss", 8),
    ("retries", "Retr", 4),
    ("elapsed", "Elapsed", 7),
    ("eta", "ETA", 7),
    ("cost", "Cost", 8),
)
# Below ~110 columns the list keeps only what answers "how is it going?".
COMPACT_COLUMNS: tuple[Column, ...] = (
    ("mark", " ", 1),
    ("name", "Name", 20),
    ("status", "Status", 15),  # "◆ checkpointing"
    ("progress", "Progress", 18),  # a 4-cell bar, "12,000/12,000": no %
    ("loss", "Loss", 7),
    ("eta", "ETA", 7),
)
PADDING = 1  # blank cells either side of every column
NAME_MIN, NAME_MAX = 10, 36  # the name column takes (or gives up) the spare width
RIGHT_ALIGNED = frozenset(
    {"loss", "retries", "elapsed", "eta", "cost"}
)  # numbers: cells and headers


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Each column's width at a given row width: the name column flexes."""
    widths = [w for _, _, w in columns]
    spare = width - sum(widths) - 2 * PADDING * len(columns)
    for i, (key, _, w) in enumerate(columns):
        if key == "name":
            widths[i] = max(NAME_MIN, min(NAME_MAX, w + spare))
    return widths


def min_row_width(columns: Sequence[Column]) -> int:
    """The narrowest row that shows every column whole (the name at its minimum)."""
    return sum(NAME_MIN if key == "name" else w for key, _, w in columns) + 2 * PADDING * len(
        columns
    )


def _progress(run: RunState, rate: StepRate, server_now: datetime) -> Progress:
    series = run.metrics
    progress = progress_of(run.job, series.last_step if len(series) else None)
    if not observe_rate(run, rate):
        status = run.job.status if run.job is not None else "unknown"
        rate.observe(progress.step, server_now.timestamp(), status)
    return progress


def observe_rate(run: RunState, rate: StepRate) -> bool:
    """``rate`` learns the run's step rate as it goes, in the server's seconds: the ETA is
    on the clock elapsed and the lifecycle use (the demo's runs 30 times faster). The
    record says when its step was reached (updated_at): the truest time for that step.
    False when the record has no such time."""
    job = run.job
    if job is None or job.latest_step is None or job.updated_at is None:
        return False
    rate.observe(job.latest_step, job.updated_at.timestamp(), job.status)
    return True


def _time_cells(
    run: RunState, progress: Progress, rate: StepRate, server_now: datetime
) -> dict[str, Text]:
    job = run.job
    status = job.status if job else "unknown"
    return {
        "elapsed": Text(fmt.duration(elapsed_seconds(job, server_now)), justify="right"),
        "eta": Text(
            fmt.duration(eta_seconds(progress, rate, status)) if status != "completed" else "done",
            justify="right",
        ),
    }


def time_cells(run: RunState, rate: StepRate, server_now: datetime) -> dict[str, Text]:
    """The clock-driven cells alone (elapsed, ETA): what a clock step recomputes."""
    return _time_cells(run, _progress(run, rate, server_now), rate, server_now)


def eta_of(run: RunState, rate: StepRate) -> float | None:
    """The run's ETA in seconds as its row shows it (None: none to show)."""
    job = run.job
    series = run.metrics
    progress = progress_of(job, series.last_step if len(series) else None)
    return eta_seconds(progress, rate, job.status if job else "unknown")


def row_cells(
    job_id: str,
    run: RunState,
    rate: StepRate,
    *,
    marked: bool,
    compact: bool,
    ascii_mode: bool,
    variables: dict[str, str],
    server_now: datetime,
) -> dict[str, Text]:
    """Every column's cell for one run."""
    job = run.job
    status = job.status if job else "unknown"
    progress = _progress(run, rate, server_now)
    result = run.result
    loss = latest_loss(run)
    name = (glyph("warn") + " " if run.gone else "") + clean_text(
        job.display_name if job else job_id, 60
    )
    bar = progress_bar(progress.fraction, 4 if compact else 8, ascii_mode)
    progress_cell = Text(no_wrap=True)
    progress_cell.append(bar, style=status_colour(status, variables))
    progress_cell.append(f" {progress.label(percent=not compact)}")
    cells = {
        "mark": Text(glyph("mark") if marked else " ", style="bold"),
        "name": Text(name, no_wrap=True, overflow="ellipsis"),
        "type": Text(clean_text(job.type if job else "?", 12)),
        "status": status_text(status, variables, ascii_mode),
        "progress": progress_cell,
        "loss": Text(fmt.metric(loss)),
        "retries": Text(
            str(job.retries if job else 0), style="dim" if not job or not job.retries else ""
        ),
        **_time_cells(run, progress, rate, server_now),
        "cost": Text(fmt.money(result.cost_usd) if result else dash()),
    }
    for key in RIGHT_ALIGNED:
        cells[key].justify = "right"
    return cells


def signature(cell: Text) -> tuple[object, ...]:
    """What a cell shows, to tell whether it changed."""
    return (cell.plain, str(cell.style), tuple((s.start, s.end, str(s.style)) for s in cell.spans))


def _style(style: str | Style) -> Style:
    if isinstance(style, Style):
        return style
    return Style.parse(style) if style else Style.null()


def cell_segments(cell: Text, width: int, style: Style, post: Style | None = None) -> list[Segment]:
    """One cell, fitted to ``width`` (an ellipsis when cut), padded by its justification,
    with the row's ``style`` under the cell's own styles and ``post`` over them."""
    text = cell
    if cell_len(cell.plain) > width:
        text = truncate(cell, width)
    plain = text.plain
    own = style + _style(text.style)
    if post is not None:
        own += post
    segments: list[Segment] = []
    if text.spans:
        cuts = sorted(
            {
                0,
                len(plain),
                *(min(len(plain), s.start) for s in text.spans),
                *(min(len(plain), s.end) for s in text.spans),
            }
        )
        for start, end in zip(cuts, cuts[1:]):
            piece = own
            for span in text.spans:
                if span.start <= start and span.end >= end:
                    piece = piece + _style(span.style)
            if post is not None and text.spans:
                piece += post
            segments.append(Segment(plain[start:end], piece))
    elif plain:
        segments.append(Segment(plain, own))
    gap = width - cell_len(plain)
    if gap > 0:
        fill = Segment(
            " " * gap, style + _FILL_META
        )  # never merged into the text: see row_segments
        if cell.justify == "right":
            segments.insert(0, fill)
        else:
            segments.append(fill)
    return segments


#: Per row, per column: (the cell, its width, the row's styles) → its padded segments.
CellSegments = dict[int, tuple[Text, int, Style, "Style | None", list[Segment]]]


def row_segments(
    cells: Sequence[Text],
    widths: Sequence[int],
    width: int,
    style: Style,
    post: Style | None = None,
    cache: CellSegments | None = None,
) -> list[Segment]:
    """A whole row: padded cells side by side, cut or filled to ``width``.

    Each cell's style carries its column number as meta, so that merging same-style
    neighbours (``Strip.simplify``) stops at cell edges: an SVG screenshot then places
    every cell at its own x, which renderers that ignore ``textLength`` need to keep
    columns aligned. With a ``cache``, a cell that is the same object at the same width
    and styles as last time reuses its segments: a clock step changes one cell of a row
    (its Elapsed), and building the row's ten cells again was most of its cost.
    """
    segments: list[Segment] = []
    used = 0
    for column, (cell, cell_width) in enumerate(zip(cells, widths)):
        if used + cell_width + 2 * PADDING > width:
            break  # columns that do not fit are left out whole: a cut figure would lie ($0.8 for $0.85)
        hit = cache.get(column) if cache is not None else None
        if (
            hit is not None
            and hit[0] is cell
            and hit[1] == cell_width
            and hit[2] == style
            and hit[3] == post
        ):
            segments.extend(hit[4])
            used += cell_width + 2 * PADDING
            continue
        cell_style = style + _column_meta(column)
        pad = Segment(" " * PADDING, cell_style)
        made = [pad, *cell_segments(cell, cell_width, cell_style, post), pad]
        if cache is not None:
            cache[column] = (cell, cell_width, style, post, made)
        segments.extend(made)
        used += cell_width + 2 * PADDING
    if used < width:
        segments.append(Segment(" " * (width - used), style))
    return segments


_COLUMN_META: list[Style] = []
_FILL_META = Style.from_meta({"fill": True})


def _column_meta(column: int) -> Style:
    while len(_COLUMN_META) <= column:
        _COLUMN_META.append(Style.from_meta({"column": len(_COLUMN_META)}))
    return _COLUMN_META[column]
