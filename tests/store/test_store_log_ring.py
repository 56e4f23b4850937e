"""LogRing: dedupe by seq, bounded by cap, eviction counted."""

from __future__ import annotations

import pytest

from axom_tui.api.records import LogLine
from axom_tui.store import LogRing


def lines(*seqs: int) -> list[LogLine]:
    return [LogLine(seq=s, text=f"line {s}") for s in seqs]


def test_append_returns_only_new_lines_and_ignores_repeats():
    ring = LogRing(cap=100)
    assert [l.seq for l in ring.append(lines(1, 2, 3))] == [1, 2, 3]
    assert [l.seq for l in ring.append(lines(2, 3, 4, 5))] == [4, 5]
    assert ring.append(lines(1, 5)) == []
    assert [l.seq for l in ring] == [1, 2, 3, 4, 5]
    assert ring.last_seq == 5 and ring.received == 5 and ring.dropped == 0


def test_batch_out_of_order_and_duplicated_within_itself():
    ring = LogRing(cap=100)
    assert [l.seq for l in ring.append(lines(3, 1, 2, 2))] == [1, 2, 3]
    assert [l.seq for l in ring] == [1, 2, 3]


def test_cap_evicts_oldest_and_counts_dropped():
    ring = LogRing(cap=3)
    ring.append(lines(1, 2))
    ring.append(lines(3, 4, 5))
    assert [l.seq for l in ring] == [3, 4, 5]
    assert ring.dropped == 2 and ring.received == 5 and len(ring) == 3
    big = ring.append(lines(*range(6, 16)))
    assert [l.seq for l in big] == [13, 14, 15]  # only lines still held are reported
    assert ring.dropped == 12 and ring.tail(2)[-1].seq == 15


def test_resize_keeps_newest():
    ring = LogRing(cap=10)
    ring.append(lines(*range(1, 11)))
    ring.resize(4)
    assert [l.seq for l in ring] == [7, 8, 9, 10] and ring.dropped == 6 and ring.cap == 4
    with pytest.raises(ValueError):
        LogRing(cap=0)
