"""Which job-list columns fit, and names cut in the middle rather than at the end.

At 120 columns the full set left the name 13 cells, and the distinguishing end of a
name went first: ``axom-base-x1…`` twice. The name now gets the width the longest one
needs (up to ``NAME_MAX``): the least telling columns give theirs up first (type,
retries, cost, elapsed), then the narrow set; a name that still does not fit keeps its
head and its tail (``axom-base…mosaic``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from axom_tui.base.glyphs import glyph
from axom_tui.ui.widgets.job_rows import (
    COLUMNS,
    COMPACT_COLUMNS,
    NAME_MAX,
    NAME_MIN,
    RIGHT_ALIGNED,
    Column,
    column_widths,
)

DROP_ORDER = ("type", "retries", "cost", "elapsed")  # given up first when the name needs room


def name_need(names: Iterable[str]) -> int:
    """The name column's width for these names: the longest, within the column's bounds."""
    return max(NAME_MIN, min(NAME_MAX, max((cell_len(n) for n in names), default=NAME_MIN)))


def name_width(columns: tuple[Column, ...], width: int) -> int:
    for (key, _, _), w in zip(columns, column_widths(columns, width)):
        if key == "name":
            return w
    return 0


def choose_columns(width: int, need: int) -> tuple[tuple[Column, ...], bool]:
    """(columns, compact): the fullest set whose name column gets ``need`` cells."""
    columns = COLUMNS
    for key in (None, *DROP_ORDER):
        if key is not None:
            columns = tuple(c for c in columns if c[0] != key)
        if name_width(columns, width) >= need:
            return columns, False
    return COMPACT_COLUMNS, True


def middle_ellipsis(cell: Text, width: int) -> Text:
    """``cell`` cut to ``width`` cells keeping its start and its end (styles kept)."""
    plain = cell.plain
    if cell_len(plain) <= width or width < 3 or len(plain) != cell_len(plain):
        return cell  # fits; or too narrow / wide characters: the plain ellipsis at the end
    tail = (width - 1) // 2
    head = width - 1 - tail
    out = cell[:head]
    out.append(glyph("ellipsis"))
    out.append_text(cell[len(plain) - tail :])
    out.no_wrap, out.overflow, out.justify = cell.no_wrap, cell.overflow, cell.justify
    return out


def colliding(names: Iterable[str], width: int) -> frozenset[str]:
    """The names whose middle cut at ``width`` reads like another name's:
    ``llama-3.…meridian`` for both llama-3.2-x2-meridian and llama-3.2-c40-meridian."""
    cuts: dict[str, set[str]] = {}
    for name in set(names):
        cuts.setdefault(middle_ellipsis(Text(name), width).plain, set()).add(name)
    return frozenset(n for group in cuts.values() if len(group) > 1 for n in group)


def name_cut(cell: Text, width: int, collide: frozenset[str]) -> Text:
    """The name cell at ``width``: head and tail kept, or, when that would read like
    another run's name, the tail alone (where names of one family differ:
    ``…-x2-meridian`` beside ``…c40-meridian``)."""
    plain = cell.plain
    if (
        plain not in collide
        or cell_len(plain) <= width
        or width < 3
        or len(plain) != cell_len(plain)
    ):
        return middle_ellipsis(cell, width)
    out = Text(glyph("ellipsis"))
    out.append_text(cell[len(plain) - (width - 1) :])
    out.no_wrap, out.overflow, out.justify = cell.no_wrap, cell.overflow, cell.justify
    return out


class TableStyles(NamedTuple):
    odd: Style
    even: Style
    cursor: Style
    header: Style
    empty: Style


def table_styles(table: Widget) -> TableStyles:
    """The job list's row, cursor, header and note styles, from its component classes."""
    return TableStyles(
        odd=table.rich_style,
        even=table.get_component_rich_style("job-table--even-row"),
        cursor=table.get_component_rich_style("job-table--cursor"),
        header=table.get_component_rich_style("job-table--header"),
        empty=table.get_component_rich_style("job-table--empty"),
    )


def header_labels(
    columns: tuple[Column, ...], sorted_column: str | None, reverse: bool, ascii_mode: bool
) -> list[Text]:
    """The header's labels, the sorted column's with its direction: ▲ ascending (A→Z,
    lowest first), ▼ descending (``^`` / ``v`` in ASCII)."""
    from axom_tui.view.job_sort import ascending

    def arrow(column: str) -> str:
        up = ascending(column, reverse)
        return (" ^" if up else " v") if ascii_mode else (" ▲" if up else " ▼")

    return [
        Text(
            label + (arrow(column) if column == sorted_column else ""),
            justify="right" if column in RIGHT_ALIGNED else "left",
        )
        for column, label, _ in columns
    ]
