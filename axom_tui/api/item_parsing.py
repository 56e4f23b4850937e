"""Reading a list answer item by item: a bad item is skipped and counted, the rest kept.

Also what keeps a big account's polls light: the quick path for metric points (a point
whose fields all have their usual types is built without the careful reader, about three
times faster), and :class:`ItemMemo`, which hands back the record of an item whose JSON
is the same as last time (a list of 4,800 models, one of them new, was parsed whole each
time a run finished). And the list envelope's ``next`` cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from axom_tui.api.errors import BadPayloadError
from axom_tui.api.fields import parse_timestamp
from axom_tui.api.issues import IssueLog

T = TypeVar("T")
NAN = float("nan")


#: What a per-item parse may raise for one malformed item (besides BadPayloadError): the
#: item is skipped, the rest of the answer is used.
_ITEM_ERRORS = (
    BadPayloadError,
    RecursionError,
    ValueError,
    TypeError,
    AttributeError,
    OverflowError,
)


def each_item(
    items: list[Any],
    log: IssueLog,
    parse_one: Callable[[Any, str], T],
    where: str = "",
    endpoint: str = "",
) -> list[T]:
    """``parse_one(raw, where)`` for each item; a malformed one is skipped and counted.
    When every item is malformed the answer cannot be read at all: BadPayloadError (the
    poll fails and what is held stays, rather than a list of nothing replacing it)."""
    out = []
    for i, raw in enumerate(items):
        name = f"{where}[{i}]"
        try:
            out.append(parse_one(raw, name))
        except BadPayloadError as exc:
            log.item(exc.field or name, exc.message.removeprefix("bad payload").split(": ", 1)[-1])
        except _ITEM_ERRORS as exc:
            log.item(name, f"unreadable ({type(exc).__name__})")
    if items and not out:
        raise BadPayloadError(
            endpoint,
            f"none of its {len(items)} items could be read (first: {log.first})",
            where or None,
        )
    return out


def usable(values: dict[str, Any], log: IssueLog, endpoint: str, *ignore: str) -> None:
    """A record answer of which nothing could be read (every field it had was bad) cannot
    be read at all: BadPayloadError."""
    if not log.clean and all(v is None for k, v in values.items() if k not in ignore):
        raise BadPayloadError(endpoint, f"nothing in it could be read (first: {log.first})")


_POINT_FLOATS = ("loss", "grad_norm", "lr", "throughput", "vram_gb")
_INT64 = 2**63


def point_fast(raw: Any, make: Callable[..., T]) -> T | None:
    """A point whose every field has its usual type, read without :class:`Fields` (a third
    of the time; points are most of what a big account's polls parse). None: anything
    unusual, which the careful path reads (and counts)."""
    if type(raw) is not dict:
        return None
    step, cycle, phase, ts = raw.get("step"), raw.get("cycle"), raw.get("phase"), raw.get("ts")
    if type(step) is not int or not -_INT64 <= step < _INT64:
        return None
    if cycle is not None and (type(cycle) is not int or not -_INT64 <= cycle < _INT64):
        return None
    if phase is not None and type(phase) is not str:
        return None
    values: list[float] = []
    for name in _POINT_FLOATS:
        value = raw.get(name)
        kind = type(value)
        if kind is float:
            values.append(cast(float, value))
        elif value is None:
            values.append(NAN)
        elif kind is int and -_INT64 <= value < _INT64:
            values.append(float(value))
        else:
            return None
    when = None
    if ts is not None:
        when = parse_timestamp(ts) if type(ts) is str else None
        if when is None:
            return None
    return make(step, values[0], values[1], values[2], values[3], values[4], cycle, phase, when)


def next_cursor(body: Any) -> str | None:
    """An envelope's ``next``: an opaque cursor (a string, or a number kept as text)."""
    if not isinstance(body, dict):
        return None
    value = body.get("next")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value)[:4096]


class ItemMemo:
    """Records of the last answers by id, with the JSON each came from: an item whose JSON
    is equal to what it was is not parsed again (comparing is several times cheaper).
    Only records that parsed cleanly are kept (a record with issues is read again, so
    that they are counted each time)."""

    def __init__(self, cap: int = 200_000) -> None:
        self.cap = cap
        self._by_id: dict[str, tuple[dict[str, Any], Any]] = {}

    def get(self, raw: Any) -> Any | None:
        if type(raw) is not dict:
            return None
        key = raw.get("id")
        hit = self._by_id.get(key) if type(key) is str else None
        return hit[1] if hit is not None and hit[0] == raw else None

    def put(self, raw: Any, record: Any) -> None:
        key = raw.get("id") if type(raw) is dict else None
        if type(key) is not str:
            return
        if len(self._by_id) >= self.cap and key not in self._by_id:
            self._by_id.pop(next(iter(self._by_id)))
        self._by_id[key] = (raw, record)
