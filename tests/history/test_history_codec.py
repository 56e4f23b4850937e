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
from history_helpers import events, job, lines, result

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
