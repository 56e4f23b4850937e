"""A worker that prints its environment must not put the API key on screen, in a saved
log or in a screenshot: every path that cleans server text hides the key."""

from __future__ import annotations

from axom_tui.api.records import LogLine
from axom_tui.api.secret import ApiKey
from axom_tui.base.sanitize import SECRET_STAND_IN, clean_text
from axom_tui.logview import LogIndex, sanitize_line

KEY = "axom_live_ECHOEDBYWORKER1234567890abcdef"


def test_cleaned_server_text_hides_the_key() -> None:
    ApiKey(KEY)
    shown = clean_text(f"env AXOM_KEY={KEY} leaked by worker")
    assert KEY not in shown
    assert SECRET_STAND_IN in shown
    assert shown.startswith("env AXOM_KEY=")


def test_a_printable_log_line_hides_the_key_on_the_fast_path() -> None:
    ApiKey(KEY)
    assert KEY not in sanitize_line(f"export AXOM_KEY={KEY}")
    index = LogIndex(max_lines=100)
    index.append(
        [
            LogLine(seq=1, ts=None, stream="stdout", text=f"AXOM_KEY={KEY}"),
            LogLine(seq=2, ts=None, stream="stderr", text="\x1b[31m" + KEY),
        ]
    )
    held = list(index.texts())
    assert len(held) == 2
    assert all(KEY not in text for text in held)
    assert all(SECRET_STAND_IN in text for text in held)


def test_text_without_the_key_is_untouched() -> None:
    ApiKey(KEY)
    assert clean_text("step 10 loss 0.5") == "step 10 loss 0.5"
    assert sanitize_line("step 10 loss 0.5") == "step 10 loss 0.5"


def test_a_key_that_is_only_the_prefix_hides_nothing_of_other_text() -> None:
    ApiKey("axom_live_")  # e.g. an empty key pasted with its prefix
    ApiKey(KEY)
    shown = clean_text(f"other key axom_live_SOMETHINGELSE12345 and {KEY}")
    assert "axom_live_SOMETHINGELSE12345" in shown
    assert KEY not in shown and KEY[10:] not in shown
