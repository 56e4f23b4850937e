"""Text rendering of download progress for the shell command.

On a terminal: one line rewritten with ``\\r`` (files done/total, %, rate, ETA), plus a
line of its own for each failed or refused file. Elsewhere (a pipe, a log file): plain
lines only, one per file state change and one every ~10 % of the total; no escapes.
Server-chosen names always pass through :func:`clean_text`.
"""

from __future__ import annotations

from typing import TextIO

from axom_tui.base.sanitize import clean_text
from axom_tui.base.units import human_bytes, human_rate
from axom_tui.download.outcome import DownloadOutcome
from axom_tui.download.progress import DownloadProgress, FileState

NAME_WIDTH = 200


def human_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def summary_line(p: DownloadProgress) -> str:
    pct = 100.0 * p.fraction
    return (
        f"{p.files_done}/{p.files_total} files  {pct:5.1f}%  "
        f"{human_bytes(p.done_bytes)} of {human_bytes(p.total_bytes)}  "
        f"{human_rate(p.speed):>10}  ETA {human_eta(p.eta)}"
    )


def file_line(rel: str, state: FileState, reason: str) -> str:
    text = f"  {clean_text(rel, NAME_WIDTH)}: {state.value}"
    return f"{text} ({clean_text(reason, 300)})" if reason else text


class ProgressPrinter:
    """An ``on_progress`` callback that writes to ``stream``."""

    def __init__(self, stream: TextIO, tty: bool) -> None:
        self.stream = stream
        self.tty = tty
        self._file_states: dict[int, tuple[FileState, str]] = {}
        self._header_done = False
        self._finished = False
        self._last_status = ""
        self._next_decile = 1
        self._line_len = 0

    def __call__(self, p: DownloadProgress) -> None:
        if self._finished:
            return
        self._finished = p.final
        lines: list[str] = []
        if p.files and not self._header_done:
            self._header_done = True
            lines.append(
                f"downloading {clean_text(p.model_name or p.model_id, NAME_WIDTH)} "
                f"{clean_text(p.version, 40)} into {clean_text(p.dest, 400)}"
            )
        for i, f in enumerate(p.files):
            key = (f.state, f.reason)
            if self._file_states.get(i, (FileState.QUEUED, "")) == key:
                continue
            self._file_states[i] = key
            if not self.tty or f.state in (FileState.FAILED, FileState.REFUSED):
                lines.append(file_line(f.rel, f.state, f.reason))
        if not p.files:
            return  # nothing to show before the manifest (or if there never was one)
        if self.tty:
            self._draw(lines, summary_line(p), final=p.final)
            return
        if p.final or (p.total_bytes and p.fraction * 10 >= self._next_decile):
            self._next_decile = int(p.fraction * 10) + 1
            lines.append(summary_line(p))
        for line in lines:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _draw(self, lines: list[str], status: str, final: bool) -> None:
        if not lines and not final and status == self._last_status:
            return
        self._last_status = status
        out = []
        if lines and self._line_len:
            out.append("\r" + " " * self._line_len + "\r")
        out.extend(line + "\n" for line in lines)
        pad = max(0, self._line_len - len(status))
        out.append("\r" + status + " " * pad)
        self._line_len = len(status)
        if final:
            out.append("\n")
            self._line_len = 0
        self.stream.write("".join(out))
        self.stream.flush()


def outcome_report(outcome: DownloadOutcome) -> tuple[list[str], list[str]]:
    """(lines for stdout, lines for stderr) describing how the download ended."""
    label = f"{outcome.model_name} {outcome.version}".strip() or outcome.model_id
    name = clean_text(label, NAME_WIDTH)
    stats = f"resumed {outcome.resumes}, re-signed {outcome.resigns}, retried {outcome.retries}"
    if outcome.already_present:
        return [
            f"already there: {name}: {len(outcome.files)} files, "
            f"{human_bytes(outcome.total_bytes)} in {clean_text(outcome.dest, 400)} "
            "(checked; nothing to fetch)"
        ], []
    if outcome.ok:
        secs = max(outcome.elapsed, 1e-6)
        return [
            f"done: {name}: {len(outcome.files)} files, {human_bytes(outcome.total_bytes)} "
            f"in {clean_text(outcome.dest, 400)} ({secs:.1f} s, "
            f"{human_rate(outcome.received_bytes / secs)}; {stats})"
        ], []
    err = [f"download {outcome.state.value}: {clean_text(outcome.reason, 600)}"]
    for f in outcome.refused:
        err.append(f"  refused {clean_text(f.rel, NAME_WIDTH)!s}: {clean_text(f.reason, 300)}")
    for f in outcome.failed:
        err.append(
            f"  {f.state.value} {clean_text(f.rel, NAME_WIDTH)}: {clean_text(f.reason, 300)}"
        )
    if outcome.failed and outcome.dest is not None:
        err.append("  run the same command again to resume (.part files are kept)")
    return [], err
