"""Bytes on disk: metric blocks, log blocks, label runs and records.

Metric points are stored as *blocks*: up to :data:`BLOCK_POINTS` consecutive points of
one run, column by column (steps as deltas, then each metric as raw float64), each
column byte-shuffled (byte 0 of every value, then byte 1, ...) and the whole block
deflated once. Shuffling puts the sign/exponent bytes of a column side by side, where
they repeat, so deflate finds them; the mantissa bytes stay as they are. Nothing is
rounded: a value read back has the bits it was written with (NaN payloads too).
Measured on noisy full-precision series: ~6.3 bytes per float64, under 1 byte per
step, so ~32 bytes per point with every field, against 48 + per-row overhead for a
row per point. After the columns, the points' times as the store keeps them (layout
2; see :mod:`axom_tui.history.point_times`): the block's lines (24 B each, a few per
block) and one signed byte per point, deflated (a steady run's residuals repeat).
A layout 1 block (before times were kept) reads back with its points unstamped.

Records (job, events, result, models, log lines) are JSON, deflated: they are small,
read whole, and their shape follows the API's dataclasses (unknown keys are ignored
on the way back, missing ones take the dataclass default).
"""

from __future__ import annotations

import dataclasses
import json
import math
import struct
import zlib
from array import array
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import accumulate, pairwise
from typing import Any, TypeVar

from axom_tui.api.records import Event, Job, LogLine, Model, Result
from axom_tui.base.sanitize import has_secrets, redact_secrets
from axom_tui.history import point_times
from axom_tui.store.step_times import StepTimes

#: Metric columns in the order they are stored (the store's METRIC_COLUMNS).
COLUMNS = ("loss", "grad_norm", "lr", "throughput", "vram_gb")
#: Points per metric block: big enough to deflate well, small enough that rewriting
#: the last (growing) block after each poll costs about a millisecond.
BLOCK_POINTS = 2048
#: Log lines per log block.
LOG_BLOCK_LINES = 512
DEFLATE_LEVEL = 6

_BLOCK_HEADER = struct.Struct("<BI")  # codec version, point count
_PLANE = struct.Struct("<BI")  # deflated?, byte length
_TIMES = struct.Struct("<ddI")  # quantum, max_error, line count
_BLOCK_CODEC = 2
_UNTIMED_CODEC = 1  # the columns alone (layout 1 files)


class CodecError(ValueError):
    """Bytes that do not decode: a damaged cache file."""


# ---------------------------------------------------------------- metric blocks


@dataclasses.dataclass(slots=True)
class MetricRows:
    """Points of one run, columnar, sorted by step, unique steps, and their times (lines
    of their own steps only: see :mod:`axom_tui.history.point_times`)."""

    steps: array[int]  # 'q'
    columns: list[array[float]]  # one 'd' array per name in COLUMNS
    times: StepTimes = dataclasses.field(default_factory=StepTimes)

    def __post_init__(self) -> None:
        self.times.pad(len(self.steps))  # none given: the points are unstamped

    def __len__(self) -> int:
        return len(self.steps)

    @classmethod
    def empty(cls) -> MetricRows:
        return cls(array("q"), [array("d") for _ in COLUMNS])

    def slice(self, start: int, end: int) -> MetricRows:
        return MetricRows(
            self.steps[start:end],
            [c[start:end] for c in self.columns],
            point_times.clip(self.times, self.steps, start, end),
        )

    def extend(self, other: MetricRows) -> None:
        self.steps.extend(other.steps)
        for mine, theirs in zip(self.columns, other.columns):
            mine.extend(theirs)
        self.times = point_times.concat(self.times, other.times)


def _planes(values: bytes) -> list[bytes]:
    """Byte ``i`` of every 8-byte value, for i in 0..7."""
    return [values[i::8] for i in range(8)]


def _pack_planes(values: bytes, out: list[bytes], deflate: bool) -> None:
    """Each byte plane deflated when that pays (sign, exponent and top mantissa bits),
    stored as it is otherwise (the low mantissa bytes of a noisy value are noise)."""
    for plane in _planes(values):
        packed = zlib.compress(plane, DEFLATE_LEVEL) if deflate else plane
        if deflate and len(packed) < len(plane) * 0.95:
            out += [_PLANE.pack(1, len(packed)), packed]
        else:
            out += [_PLANE.pack(0, len(plane)), plane]


def _unpack_planes(raw: bytes, offset: int, count: int, width: int = 8) -> tuple[bytearray, int]:
    values = bytearray(width * count)
    for i in range(width):
        deflated, size = _PLANE.unpack_from(raw, offset)
        offset += _PLANE.size
        plane = raw[offset : offset + size]
        offset += size
        if deflated:
            plane = zlib.decompress(plane)
        if len(plane) != count:
            raise CodecError("metric block plane of the wrong length")
        values[i::width] = plane
    return values, offset


def encode_block(rows: MetricRows, deflate: bool = True) -> bytes:
    """One block of points (at most a few thousand) → bytes.

    ``deflate=False`` for the growing last block of a live run: it is rewritten after
    every poll, so it stays plain (a copy) until it is full and is deflated once.
    """
    count = len(rows.steps)
    steps = rows.steps
    deltas = array("q", [steps[0]] if count else [])
    deltas.extend(b - a for a, b in pairwise(steps))
    parts = [_BLOCK_HEADER.pack(_BLOCK_CODEC, count)]
    _pack_planes(_little(deltas), parts, deflate)
    for column in rows.columns:
        _pack_planes(_little(column), parts, deflate)
    times = rows.times
    parts.append(_TIMES.pack(times.quantum, times.max_error, len(times.seg_steps)))
    parts += [_little(times.seg_steps), _little(times.seg_secs), _little(times.seg_slopes)]
    packed = zlib.compress(times.residuals.tobytes(), DEFLATE_LEVEL) if deflate else b""
    if deflate and len(packed) < len(times.residuals):
        parts += [_PLANE.pack(1, len(packed)), packed]
    else:
        parts += [_PLANE.pack(0, len(times.residuals)), times.residuals.tobytes()]
    return b"".join(parts)


def decode_block(data: bytes) -> MetricRows:
    try:
        version, count = _BLOCK_HEADER.unpack_from(data)
        if version not in (_BLOCK_CODEC, _UNTIMED_CODEC):
            raise CodecError(f"metric block of an unknown layout ({version})")
        offset = _BLOCK_HEADER.size
        raw, offset = _unpack_planes(data, offset, count)
        steps = _steps_from(_from_little("q", raw))
        columns = []
        for _ in COLUMNS:
            raw, offset = _unpack_planes(data, offset, count)
            columns.append(_from_little("d", raw))
        if version == _BLOCK_CODEC:
            times, offset = _decode_times(data, offset, count)
        else:
            times = point_times.unstamped(count)
    except (zlib.error, struct.error) as exc:
        raise CodecError(f"unreadable metric block: {exc}") from None
    if offset != len(data):
        raise CodecError("metric block with trailing bytes")
    return MetricRows(steps, columns, times)


def _decode_times(data: bytes, offset: int, count: int) -> tuple[StepTimes, int]:
    times = StepTimes()
    times.quantum, times.max_error, lines = _TIMES.unpack_from(data, offset)
    offset += _TIMES.size
    size = 8 * lines
    for name, code in (("seg_steps", "q"), ("seg_secs", "d"), ("seg_slopes", "d")):
        if offset + size > len(data):
            raise CodecError("metric block times cut short")
        setattr(times, name, _from_little(code, data[offset : offset + size]))
        offset += size
    raw, offset = _unpack_planes(data, offset, count, width=1)
    times.residuals = array("b", bytes(raw))
    if not math.isfinite(times.quantum) or times.quantum <= 0:
        raise CodecError("metric block times with a bad quantum")
    return times, offset


def _steps_from(deltas: array[int]) -> array[int]:
    if len(deltas) > 2:
        first, spacing = deltas[0], deltas[1]
        if deltas[1:] == array("q", [spacing]) * (len(deltas) - 1):  # evenly spaced
            return array("q", range(first, first + spacing * len(deltas), spacing))
    return array("q", accumulate(deltas))


def bad_losses(rows: MetricRows) -> int:
    """Points whose loss is NaN or infinite (the store counts them)."""
    return sum(1 for value in rows.columns[0] if not math.isfinite(value))


def _little(values: array[Any]) -> bytes:
    if values.itemsize != 8:
        values = array("q" if values.typecode in "bBhHiIlLqQ" else "d", values)
    if _BIG_ENDIAN:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_little(typecode: str, raw: bytes | bytearray) -> array[Any]:
    values = array(typecode)
    values.frombytes(raw)
    if _BIG_ENDIAN:
        values.byteswap()
    return values


_BIG_ENDIAN = array("H", [1]).tobytes() == b"\x00\x01"


def merge_rows(old: MetricRows, new: MetricRows) -> MetricRows:
    """``old`` and ``new`` together by step; ``new`` wins where both hold a step."""
    if not len(old):
        return new
    if not len(new):
        return old
    if new.steps[0] > old.steps[-1]:  # the common case: points after those held
        merged = MetricRows(
            array("q", old.steps),
            [array("d", c) for c in old.columns],
            point_times.clip(old.times, old.steps, 0, len(old)),
        )
        merged.extend(new)
        return merged
    by_step: dict[int, int] = {step: i for i, step in enumerate(old.steps)}
    fresh = {step: i for i, step in enumerate(new.steps)}
    order = sorted(by_step.keys() | fresh.keys())
    chosen = [(1, fresh[s]) if s in fresh else (0, by_step[s]) for s in order]
    out = MetricRows.empty()
    out.steps.extend(order)
    for k, column in enumerate(out.columns):
        sources = (old.columns[k], new.columns[k])
        column.extend(sources[source][i] for source, i in chosen)
    out.times = point_times.pick([(old.times, old.steps), (new.times, new.steps)], chosen)
    return out


# ---------------------------------------------------------------- labels


@dataclasses.dataclass(frozen=True, slots=True)
class LabelRuns:
    """A run's (cycle, phase) segments and resume points, as the store keeps them."""

    starts: tuple[int, ...] = ()
    cycles: tuple[int, ...] = ()
    phases: tuple[int, ...] = ()
    phase_names: tuple[str, ...] = ()
    resume_points: tuple[int, ...] = ()


def encode_labels(labels: LabelRuns) -> bytes:
    return _deflate_json(
        {
            "starts": labels.starts,
            "cycles": labels.cycles,
            "phases": labels.phases,
            "names": labels.phase_names,
            "resume": labels.resume_points,
        }
    )


def decode_labels(data: bytes) -> LabelRuns:
    body = _inflate_json(data)
    try:
        starts = tuple(int(v) for v in body["starts"])
        cycles = tuple(int(v) for v in body["cycles"])
        phases = tuple(int(v) for v in body["phases"])
        names = tuple(str(v) for v in body["names"])
        resume = tuple(int(v) for v in body.get("resume", ()))
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"unreadable labels: {exc}") from None
    if not len(starts) == len(cycles) == len(phases):
        raise CodecError("labels of uneven lengths")
    return LabelRuns(starts, cycles, phases, names, resume)


# ---------------------------------------------------------------- records

R = TypeVar("R")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    return value


def _revive(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1 and "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    return value


def record_dict(record: Any) -> dict[str, Any]:
    """A frozen API record as JSON-ready data (datetimes tagged, defaults left out).

    Fields outside the record's equality (a parse's ``issues`` counts) describe one answer,
    not the run, and stay out of the cache."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        if not f.compare:
            continue
        value = getattr(record, f.name)
        if f.default is not dataclasses.MISSING and _same_value(value, f.default):
            continue
        out[f.name] = _plain(value)
    return out


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def record_from(cls: type[R], data: Any) -> R:
    if not isinstance(data, dict):
        raise CodecError(f"expected an object for {cls.__name__}")
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**{k: _revive(v) for k, v in data.items() if k in names})
    except (TypeError, ValueError) as exc:
        raise CodecError(f"unreadable {cls.__name__}: {exc}") from None


def _json_bytes(value: Any) -> bytes:
    """Compact JSON; the process's secrets (the API key, should server text echo it) are
    replaced on the way to the disk, as on the way to the screen (``sanitize``)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return redact_secrets(text).encode() if has_secrets() else text.encode()


def _deflate_json(value: Any) -> bytes:
    return zlib.compress(_json_bytes(value), DEFLATE_LEVEL)


def _inflate_json(data: bytes) -> Any:
    try:
        return json.loads(zlib.decompress(data))
    except (zlib.error, ValueError) as exc:
        raise CodecError(f"unreadable record: {exc}") from None


def encode_job(job: Job) -> bytes:
    return _deflate_json(record_dict(job))


def decode_job(data: bytes) -> Job:
    return record_from(Job, _inflate_json(data))


def encode_result(result: Result) -> bytes:
    return _deflate_json(record_dict(result))


def decode_result(data: bytes) -> Result:
    return record_from(Result, _inflate_json(data))


def _encode_records(records: Sequence[Any]) -> bytes:
    return _deflate_json([record_dict(record) for record in records])


def _decode_records(cls: type[R], data: bytes) -> list[R]:
    body = _inflate_json(data)
    if not isinstance(body, list):
        raise CodecError(f"{cls.__name__} records: expected a list")
    return [record_from(cls, item) for item in body]


def encode_events(events: Sequence[Event]) -> bytes:
    return _encode_records(events)


def decode_events(data: bytes) -> list[Event]:
    return _decode_records(Event, data)


def encode_models(models: Sequence[Model]) -> bytes:
    return _encode_records(models)


def decode_models(data: bytes) -> list[Model]:
    return _decode_records(Model, data)


def encode_strings(values: Iterable[str]) -> bytes:
    return _deflate_json(list(values))


def decode_strings(data: bytes) -> list[str]:
    body = _inflate_json(data)
    if not isinstance(body, list) or not all(isinstance(v, str) for v in body):
        raise CodecError("expected a list of strings")
    return body


def encode_log_block(lines: Sequence[LogLine], deflate: bool = True) -> bytes:
    """Log lines as JSON rows; deflated unless it is a growing last block."""
    body = _json_bytes(
        [
            [line.seq, line.text, line.stream, line.ts.isoformat() if line.ts else None]
            for line in lines
        ]
    )
    return b"Z" + zlib.compress(body, DEFLATE_LEVEL) if deflate else b"J" + body


def decode_log_block(data: bytes) -> list[LogLine]:
    try:
        raw = zlib.decompress(data[1:]) if data[:1] == b"Z" else data[1:]
        body = json.loads(raw) if data[:1] in (b"Z", b"J") else None
    except (zlib.error, ValueError) as exc:
        raise CodecError(f"unreadable log block: {exc}") from None
    if not isinstance(body, list):
        raise CodecError("unreadable log block")
    try:
        return [
            LogLine(
                seq=int(seq),
                text=str(text),
                stream=str(stream),
                ts=datetime.fromisoformat(ts) if ts else None,
            )
            for seq, text, stream, ts in body
        ]
    except (TypeError, ValueError) as exc:
        raise CodecError(f"unreadable log block: {exc}") from None
