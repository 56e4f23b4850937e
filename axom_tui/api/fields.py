"""Tolerant, typed reading of JSON objects, as the contract's "Tolerance" section asks.

Unknown fields are ignored, optional fields may be missing or null, numbers may be
ints or floats (NaN/Infinity allowed where a metric is expected), the zero time
``0001-01-01T00:00:00Z`` means unset. A field of the wrong type raises
:class:`BadPayloadError` naming the endpoint and the field, unless the reader was given
an :class:`~axom_tui.api.issues.IssueLog`: then an optional field of the wrong type is
left empty (``None``) and counted there, and only a missing or bad *required* field
raises (the caller skips that item).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from axom_tui.api.errors import BadPayloadError
from axom_tui.api.issues import IssueLog

_MISSING = object()
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class Fields:
    """Read the fields of one JSON object; ``where`` names it in error messages."""

    __slots__ = ("obj", "endpoint", "where", "log", "top")

    def __init__(
        self,
        obj: Any,
        endpoint: str,
        where: str = "",
        log: IssueLog | None = None,
        top: bool = True,
    ) -> None:
        if not isinstance(obj, dict):
            raise BadPayloadError(endpoint, f"expected an object, got {_kind(obj)}", where or None)
        self.obj = obj
        self.endpoint = endpoint
        self.where = where
        self.log = log
        #: The record's own fields (not a nested object's): their names are noted, so the
        #: store can keep what it held for a field this answer left empty.
        self.top = top

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _fail(self, key: str, expected: str, value: Any) -> BadPayloadError:
        return BadPayloadError(
            self.endpoint, f"expected {expected}, got {_kind(value)}", self._name(key)
        )

    def _bad(self, key: str, required: bool, error: BadPayloadError) -> None:
        """A field could not be read: raise, or (tolerant reader, optional field) note it."""
        if required or self.log is None:
            raise error
        reason = error.message.removeprefix("bad payload").split(": ", 1)[-1]
        self.log.field(self._name(key), reason, key if self.top else None)

    def _get(self, key: str, required: bool) -> Any:
        value = self.obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise BadPayloadError(self.endpoint, "missing", self._name(key))
            return None
        return value

    def text(self, key: str, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self._bad(key, required, self._fail(key, "a string", value))
            return None
        return value

    def identifier(self, key: str, required: bool = True) -> str | None:
        """Ids are UUID strings per the contract; a number is tolerated and kept as text."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self._bad(key, required, self._fail(key, "an id string", value))
            return None
        return str(value)

    def integer(self, key: str, required: bool = False) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._bad(key, required, self._fail(key, "an integer", value))
            return None
        if isinstance(value, float):
            if not math.isfinite(value) or value != int(value):
                self._bad(key, required, self._fail(key, "an integer", value))
                return None
            value = int(value)
        if not _INT64_MIN <= value <= _INT64_MAX:  # the store keeps steps as int64; floats overflow
            self._bad(
                key,
                required,
                BadPayloadError(self.endpoint, "integer out of range", self._name(key)),
            )
            return None
        return value

    def number(self, key: str, required: bool = False) -> float | None:
        """A float; NaN and ±Infinity are kept (metrics may carry them)."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if isinstance(value, str) and value.strip().lower() in _NON_FINITE:
                return _NON_FINITE[value.strip().lower()]
            self._bad(key, required, self._fail(key, "a number", value))
            return None
        try:
            return float(value)
        except OverflowError:  # an int too large for a float (copysign would overflow too)
            return math.inf if value > 0 else -math.inf

    def timestamp(self, key: str, required: bool = False) -> datetime | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self._bad(key, required, self._fail(key, "an ISO-8601 timestamp", value))
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            if is_zero_time(value):
                return None  # Go's zero time: the server's way of saying "not set"
            self._bad(
                key,
                required,
                BadPayloadError(
                    self.endpoint, f"unreadable timestamp {value[:40]!r}", self._name(key)
                ),
            )
        return parsed

    def mapping(self, key: str) -> dict[str, Any]:
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._bad(key, False, self._fail(key, "an object", value))
            return {}
        return value

    def array(self, key: str, required: bool = False) -> list[Any]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "an array", value)
        return value

    def child(self, key: str) -> Fields | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, dict) and self.log is not None:
            self._bad(key, False, self._fail(key, "an object", value))
            return None
        return Fields(value, self.endpoint, self._name(key), self.log, top=False)

    def raw(self, key: str) -> Any:
        return self.obj.get(key)


_NON_FINITE = {
    "nan": math.nan,
    "infinity": math.inf,
    "-infinity": -math.inf,
    "inf": math.inf,
    "-inf": -math.inf,
}


def parse_timestamp(value: str) -> datetime | None:
    """ISO-8601 with ``Z`` or an offset and optional fractions; naive means UTC."""
    try:  # the common case first: "2026-06-04T02:45:20Z"
        quick = datetime.fromisoformat(value)
    except ValueError:
        quick = None
    if quick is not None and quick.tzinfo is UTC and 1 < quick.year < 9999:
        return quick
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        return None
    if not 1 < parsed.year < 9999:  # shown in the local zone later: keep a day's margin
        return None
    return parsed


def is_zero_time(value: str) -> bool:
    """``0001-01-01T00:00:00Z`` and its spellings (with an offset, fractions)."""
    return value.strip().startswith("0001-01-01")


def unwrap_list(body: Any, endpoint: str, *keys: str) -> list[Any]:
    """A list may come bare or wrapped in an object under one of ``keys``."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in keys:
            value = body.get(key)
            if isinstance(value, list):
                return value
    raise BadPayloadError(
        endpoint, f"expected a list (bare or under {', '.join(keys)}), got {_kind(body)}"
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
