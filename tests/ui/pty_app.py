"""The real ``axom-tui --demo`` in a pseudo-terminal, driven by writes to it, read back by
its own SVG screenshots (``S``): what a user in a terminal would see, cell by cell.

Bursts are one ``os.write`` to the pty, so the app reads them as one chunk, as it does a
paste or a fast typist over SSH. The pty plumbing is the benchmarks' (``bench/_pty.py``).
"""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from _pty import PtyProcess, clean_env  # noqa: E402 - after the sys.path line that makes it importable

CELL_WIDTH = 12.2  # px per column in Textual's SVG export
_TEXT = re.compile(
    r'<text[^>]*\bx="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>(.*?)</text>'
)


def svg_lines(svg: str) -> list[str]:
    """The screen a Textual SVG screenshot shows, as one string per row."""
    rows: dict[int, dict[int, str]] = {}
    for x, line, text in _TEXT.findall(svg):
        rows.setdefault(int(line), {})[round(float(x) / CELL_WIDTH)] = html.unescape(text)
    out = []
    for y in range(max(rows, default=-1) + 1):
        cells: list[str] = []
        for column, text in sorted(rows.get(y, {}).items()):
            if len(cells) < column:
                cells.extend(" " * (column - len(cells)))
            cells[column : column + len(text)] = list(text)
        out.append("".join(cells).replace("\xa0", " ").rstrip())
    return out


class PtyApp:
    """``python -m axom_tui ARGS`` on a pty of ``cols``×``rows``, working in ``folder``."""

    def __init__(self, folder: Path, *args: str, cols: int = 160, rows: int = 48) -> None:
        self.folder = folder
        env = clean_env(AXOM_CONFIG=str(folder / "none.toml"))
        self.proc = PtyProcess(
            [sys.executable, "-m", "axom_tui", *args], cols=cols, rows=rows, env=env, cwd=folder
        )

    def __enter__(self) -> PtyApp:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.stop()

    def alive(self) -> bool:
        return self.proc.alive()

    def write(self, data: bytes) -> None:
        """One write: the app reads it as one burst."""
        self.proc.type(data)

    def wait_output(self, marker: bytes, timeout: float = 30.0) -> bool:
        self.proc.watch(marker)
        return self.proc.wait_marker(marker, timeout) is not None or marker in self.proc.output

    def screen(self, timeout: float = 20.0) -> list[str]:
        """Press ``S`` and read the screenshot it saves."""
        before = set(self.folder.glob("*.svg"))
        self.write(b"S")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = [p for p in self.folder.glob("*.svg") if p not in before]
            if new:
                time.sleep(0.2)  # let the write finish
                return svg_lines(new[0].read_text(encoding="utf-8"))
            if not self.alive():
                raise AssertionError("the app ended before the screenshot")
            time.sleep(0.05)
        raise AssertionError("no screenshot appeared")
