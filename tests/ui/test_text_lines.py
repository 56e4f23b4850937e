"""TextLines: line-by-line drawing, repainting only the lines that changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from axom_tui.ui.widgets.text_lines import TextLines


class Host(App[None]):
    CSS = "TextLines { height: 4; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield TextLines()


def shown(widget: TextLines) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.content_size.height)]


async def test_a_changed_line_repaints_that_line_only():
    app = Host()
    async with app.run_test(size=(24, 6)) as pilot:
        widget = app.query_one(TextLines)
        widget.set_lines([Text("alpha"), Text("beta"), Text("gamma")])
        await pilot.pause()
        assert shown(widget) == ["alpha".ljust(22), "beta".ljust(22), "gamma".ljust(22), " " * 22]

        refreshed: list[tuple[tuple, dict]] = []
        original = widget.refresh

        def spy(*regions, **kwargs):
            refreshed.append((regions, kwargs))
            return original(*regions, **kwargs)

        widget.refresh = spy  # type: ignore[method-assign]
        widget.set_lines([Text("alpha"), Text("beta", style="bold"), Text("gamma")])  # style only
        assert len(refreshed) == 1
        regions, kwargs = refreshed[0]
        assert [(r.y, r.height) for r in regions] == [(1, 1)] and not kwargs.get("layout")

        widget.set_lines([Text("alpha"), Text("beta", style="bold"), Text("gamma")])
        assert len(refreshed) == 1  # nothing changed: no repaint at all

        widget.set_lines([Text("alpha")])  # shorter: the lines that went are blanked
        assert [r.y for r in refreshed[-1][0]] == [1, 2]
        await pilot.pause()
        assert shown(widget) == ["alpha".ljust(22)] + [" " * 22] * 3
        assert widget.content.plain == "alpha"


async def test_long_lines_are_cut_with_an_ellipsis_and_markup_is_text():
    app = Host()
    async with app.run_test(size=(24, 6)) as pilot:
        widget = app.query_one(TextLines)
        widget.set_text(Text("[bold]not markup[/] and a line far too long\nsecond"))
        await pilot.pause()
        first, second = shown(widget)[:2]
        assert first == "[bold]not markup[/] a…"
        assert second == "second".ljust(22)
        await pilot.resize_terminal(30, 6)
        await pilot.pause()
        assert shown(widget)[0] == "[bold]not markup[/] and a l…"


class PaddedHost(App[None]):
    CSS = "TextLines { height: 7; padding: 1 2; border: solid red; }"

    def compose(self) -> ComposeResult:
        yield TextLines()


async def test_with_padding_and_a_border_the_changed_line_is_the_one_repainted():
    app = PaddedHost()
    async with app.run_test(size=(30, 10)) as pilot:
        widget = app.query_one(TextLines)
        widget.set_lines([Text("one"), Text("two")])
        await pilot.pause()
        widget.set_lines([Text("one"), Text("TWO")])
        await pilot.pause()
        # what the screen shows (cached lines included), not what render_line would draw
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any("TWO" in row for row in rows), rows
        assert not any("two" in row for row in rows), rows
        assert sum("one" in row for row in rows) == 1
