"""RunStore: applying responses, lineage, health, and coalesced change notification."""

from __future__ import annotations

from axom_tui.api.errors import ServerError
from axom_tui.api.records import (
    Event,
    Job,
    LogLine,
    LogsPage,
    MetricPoint,
    MetricsPage,
    Model,
    Overview,
    Result,
)
from axom_tui.store import ChangeSet, FeedKey, FeedKind, GlobalAspect, RunAspect, RunStore

R, G = RunAspect, GlobalAspect


def job(job_id: str, status: str = "running", **kw) -> Job:
    return Job(id=job_id, status=status, **kw)


def make_store() -> tuple[RunStore, list[int]]:
    calls: list[int] = []
    now = [100.0]
    store = RunStore(clock=lambda: now[0], log_cap=50)
    store.set_dirty_callback(lambda: calls.append(1))
    return store, calls


def test_apply_jobs_orders_newest_first_and_never_drops_runs():
    store, _ = make_store()
    store.apply_jobs([job("c"), job("b"), job("a")])
    assert store.order == ["c", "b", "a"]
    changes = store.apply_jobs([job("d", "queued"), job("c", "completed")])
    assert store.order == ["d", "c", "b", "a"]
    assert set(store.runs) == {"a", "b", "c", "d"}
    by_id = {c.job_id: c for c in changes}
    assert by_id["c"].status_changed and by_id["c"].before.status == "running"
    assert by_id["d"].before is None and not by_id["d"].status_changed
    assert store.apply_jobs([job("d", "queued")]) == []  # unchanged record: no change


def test_change_callback_fires_once_until_drained():
    store, calls = make_store()
    store.apply_jobs([job("a"), job("b")])
    store.apply_metrics("a", MetricsPage("a", 2, [MetricPoint(step=1), MetricPoint(step=2)]))
    store.apply_logs("a", LogsPage("a", 1, [LogLine(seq=1, text="hi")]))
    store.apply_overview(Overview(active_runs=2))
    assert calls == [1]
    changes = store.drain_changes()
    assert changes.run("a") == {R.JOB, R.METRICS, R.LOGS}
    assert changes.run("b") == {R.JOB}
    assert changes.globals == {G.LIST, G.OVERVIEW}
    assert store.drain_changes() == ChangeSet() and not store.has_changes
    store.apply_result("a", Result(job_id="a", ppl_final=3.0))
    assert calls == [1, 1]
    assert store.drain_changes() == ChangeSet({"a": {R.RESULT}})


def test_nothing_changes_means_no_notification_and_no_version_bump():
    store, calls = make_store()
    store.apply_jobs([job("a")])
    store.drain_changes()
    v = store.runs["a"].version
    page = MetricsPage("a", 1, [MetricPoint(step=1, loss=1.0)])
    store.apply_metrics("a", page)
    store.drain_changes()
    v1 = store.runs["a"].version
    assert v1 == v + 1
    store.apply_metrics("a", page)  # same data re-sent
    store.apply_logs("a", LogsPage("a", None, []))
    store.apply_events("a", [])
    assert store.runs["a"].version == v1 and not store.has_changes


def test_events_replace_and_result_and_models_lineage():
    store, _ = make_store()
    store.apply_events("a", [Event(kind="submitted")])
    store.apply_events(
        "a", [Event(kind="submitted"), Event(kind="status", payload={"to": "queued"})]
    )
    assert [e.kind for e in store.runs["a"].events] == ["submitted", "status"]
    store.apply_models(
        [
            Model(id="m2", job_id="a", version="v2"),
            Model(id="m1", job_id="a", version="v1"),
            Model(id="m0"),
        ]
    )
    assert store.model_for_job("a").id == "m2" and store.model_for_job("zzz") is None
    assert G.MODELS in store.drain_changes().globals


def test_errors_only_touch_health_and_keep_data():
    store, calls = make_store()
    store.apply_metrics("a", MetricsPage("a", 1, [MetricPoint(step=1, loss=0.5)]))
    store.drain_changes()
    key = FeedKey(FeedKind.METRICS, "a")
    store.record_error(key, ServerError("GET /jobs/{id}/metrics", 503, "busy"), now=5.0)
    store.record_error(key, ServerError("GET /jobs/{id}/metrics", 503, "busy"), now=6.0)
    health = store.runs["a"].feeds[FeedKind.METRICS]
    assert health.consecutive_errors == 2 and health.error_since == 5.0 and health.failing
    assert "503" in health.last_error and health.error_kind == "ServerError"
    assert store.drain_changes() == ChangeSet(
        {"a": {R.HEALTH}}
    )  # second identical error: no new change
    assert len(store.runs["a"].metrics) == 1
    store.record_ok(key, now=7.0)
    assert not health.failing and health.last_ok == 7.0 and health.consecutive_errors == 0
    assert store.drain_changes() == ChangeSet({"a": {R.HEALTH}})
    store.record_ok(key, now=8.0)  # staying healthy is not a change
    assert not store.has_changes
    store.record_error(FeedKey(FeedKind.LIST), ServerError("GET /jobs", 500, "x"), now=9.0)
    assert store.global_feeds[FeedKind.LIST].failing
    assert store.drain_changes() == ChangeSet(globals={G.HEALTH})


def test_connection_changes_notify_only_on_state_change():
    store, _ = make_store()
    store.set_connection("live", last_success_at=1.0)
    assert store.drain_changes() == ChangeSet(globals={G.CONNECTION})
    store.set_connection("live", last_success_at=2.0)
    assert not store.has_changes and store.connection.last_success_at == 2.0
    store.set_connection("retrying", "HTTP 503", retry_at=10.0)
    assert store.connection.state == "retrying" and store.connection.retry_at == 10.0
    assert store.drain_changes() == ChangeSet(globals={G.CONNECTION})


def test_gone_keeps_data_and_log_cap_applies():
    store, _ = make_store()
    store.apply_logs("a", LogsPage("a", 60, [LogLine(seq=i, text="x") for i in range(60)]))
    assert len(store.runs["a"].logs) == 50 and store.runs["a"].logs.dropped == 10
    store.mark_gone("a")
    assert store.runs["a"].gone and len(store.runs["a"].logs) == 50
