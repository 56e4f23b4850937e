"""One sanitizer for every piece of server-controlled text that reaches the screen.

Log lines, names, error strings, event payloads: the server chooses them, so they must
never act on the terminal. Control characters (C0 including ESC, DEL, C1), and Unicode
bidi overrides/isolates are replaced with visible stand-ins; the result is plain text
that callers wrap in ``rich.text.Text`` (never parsed as markup).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls except tab, DEL, C1 controls, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI … final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL or ST (or unterminated)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC strings
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)


#: Secrets of this process (the API key) that server text must never show: a worker that
#: prints its environment would otherwise put the key on screen, in a screenshot, in a
#: saved log. Registered by :class:`axom_tui.api.secret.ApiKey`.
_secrets: set[str] = set()
SECRET_STAND_IN = "«key hidden»"
_SHORTEST_SECRET = 8  # shorter "keys" would blank ordinary words


def hide_everywhere(secret: str) -> None:
    """From now on, every cleaned text shows ``secret`` as :data:`SECRET_STAND_IN`."""
    if len(secret) >= _SHORTEST_SECRET:
        _secrets.add(secret)


def redact_secrets(text: str) -> str:
    """``text`` with every registered secret replaced (cheap when none occurs in it)."""
    for secret in sorted(_secrets, key=len, reverse=True):  # a longer one first, whole
        if secret in text:
            text = text.replace(secret, SECRET_STAND_IN)
    return text


def has_secrets() -> bool:
    return bool(_secrets)


def _visible(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀…␟ control pictures (␛ for ESC)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def clean_text(text: object, max_len: int | None = 4000, strip_sequences: bool = True) -> str:
    """Plain, single-line, terminal-safe text.

    Whole escape sequences are shown as one ␛ plus their (harmless) body so a reader can
    still see that the worker printed colour codes; lone controls become control pictures.
    """
    if not isinstance(text, str):
        text = str(text)
    if strip_sequences and "\x1b" in text:
        text = _ESCAPE_SEQ.sub(lambda m: "␛" + _UNSAFE.sub("", m.group(0)[1:]), text)
    text = text.replace("\t", "    ")
    text = _UNSAFE.sub(_visible, text)
    if _secrets:
        text = redact_secrets(text)
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text


def safe_text(text: object, max_len: int | None = 200) -> Text:
    """A ``rich.text.Text`` of :func:`clean_text`: never parsed as markup."""
    from rich.text import Text

    return Text(clean_text(text, max_len))
