"""sanitize.clean_text: server-controlled text can never act on the terminal."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from axom_tui.base.sanitize import clean_text, safe_text

# Anything a terminal might act on: C0 (tab included: it is expanded), DEL, C1, bidi controls, BOM.
DANGEROUS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def assert_safe(text: str) -> None:
    assert DANGEROUS.search(text) is None, repr(text)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),  # CSI SGR
        ("\x1b[2J\x1b[H", "␛[2J␛[H"),  # CSI clear screen / home
        ("\x1b[?1049h", "␛[?1049h"),  # CSI private mode
        ("\x1b]0;pwned\x07after", "␛]0;pwnedafter"),  # OSC title, BEL-terminated
        ("\x1b]52;c;ZXZpbA==\x1b\\x", "␛]52;c;ZXZpbA==\\x"),  # OSC 52 clipboard, ST
        (
            "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
            "␛]8;;https://evil.example\\link␛]8;;\\",
        ),
        ("\x1bPq#0;2;0;0;0\x1b\\z", "␛Pq#0;2;0;0;0\\z"),  # DCS (sixel)
        ("\x1bc", "␛c"),  # RIS: full reset
        ("\x1b", "␛"),
        ("\x9b31m", "<U+009B>31m"),  # 8-bit CSI (C1)
        ("\x9d0;t\x9c", "<U+009D>0;t<U+009C>"),  # 8-bit OSC/ST
        ("a\x7fb", "a␡b"),
        ("progress 10%\rprogress 20%", "progress 10%␍progress 20%"),
        ("line1\nline2", "line1␊line2"),
        ("\x00\x07\x08", "␀␇␈"),
        ("\u202eevil.exe", "<U+202E>evil.exe"),
        ("a\u2066b\u2069c", "a<U+2066>b<U+2069>c"),
        ("\ufeffbom", "<U+FEFF>bom"),
        ("a\tb", "a    b"),
    ],
)
def test_controls_and_sequences_made_visible(raw: str, expected: str) -> None:
    out = clean_text(raw)
    assert out == expected
    assert_safe(out)


@pytest.mark.parametrize(
    "text",
    [
        "[bold]not bold[/bold]",
        "[/]",
        "[link=https://evil.example]click[/link]",
        ":smile: [red]x",
        "step 2000/6000 · loss 1.83 · lr 3.1e-05",
        "ünïcödé 日本語 emoji 🚀",
    ],
)
def test_plain_text_and_markup_lookalikes_kept_literally(text: str) -> None:
    assert clean_text(text) == text
    rendered = safe_text(text, max_len=None)
    assert rendered.plain == text and not rendered.spans  # never parsed as markup


def test_max_len_truncates_with_ellipsis() -> None:
    assert clean_text("x" * 10, max_len=5) == "xxxx…"
    assert clean_text("x" * 5, max_len=5) == "xxxxx"
    assert len(clean_text("y" * 100_000)) == 4000  # default bound
    assert clean_text("z" * 5000, max_len=None) == "z" * 5000


def test_max_len_counts_the_visible_form() -> None:
    out = clean_text("\x00" * 10, max_len=4)
    assert out == "␀␀␀…"
    out = clean_text("\u202e" * 10, max_len=8)
    assert len(out) == 8 and out.endswith("…")


@pytest.mark.parametrize(
    "value, expected",
    [(None, "None"), (42, "42"), (3.5, "3.5"), (b"\x1b[31m", "b'\\x1b[31m'"), (["a"], "['a']")],
)
def test_non_str_input(value: object, expected: str) -> None:
    assert clean_text(value) == expected


def test_non_str_input_is_sanitized_too() -> None:
    class Sneaky:
        def __str__(self) -> str:
            return "\x1b]0;pwned\x07\n"

    out = clean_text(Sneaky())
    assert_safe(out)
    assert out == "␛]0;pwned␊"


def test_sequences_can_be_kept_as_lone_controls() -> None:
    out = clean_text("\x1b[31mred", strip_sequences=False)
    assert out == "␛[31mred"
    assert_safe(out)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from(
                list("\x1b\x07\x9b\x9c\x9d\x90\x7f\r\n\t[]\\;P^_X@~?0123m")
                + ["\u202e", "\u2066", "\u2069", "\u200f", "\ufeff"]
            ),
            st.characters(),
        ),
        max_size=200,
    ),
    st.one_of(st.none(), st.integers(min_value=1, max_value=300)),
)
def test_property_output_is_always_safe_and_bounded(text: str, max_len: int | None) -> None:
    out = clean_text(text, max_len=max_len)
    assert_safe(out)
    if max_len is not None:
        assert len(out) <= max_len
    if not DANGEROUS.search(text) and (max_len is None or len(text) <= max_len):
        assert out == text  # harmless text is untouched
