"""--ascii, TERM=linux (16 colours) and NO_COLOR, checked on the bytes a real pty receives."""

from __future__ import annotations

import re

import pytest

from comfort_helpers import base_env, run_in_pty

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")
BOX_OR_BLOCK = re.compile("[\u2500-\u259f]")
BRAILLE = re.compile("[\u2800-\u28ff]")

pytestmark = pytest.mark.slow  # the real app in a pty, seconds each


def colour_params(output: bytes) -> list[list[str]]:
    return [m.group(1).decode().replace(":", ";").split(";") for m in SGR.finditer(output)]


@pytest.fixture(scope="module")
def default_output() -> bytes:
    return run_in_pty(["--demo", "--speed", "60"], base_env(), seconds=25, until=b"step ")


def test_default_mode_draws_braille_and_box_characters(default_output: bytes) -> None:
    text = default_output.decode("utf-8", "replace")
    assert "Name" in text  # the job table was drawn
    assert BRAILLE.search(text) or BOX_OR_BLOCK.search(text)


def test_ascii_mode_draws_no_braille_or_box_characters() -> None:
    output = run_in_pty(
        ["--demo", "--speed", "60", "--ascii"], base_env(), seconds=25, until=b"step "
    )
    text = output.decode("utf-8", "replace")
    assert "Name" in text and "Lifecycle" in text
    assert not BRAILLE.findall(text), "braille in --ascii mode"
    assert not BOX_OR_BLOCK.findall(text), (
        f"box/block characters in --ascii mode: {set(BOX_OR_BLOCK.findall(text))}"
    )


def test_term_linux_uses_only_the_16_colour_palette() -> None:
    output = run_in_pty(
        ["--demo", "--speed", "60"], base_env(TERM="linux"), seconds=20, until=b"step "
    )
    assert b"Name" in output
    params = colour_params(output)
    assert params, "no colour at all"
    for p in params:
        assert "38" not in p and "48" not in p, f"extended colour {p} on TERM=linux"


def _is_grey(params: list[str], i: int) -> tuple[bool, int]:
    """Whether the extended colour starting at params[i] ('38'/'48') is a grey; and its length."""
    kind = params[i + 1] if i + 1 < len(params) else ""
    if kind == "5":
        n = int(params[i + 2])
        return (n in (0, 7, 8, 15, 16, 231) or 232 <= n <= 255), 3
    if kind == "2":
        r, g, b = (int(x) for x in params[i + 2 : i + 5])
        return (r == g == b), 5
    return False, 1


def test_no_color_shows_no_hues() -> None:
    """Textual honours NO_COLOR with a monochrome filter: greys only, no hue anywhere."""
    output = run_in_pty(
        ["--demo", "--speed", "60"], base_env(NO_COLOR="1"), seconds=20, until=b"step "
    )
    assert b"Name" in output
    for p in colour_params(output):
        i = 0
        while i < len(p):
            code = int(p[i]) if p[i].isdigit() else 0
            if code in (38, 48):
                grey, length = _is_grey(p, i)
                assert grey, f"coloured SGR {p} with NO_COLOR"
                i += length
                continue
            assert not (
                31 <= code <= 36 or 41 <= code <= 46 or 91 <= code <= 96 or 101 <= code <= 106
            ), f"hue SGR {p} with NO_COLOR"
            i += 1


def test_default_mode_has_hues(default_output: bytes) -> None:
    hued = [
        p
        for p in colour_params(default_output)
        for i, x in enumerate(p)
        if x in ("38", "48") and not _is_grey(p, i)[0]
    ]
    assert hued, "the default theme should be in colour (else the NO_COLOR test proves nothing)"
