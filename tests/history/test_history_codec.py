"""Bytes on disk: metric blocks, labels, records and log blocks read back exactly."""

from __future__ import annotations

import math
import struct
from array import array

import pytest
from hypothesis import given, settings, strategies as st

from axom_tui.api.records import Event, Model
from axom_tui.history import codec
from axom_tui.history.codec import COLUMNS, CodecError, MetricRows
from axom_tui.history.restore import rows_of
from axom_tui.store.metric_series import MetricSeries
from history_helpers import events, job, lines, points, result

BITS = st.integers(min_value=0, max_value=2**64 - 1)  # any float64 bit pattern, NaNs too


def as_float(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def bits_of(column: array) -> list[int]:
    return list(array("Q", column.tobytes()))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.integers(min_value=-(2**62), max_value=2**62), min_size=1, max_size=300, unique=True
    ),
    st.data(),
    st.booleans(),
)
def test_block_round_trip_is_bit_exact(steps, data, deflate):
    steps = sorted(steps)
    columns = [array("d", [as_float(data.draw(BITS)) for _ in steps]) for _ in COLUMNS]
    rows = MetricRows(array("q", steps), columns)
    back = codec.decode_block(codec.encode_block(rows, deflate=deflate))
    assert list(back.steps) == steps
    for mine, theirs in zip(columns, back.columns):
        assert bits_of(theirs) == bits_of(mine)  # NaN payloads, -0.0 and inf included


def test_evenly_spaced_steps_take_the_fast_path_and_stay_exact():
    rows = MetricRows(
        array("q", range(10, 10 + 7 * 2048, 7)),
        [array("d", [i / 3 for i in range(2048)]) for _ in COLUMNS],
    )
    back = codec.decode_block(codec.encode_block(rows))
    assert back.steps == rows.steps and back.columns == rows.columns


def test_damaged_block_raises_codec_error():
    data = bytearray(
        codec.encode_block(
            MetricRows(array("q", [1, 2]), [array("d", [1.0, 2.0]) for _ in COLUMNS])
        )
    )
    with pytest.raises(CodecError):
        codec.decode_block(bytes(data[:-3]))
    data[0] = 99
    with pytest.raises(CodecError):
        codec.decode_block(bytes(data))


def test_merge_rows_new_values_win_and_order_holds():
    old = MetricRows(array("q", [1, 2, 3, 5]), [array("d", [1.0, 2.0, 3.0, 5.0]) for _ in COLUMNS])
    new = MetricRows(array("q", [3, 4, 6]), [array("d", [30.0, 40.0, 60.0]) for _ in COLUMNS])
    merged = codec.merge_rows(old, new)
    assert list(merged.steps) == [1, 2, 3, 4, 5, 6]
    assert list(merged.columns[0]) == [1.0, 2.0, 30.0, 40.0, 5.0, 60.0]


def test_records_round_trip_with_datetimes_and_nan():
    j = job(hyperparams={"lr": 1e-4, "weird": [1, {"a": None}]}, error="boom")
    assert codec.decode_job(codec.encode_job(j)) == j
    r = result()
    assert codec.decode_result(codec.encode_result(r)) == r
    ev = events("submitted", "status", "checkpoint") + [Event("odd", None, {"x": float("inf")})]
    back = codec.decode_events(codec.encode_events(ev))
    assert back == ev
    models = [Model(id="m1", name="n", job_id="run-1", params=3)]
    assert codec.decode_models(codec.encode_models(models)) == models


def test_labels_round_trip():
    labels = codec.LabelRuns((1, 30, 1000), (1, 1, 2), (0, 1, 0), ("grow", "train"), (400,))
    assert codec.decode_labels(codec.encode_labels(labels)) == labels


@pytest.mark.parametrize("deflate", [True, False])
def test_log_blocks_round_trip(deflate):
    ls = lines(1, 50)
    assert codec.decode_log_block(codec.encode_log_block(ls, deflate=deflate)) == ls


def test_bad_losses_counts_nan_and_inf():
    rows = MetricRows(
        array("q", [1, 2, 3, 4]),
        [array("d", [1.0, math.nan, math.inf, -math.inf])]
        + [array("d", [0.0] * 4) for _ in COLUMNS[1:]],
    )
    assert codec.bad_losses(rows) == 3


def test_a_record_with_a_field_left_empty_is_cached_as_its_data_alone():
    # The parse's counts travel with the record to the store; before, the writer tried to
    # put them into JSON too and crashed (TypeError) on the first job with a bad field.
    from axom_tui.api.records import parse_job

    raw = {
        "id": "run-9",
        "name": "falcon",
        "status": "running",
        "created_at": "2026-11-01T00:00:00Z",
        "started_at": "yesterday",
        "retries": "2",
    }
    parsed = parse_job(raw, "/jobs/run-9")
    assert not parsed.issues.clean  # the case under test: a record that carries counts
    back = codec.decode_job(codec.encode_job(parsed))
    assert back == parsed
    assert back.issues.clean  # counts belong to one answer, not to the cache


def _timed_rows(first: int, last: int, seed: int) -> tuple[MetricRows, MetricSeries]:
    """Rows cut from a store series fed stamped points (two attempts' worth of lines)."""
    series = MetricSeries()
    series.merge(points(first, last, seed=seed))
    return rows_of(series), series


def _times(rows: MetricRows) -> list[float | None]:
    return [rows.times.at(i, s) for i, s in enumerate(rows.steps)]


@pytest.mark.parametrize("deflate", [True, False])
def test_block_times_round_trip_as_the_store_kept_them(deflate):
    rows, series = _timed_rows(1, 2048, seed=0)
    back = codec.decode_block(codec.encode_block(rows, deflate=deflate))
    want = [series.time_at(s) for s in series.steps]
    assert all(t is not None for t in want)
    assert all(abs(a - b) < 1e-6 for a, b in zip(_times(back), want, strict=True))
    assert back.times.quantum == series.times.quantum


def test_a_layout_1_block_reads_back_unstamped():
    rows, _ = _timed_rows(1, 100, seed=0)
    data = codec.encode_block(rows)
    cut = data.rindex(
        struct.pack("<ddI", rows.times.quantum, rows.times.max_error, len(rows.times.seg_steps))
    )
    old = struct.pack("<BI", 1, 100) + data[5:cut]
    back = codec.decode_block(old)
    assert back.columns == rows.columns and _times(back) == [None] * 100


def test_merge_rows_and_slices_keep_each_points_time():
    old, old_series = _timed_rows(1, 3000, seed=1)
    new, new_series = _timed_rows(2001, 3200, seed=2)  # re-sent an hour later
    merged = codec.merge_rows(old, new)
    want = [old_series.time_at(s) for s in range(1, 2001)]
    want += [new_series.time_at(s) for s in range(2001, 3201)]
    assert all(abs(a - b) < 1e-6 for a, b in zip(_times(merged), want, strict=True))
    parts = [merged.slice(a, a + 2048) for a in range(0, len(merged), 2048)]
    joined = MetricRows.empty()
    for part in parts:
        joined.extend(codec.decode_block(codec.encode_block(part)))
    assert all(abs(a - b) < 1e-6 for a, b in zip(_times(joined), want, strict=True))
