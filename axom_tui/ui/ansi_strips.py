"""The chart's ANSI output as Textual strips, without rich's general ANSI decoder.

A chart is a few thousand colour runs; ``Text.from_ansi`` takes ~25 ms for one at
160x30, and turning that Text into strips on every repaint costs as much again. The
chart only writes 24-bit/256-colour SGR, bold and resets, so one pass over the escapes
makes the strips directly (once per redraw; repaints reuse them). An escape it does not
know sends the whole string to rich's decoder instead.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
# What a chart is made of, one cell per character: ASCII, box drawing, blocks, braille.
_ONE_CELL = re.compile(r"[\x20-\x7e\u2500-\u25fc\u25ff\u2800-\u28ff]*")  # not ◽◾ (two cells)
_KEEP = object()
_STYLES: dict[tuple[Any, Any, bool], Style] = {}
_CODES: dict[str, tuple[Any, Any, Any] | None] = {}


def _parse_sgr(params: str) -> tuple[Any, Any, Any] | None:
    """What one escape's parameters change: (fg, bg, bold), ``_KEEP`` where unchanged;
    None for anything but colours, bold and resets."""
    codes = params.split(";") if params else ["0"]
    fg: Any = _KEEP
    bg: Any = _KEEP
    bold: Any = _KEEP
    k = 0
    while k < len(codes):
        code = codes[k]
        if code in ("0", ""):
            fg, bg, bold = None, None, False
        elif code == "1":
            bold = True
        elif code in ("39", "49"):  # the terminal's own colour, as rich reads it
            fg, bg = ("default", bg) if code == "39" else (fg, "default")
        elif code in ("38", "48") and k + 2 < len(codes) and codes[k + 1] in ("2", "5"):
            if codes[k + 1] == "2" and k + 4 < len(codes):
                value: Any = (int(codes[k + 2]), int(codes[k + 3]), int(codes[k + 4]))
                k += 4
            elif codes[k + 1] == "5":
                value = int(codes[k + 2])
                k += 2
            else:
                return None
            fg, bg = (value, bg) if code == "38" else (fg, value)
        else:
            return None
        k += 1
    return fg, bg, bold


def _style(fg: Any, bg: Any, bold: bool) -> Style:
    key = (fg, bg, bold)
    style = _STYLES.get(key)
    if style is None:
        if len(_STYLES) > 4096:
            _STYLES.clear()
        style = _STYLES[key] = Style(
            color=_rich_color(fg), bgcolor=_rich_color(bg), bold=bold or None
        )
    return style


def _rich_color(value: Any) -> RichColor | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return RichColor.from_rgb(*value)
    if value == "default":
        return RichColor.default()
    return RichColor.from_ansi(value)


_PLAIN = Style()


def ansi_to_strips(ansi: str, width: int) -> list[Strip]:
    """One :class:`Strip` per line of ``ansi``, each ``width`` cells (cropped or padded)."""
    strips: list[Strip] = []
    codes = _CODES
    fg: Any = None
    bg: Any = None
    bold: Any = False
    for line in ansi.split("\n"):
        segments: list[Segment] = []
        parts = _SGR.split(line)
        cells = 0
        for i, part in enumerate(parts):
            if i % 2 == 0:
                if part:
                    # never None: Textual's filters (NO_COLOR's monochrome) expect a Style
                    style = (
                        _style(fg, bg, bold) if fg is not None or bg is not None or bold else _PLAIN
                    )
                    segments.append(Segment(part, style))
                    # cell_len looks up every character of a braille run (they change on
                    # every redraw, so its cache misses); most runs are one cell a character
                    cells += len(part) if _ONE_CELL.fullmatch(part) else cell_len(part)
                continue
            change: Any = codes.get(part, _KEEP)
            if change is _KEEP:
                change = codes[part] = _parse_sgr(part)
            if change is None:
                return _strips_by_rich(ansi, width)
            new_fg, new_bg, new_bold = change
            fg = fg if new_fg is _KEEP else new_fg
            bg = bg if new_bg is _KEEP else new_bg
            bold = bold if new_bold is _KEEP else new_bold
        strip = Strip(segments, cells)
        strips.append(strip if cells == width else strip.adjust_cell_length(width, _PLAIN))
    return strips


def _strips_by_rich(ansi: str, width: int) -> list[Strip]:
    text = Text.from_ansi(ansi, no_wrap=True, end="")
    console = Console(width=width, color_system="truecolor", legacy_windows=False)
    lines = console.render_lines(text, console.options.update_width(width), pad=True)
    return [
        Strip([Segment(text, style or _PLAIN, control) for text, style, control in line], width)
        for line in lines
    ]
