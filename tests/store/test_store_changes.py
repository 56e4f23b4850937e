"""ChangeSet: what changed, as a value; ChangeTracker: collects it until the UI drains."""

from __future__ import annotations

import pytest

from axom_tui.store import ChangeSet, ChangeTracker, FeedKind, GlobalAspect, RunAspect
from axom_tui.store.vocab import GLOBAL_FEEDS, ONCE_FEEDS, RUN_FEEDS

R, G = RunAspect, GlobalAspect


def test_an_empty_change_set_is_false_and_equal_to_any_other_empty_one():
    assert not ChangeSet()
    assert ChangeSet() == ChangeSet({"a": set()}, ())  # a run with no aspects is no change
    assert ChangeSet({"a": {R.LOGS}}) and ChangeSet(globals={G.CONNECTION})


def test_queries_name_runs_and_aspects():
    changes = ChangeSet(
        {"a": {R.JOB, R.METRICS}, "b": {R.LOGS}, "c": {R.METRICS, R.HEALTH}}, {G.LIST}
    )
    assert changes.run("a") == {R.JOB, R.METRICS}
    assert changes.run("zzz") == frozenset() and changes.run(None) == frozenset()
    assert changes.run_ids == {"a", "b", "c"}
    assert changes.runs_with(R.METRICS) == {"a", "c"}
    assert changes.runs_with(R.LOGS, R.HEALTH) == {"b", "c"}
    assert changes.runs_with(R.RESULT) == frozenset()
    assert changes.runs_with() == {"a", "b", "c"}
    assert changes.globals == {G.LIST}
    assert dict(changes.items()) == {
        "a": {R.JOB, R.METRICS},
        "b": {R.LOGS},
        "c": {R.METRICS, R.HEALTH},
    }


def test_union_merges_per_run_and_global_aspects_and_leaves_both_sides_alone():
    a = ChangeSet({"x": {R.JOB}, "y": {R.LOGS}}, {G.LIST})
    b = ChangeSet({"x": {R.METRICS}, "z": {R.RESULT}}, {G.CONNECTION})
    merged = a | b
    assert merged == ChangeSet(
        {"x": {R.JOB, R.METRICS}, "y": {R.LOGS}, "z": {R.RESULT}}, {G.LIST, G.CONNECTION}
    )
    assert a == ChangeSet({"x": {R.JOB}, "y": {R.LOGS}}, {G.LIST})  # unchanged
    assert b.run("x") == {R.METRICS}
    assert a | ChangeSet() == a and ChangeSet() | b == b


def test_a_change_set_cannot_be_changed():
    runs = {"a": {R.JOB}}
    changes = ChangeSet(runs)
    runs["a"].add(R.LOGS)  # the caller's own set: the change set took a copy
    runs["b"] = {R.LOGS}
    assert changes == ChangeSet({"a": {R.JOB}})
    with pytest.raises(AttributeError):
        changes.globals = frozenset({G.LIST})  # type: ignore[misc]
    with pytest.raises(TypeError):
        changes._runs["c"] = frozenset({R.LOGS})  # type: ignore[index]
    assert hash(changes) == hash(ChangeSet({"a": {R.JOB}}))


def test_tracker_drains_one_change_set_and_calls_back_once_per_burst():
    calls: list[int] = []
    tracker = ChangeTracker()
    tracker.set_callback(lambda: calls.append(1))
    tracker.mark_run("a", R.METRICS)
    tracker.mark_run("a", R.METRICS)
    tracker.mark_run("a", R.LOGS)
    tracker.mark_global(G.MODELS)
    assert calls == [1] and tracker.dirty
    assert tracker.drain() == ChangeSet({"a": {R.METRICS, R.LOGS}}, {G.MODELS})
    assert not tracker.dirty and tracker.drain() == ChangeSet()
    tracker.mark_global(G.CONNECTION)
    assert calls == [1, 1]


def test_a_drained_change_set_does_not_see_later_marks():
    tracker = ChangeTracker()
    tracker.mark_run("a", R.JOB)
    first = tracker.drain()
    tracker.mark_run("a", R.LOGS)
    assert first == ChangeSet({"a": {R.JOB}})


def test_the_vocabulary_is_one_set_of_words():
    assert FeedKind.LIST == "list" and str(FeedKind.LIST) == "list"  # the job list's feed
    assert set(GLOBAL_FEEDS) | set(RUN_FEEDS) | set(ONCE_FEEDS) == set(FeedKind)
    assert all(kind.is_global for kind in GLOBAL_FEEDS)
    assert not any(kind.is_global for kind in RUN_FEEDS)
    # each run feed fills the run aspect of the same name; the job list the LIST aspect
    assert {RunAspect(kind.value) for kind in RUN_FEEDS} == set(RunAspect) - {R.HEALTH}
    assert {GlobalAspect(kind.value) for kind in GLOBAL_FEEDS} == set(GlobalAspect) - {
        G.CONNECTION,
        G.HEALTH,
    }
