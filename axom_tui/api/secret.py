"""The API key as a value that cannot leak through ``str``, ``repr`` or f-strings."""

from __future__ import annotations

from typing import NoReturn

from axom_tui.sanitize import hide_everywhere


def mask_key(key: str) -> str:
    """``axom_live_abcdef…wxyz`` → ``axom_live_…wxyz``; short or odd keys are fully hidden."""
    if not key:
        return "(none)"
    prefix = "axom_live_" if key.startswith("axom_live_") else ""
    rest = key[len(prefix):]
    if len(rest) < 12:
        return f"{prefix}…"
    return f"{prefix}…{rest[-4:]}"


class ApiKey:
    """Holds the key; only :meth:`reveal` returns it, and only the client calls that."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()
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
