"""The API key as a value that cannot leak through ``str``, ``repr`` or f-strings."""

from __future__ import annotations

from typing import NoReturn

from axom_tui.base.sanitize import hide_everywhere


def mask_key(key: str) -> str:
    """``axom_live_abcdef…wxyz`` → ``axom_live_…wxyz``; short or odd keys are fully hidden."""
    if not key:
        return "(none)"
    prefix = "axom_live_" if key.startswith("axom_live_") else ""
    rest = key[len(prefix) :]
    if len(rest) < 12:
        return f"{prefix}…"
    return f"{prefix}…{rest[-4:]}"


class ApiKey:
    """Holds the key; only :meth:`reveal` returns it, and only the client calls that."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()
        if len(self._value.removeprefix("axom_live_")) >= 12:  # a bare prefix is no secret
            hide_everywhere(self._value)

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask_key(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"ApiKey({self.masked})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("ApiKey", self._value))

    def __reduce__(self) -> NoReturn:  # refuse pickling the raw key into crash dumps
        raise TypeError("ApiKey cannot be pickled")


def mask_pieces(text: str, key: str, replacement: str, piece: int = 8) -> str:
    """``text`` with every run of ``piece`` or more characters of the key's secret part
    replaced: a server that echoes the key into a field we quote shortened (an unreadable
    timestamp, say) must not get even a cut-off piece of it on screen."""
    secret = key.removeprefix("axom_live_")
    if len(secret) < piece or len(text) < piece:
        return text
    windows = {secret[i : i + piece] for i in range(len(secret) - piece + 1)}
    out: list[str] = []
    j = 0
    while j < len(text):
        if text[j : j + piece] in windows:
            k = j + piece
            while k < len(text) and text[j : k + 1] in secret:
                k += 1
            out.append(replacement)
            j = k
        else:
            out.append(text[j])
            j += 1
    return "".join(out)
