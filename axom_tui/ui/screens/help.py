"""`?`: every key binding, generated from the BINDINGS themselves so it never drifts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_sections(app_class: type[DOMNode]) -> list[tuple[str, list[Binding]]]:
    """The keys of ``app_class`` ("Everywhere") and of each screen and pane, by section."""
    from axom_tui.ui.screens.compare import CompareScreen
    from axom_tui.ui.screens.dashboard import DashboardScreen
    from axom_tui.ui.screens.dashboard_moment import REPLAY_BINDINGS, ReplayKeys
    from axom_tui.ui.widgets.cursor_chart import CursorChart
    from axom_tui.ui.widgets.downloads_panel import DownloadsPanel
    from axom_tui.ui.widgets.job_table import JobTable
    from axom_tui.ui.widgets.lifecycle_pane import LifecyclePane
    from axom_tui.ui.widgets.log_view import LogView
    from axom_tui.ui.widgets.log_view_chrome import LogSearchInput
    from axom_tui.ui.widgets.timeline import Timeline

    sections: list[tuple[str, tuple[type[Any], ...]]] = [  # classes with BINDINGS
        ("Everywhere", (app_class,)),
        ("Dashboard", (DashboardScreen,)),
        ("Replay (R on a finished run)", (ReplayKeys,)),
        ("Job list", (JobTable,)),
        ("Chart (C to focus)", (CursorChart,)),
        ("Lifecycle pane", (Timeline, LifecyclePane)),
        ("Log pane", (LogView, LogSearchInput)),
        ("Downloads", (DownloadsPanel,)),
        ("Compare view", (CompareScreen,)),
        ("In this list", (HelpScreen,)),
    ]
    out = []
    # An id shown once (the help's S is the app's, listed above); replay's keys are the
    # dashboard's, listed in a section of their own.
    replay_ids = {b.id for b in Binding.make_bindings(REPLAY_BINDINGS) if b.id}
    listed: set[str] = set()
    for title, classes in sections:
        if title == "Dashboard":
            listed |= replay_ids
        elif title.startswith("Replay"):
            listed -= replay_ids
        by_id: dict[str, list[Binding]] = {}  # "up,k" is two bindings with one id: one row
        for cls in classes:
            for b in Binding.make_bindings(cls.BINDINGS):
                if b.description and (b.id or b.action) not in listed:
                    by_id.setdefault(b.id or b.action, []).append(b)
        listed |= by_id.keys()
        out.append(
            (
                title,
                [replace(same[0], key=",".join(b.key for b in same)) for same in by_id.values()],
            )
        )
    return out


def _described(binding: Binding) -> str:
    """The binding's description (what the footer says), and its tooltip when it has one."""
    tip, said = binding.tooltip, binding.description
    if not tip or tip == said:
        return said
    if said and tip.lower().startswith(said.split()[0].lower()):  # the tip says it all
        return tip
    return f"{said} — {tip}"


def display_key(binding: Binding, keymap: dict[str, str]) -> str:
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    names = {
        "question_mark": "?",
        "slash": "/",
        "space": "space",
        "escape": "esc",
        "left": "←",
        "right": "→",
        "up": "↑",
        "down": "↓",
        "shift+left": "shift+←",
        "shift+right": "shift+→",
        "plus": "+",
        "equals_sign": "=",
        "minus": "-",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "greater_than_sign": ">",
        "less_than_sign": "<",
        "comma": ",",
        "full_stop": ".",
        "left_curly_bracket": "{",
        "right_curly_bracket": "}",
    }
    return ",".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


MIN_DESCRIPTION = 24  # below this the binding ids go, so the descriptions stay whole


class KeyTable:
    """Every section's keys, descriptions and binding ids, their columns lined up across
    sections. Headings are lines of their own (never cut to a column's width); when the
    width is short, the id column goes first and the descriptions wrap."""

    def __init__(self, sections: Sequence[tuple[str, list[tuple[str, str, str]]]]) -> None:
        self.sections = sections

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = [row for _, section in self.sections for row in section]
        key_width = max((len(key) for key, _, _ in rows), default=8)
        id_width = max((len(id_) for _, _, id_ in rows), default=0)
        show_ids = options.max_width - key_width - id_width - 4 >= MIN_DESCRIPTION
        for index, (title, section) in enumerate(self.sections):
            if index:
                yield Text("")
            yield Text(title, style="bold underline")
            table = Table(show_header=False, box=None, padding=(0, 2), pad_edge=False, expand=True)
            table.add_column(style="bold", width=key_width, no_wrap=True)
            table.add_column(ratio=1)
            if show_ids:
                table.add_column(style="dim", width=id_width, no_wrap=True)
            for key, description, id_ in section:
                table.add_row(key, description, *((id_,) if show_ids else ()))
            yield table


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll down", id="help.down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", id="help.up", show=False),
        Binding("g,home", "scroll(-10000)", "Top", id="help.top", show=False),
        Binding("G,end", "scroll(10000)", "Bottom", id="help.bottom", show=False),
        # a modal screen hides the app's keys: the screenshot key works here too
        Binding("S", "app.screenshot", "Screenshot", id="screenshot", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-width: 95%; height: 90%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    """

    def __init__(
        self, sections: Sequence[tuple[str, list[Binding]]], keymap: dict[str, str]
    ) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        keymap = self.keymap
        with VerticalScroll():
            yield Static(Text("axom-tui — keys (esc to close), j/k to scroll", style="bold"))
            rows = [
                (
                    title,
                    [(display_key(b, keymap), _described(b), b.id or "") for b in bindings],
                )
                for title, bindings in self.sections
            ]
            yield Static(KeyTable(rows))
            yield Static(
                Text(
                    "Command palette: ctrl+p (go to run …, compare, download, export, themes).\n"
                    'Remap any key by id in the config file: [keymap] refresh = "f5"',
                    style="dim",
                )
            )

    def action_scroll(self, rows: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=rows, animate=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.app.pop_screen()
