"""set_virtual_size skips the screen layout only when Textual would show the same
scrollbars, and never leaves the view scrolled past the end."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from axom_tui.ui.widgets.scroll_size import set_virtual_size


class _View(ScrollView):
    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


def _app(overflow_x: str, overflow_y: str) -> App:
    class Host(App):
        CSS = f"_View {{ overflow-x: {overflow_x}; overflow-y: {overflow_y}; height: 10; width: 40; }}"

        def compose(self):
            yield _View()

    return Host()


@pytest.mark.parametrize(
    "overflow",
    [
        ("auto", "scroll"),
        ("scroll", "auto"),
        ("hidden", "auto"),
        ("hidden", "scroll"),
        ("scroll", "scroll"),
    ],
)
async def test_scrollbars_match_what_textual_would_show(overflow):
    sizes = [Size(30, 50), Size(39, 50), Size(37, 9), Size(80, 8), Size(38, 11), Size(30, 3)]
    ours, textuals = [], []
    for setter in ("ours", "textual"):
        app = _app(*overflow)
        async with app.run_test(size=(60, 20)) as pilot:
            view = app.query_one(_View)
            for size in sizes:
                if setter == "ours":
                    set_virtual_size(view, size)
                else:
                    view.virtual_size = size
                await pilot.pause()
                (ours if setter == "ours" else textuals).append(
                    (
                        view.show_horizontal_scrollbar,
                        view.show_vertical_scrollbar,
                        view.max_scroll_x,
                        view.max_scroll_y,
                    )
                )
    assert ours == textuals


async def test_shrinking_pulls_the_view_back_inside_the_content():
    app = _app("hidden", "scroll")
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(_View)
        set_virtual_size(view, Size(40, 200))
        await pilot.pause()
        view.scroll_to(y=150, animate=False, force=True)
        await pilot.pause()
        set_virtual_size(view, Size(40, 20))
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y == 20 - view.scrollable_content_region.height
