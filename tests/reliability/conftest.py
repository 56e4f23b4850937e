"""Reliability suite: print the figures the tests collected (see rel_helpers.FIGURES)."""

from __future__ import annotations

from rel_helpers import FIGURES, write_figures


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not FIGURES:
        return
    write_figures()
    terminalreporter.section("reliability figures")
    for name, value in sorted(FIGURES.items()):
        terminalreporter.write_line(f"{name:<48} {value:>12,}")
