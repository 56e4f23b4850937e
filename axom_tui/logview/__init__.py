"""Textual-free core of the log pane: bounded line buffer, search, filter, wrap rows."""

from axom_tui.logview.index import (
    MAX_LINE_CHARS,
    AppendResult,
    LogIndex,
    compile_query,
    sanitize_line,
)

__all__ = ["MAX_LINE_CHARS", "AppendResult", "LogIndex", "compile_query", "sanitize_line"]
