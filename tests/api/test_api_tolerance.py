"""The contract's "Tolerance" section: what a real server may do that the simulator does not."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from api_helpers import Router, raw_response
from axom_tui.api import AxomClient
from axom_tui.api.records import Job
from contract_examples import EVENTS, JOB, JOB_ID, LOGS, MANIFEST, METRICS, MODELS, RESULT, USAGE


async def test_unknown_fields_are_ignored_everywhere(client: AxomClient, router: Router) -> None:
    extra = {"x_new_field": {"nested": [1, 2]}, "priority": "high"}
    router.json("/jobs", {"jobs": [dict(JOB, **extra)], "next_cursor": "abc", "total": 1})
    router.json(f"/jobs/{JOB_ID}", dict(JOB, **extra))
    router.json(
        f"/jobs/{JOB_ID}/metrics",
        dict(METRICS, **extra, points=[dict(METRICS["points"][0], **extra)]),
    )
    router.json(
        f"/jobs/{JOB_ID}/logs", dict(LOGS, **extra, lines=[dict(LOGS["lines"][0], **extra)])
    )
    router.json(f"/jobs/{JOB_ID}/events", [dict(e, **extra) for e in EVENTS])
    router.json(f"/jobs/{JOB_ID}/result", dict(RESULT, **extra))
    router.json("/models", [dict(MODELS[0], **extra)])
    mid = MODELS[0]["id"]
    router.json(
        f"/models/{mid}/download",
        dict(MANIFEST, **extra, files=[dict(MANIFEST["files"][0], **extra)]),
    )
    router.json("/usage", dict(USAGE, **extra, buckets=[dict(USAGE["buckets"][0], **extra)]))

    assert (await client.list_jobs())[0].id == JOB_ID
    assert (await client.get_job(JOB_ID)).latest_step == 2310
    assert (await client.get_metrics(JOB_ID)).points[0].step == 620
    assert (await client.get_logs(JOB_ID)).lines[0].seq == 1841
    assert len(await client.get_events(JOB_ID)) == len(EVENTS)
    assert (await client.get_result(JOB_ID)).ppl_final == 324.0
    assert (await client.list_models())[0].job_id == JOB_ID
    assert (await client.get_manifest(mid)).files[0].size == 4718592000
    assert (await client.usage()).buckets[0].jobs == 2


async def test_job_with_only_id_and_status(client: AxomClient, router: Router) -> None:
    router.json("/jobs/j1", {"id": "j1", "status": "queued"})
    job = await client.get_job("j1")
    assert job == Job(id="j1", status="queued", type="unknown")
    assert job.retries == 0 and job.error is None and job.hyperparams == {}
    assert job.display_name == "j1"


async def test_job_optional_fields_null(client: AxomClient, router: Router) -> None:
    nulls = {k: None for k in JOB if k not in ("id", "status")}
    router.json("/jobs/j1", {"id": "j1", "status": "queued", **nulls})
    job = await client.get_job("j1")
    assert (
        job.retries,
        job.error,
        job.name,
        job.hyperparams,
        job.total_steps,
        job.latest_step,
        job.created_at,
        job.base_model_id,
    ) == (0, None, "", {}, None, None, None, None)


async def test_metric_point_optional_fields_missing_or_null(
    client: AxomClient, router: Router
) -> None:
    router.json(
        "/jobs/j1/metrics",
        {
            "points": [
                {"step": 1},
                {
                    "step": 2,
                    "loss": None,
                    "grad_norm": None,
                    "lr": None,
                    "throughput": None,
                    "vram_gb": None,
                    "cycle": None,
                    "phase": None,
                    "ts": None,
                },
            ]
        },
    )
    page = await client.get_metrics("j1")
    assert page.job_id == "j1" and page.latest_step is None
    for p in page.points:
        assert all(
            math.isnan(getattr(p, n)) for n in ("loss", "grad_norm", "lr", "throughput", "vram_gb")
        )
        assert p.cycle is None and p.phase is None and p.ts is None
    assert not page.more_waiting


async def test_pages_with_nothing_new(client: AxomClient, router: Router) -> None:
    router.json("/jobs/j1/metrics", {"job_id": "j1", "latest_step": 10, "points": []})
    router.json("/jobs/j1/logs", {"job_id": "j1", "latest_seq": None})
    assert (await client.get_metrics("j1")).points == []
    logs = await client.get_logs("j1")
    assert logs.lines == [] and logs.latest_seq is None


async def test_result_optional_fields_missing(client: AxomClient, router: Router) -> None:
    router.json("/jobs/j1/result", {"ppl_final": 10, "cost_usd": None})
    result = await client.get_result("j1")
    assert result.job_id == "j1" and result.ppl_final == 10.0
    assert result.cost_usd is None and result.params_delta is None


async def test_model_without_lineage(client: AxomClient, router: Router) -> None:
    router.json(
        "/models", [{"id": "m1"}, {"id": "m2", "lineage": None}, {"id": "m3", "lineage": {}}]
    )
    models = await client.list_models()
    assert [(m.id, m.job_id, m.name) for m in models] == [
        ("m1", None, ""),
        ("m2", None, ""),
        ("m3", None, ""),
    ]


@pytest.mark.parametrize(
    "wrap",
    [
        lambda items, key: items,
        lambda items, key: {key: items},
        lambda items, key: {"items": items},
        lambda items, key: {"data": items},
    ],
    ids=["bare", "named", "items", "data"],
)
async def test_lists_bare_or_wrapped(client: AxomClient, router: Router, wrap) -> None:
    router.json("/jobs", wrap([JOB], "jobs"))
    router.json("/models", wrap(MODELS, "models"))
    router.json(f"/jobs/{JOB_ID}/events", wrap(EVENTS, "events"))
    assert [j.id for j in await client.list_jobs()] == [JOB_ID]
    assert [m.id for m in await client.list_models()] == [MODELS[0]["id"]]
    assert len(await client.get_events(JOB_ID)) == len(EVENTS)


@pytest.mark.parametrize(
    "path, key",
    [
        ("/base-models", "items"),
        ("/datasets", "items"),
        ("/base-models", "base_models"),
        ("/datasets", "datasets"),
    ],
)
async def test_catalog_wrapped(client: AxomClient, router: Router, path: str, key: str) -> None:
    router.json(path, {key: [{"id": "a"}]})
    method = client.base_models if path == "/base-models" else client.datasets
    assert await method() == [{"id": "a"}]


async def test_ints_and_floats_interchangeable(client: AxomClient, router: Router) -> None:
    router.json(
        "/jobs/j1",
        {
            "id": "j1",
            "status": "running",
            "retries": 2.0,
            "total_steps": 6000.0,
            "latest_step": 2310,
        },
    )
    router.json(
        "/jobs/j1/metrics",
        {
            "latest_step": 1000.0,
            "points": [
                {
                    "step": 620.0,
                    "cycle": 1.0,
                    "loss": 1,
                    "lr": 0,
                    "throughput": 2,
                    "vram_gb": 24,
                    "grad_norm": 1,
                }
            ],
        },
    )
    router.json(
        "/jobs/j1/result",
        {
            "params_before": 1.54e9,
            "params_delta": -8.2e8,
            "ppl_final": 324,
            "gpu_seconds": 1418.5,
            "tokens_processed": 1536000.0,
        },
    )
    job = await client.get_job("j1")
    assert (job.retries, job.total_steps) == (2, 6000) and type(job.retries) is int
    page = await client.get_metrics("j1")
    p = page.points[0]
    assert (p.step, p.cycle, page.latest_step) == (620, 1, 1000)
    assert type(p.step) is int and type(p.loss) is float and p.loss == 1.0
    result = await client.get_result("j1")
    assert result.params_before == 1540000000 and type(result.params_before) is int
    assert result.params_delta == -820000000
    assert result.ppl_final == 324.0 and type(result.ppl_final) is float


async def test_nan_and_infinity_in_metrics_kept(client: AxomClient, router: Router) -> None:
    # JSON's non-standard NaN/Infinity literals, written out by hand
    body = (
        '{"job_id": "j1", "latest_step": 3, "points": ['
        '{"step": 1, "loss": NaN, "grad_norm": Infinity, "lr": 1e-4},'
        '{"step": 2, "loss": -Infinity, "grad_norm": 1e999, "throughput": "NaN"},'
        '{"step": 3, "loss": 0.5, "grad_norm": "Infinity", "vram_gb": "-inf"}]}'
    )
    router.add("/jobs/j1/metrics", raw_response(body))
    p1, p2, p3 = (await client.get_metrics("j1")).points
    assert math.isnan(p1.loss) and p1.grad_norm == math.inf and p1.lr == 1e-4
    assert p2.loss == -math.inf and p2.grad_norm == math.inf and math.isnan(p2.throughput)
    assert p3.loss == 0.5 and p3.grad_norm == math.inf and p3.vram_gb == -math.inf


async def test_huge_integer_in_a_float_field_becomes_infinity(
    client: AxomClient, router: Router
) -> None:
    huge = "1" + "0" * 400  # valid JSON integer, too large for a float
    router.add(
        "/jobs/j1/metrics",
        raw_response('{"points": [{"step": 1, "loss": %s, "grad_norm": -%s}]}' % (huge, huge)),
    )
    point = (await client.get_metrics("j1")).points[0]
    assert point.loss == math.inf and point.grad_norm == -math.inf


@pytest.mark.parametrize(
    "error, text",
    [
        ("CUDA out of memory", "CUDA out of memory"),
        ({"message": "CUDA out of memory", "code": "oom"}, "CUDA out of memory"),
        ({"detail": "dataset missing"}, "dataset missing"),
        ({"reason": "quota"}, "quota"),
        ("", None),
        (None, None),
    ],
)
async def test_error_string_or_object_is_readable_text(
    client: AxomClient, router: Router, error, text
) -> None:
    router.json("/jobs/j1", {"id": "j1", "status": "failed", "error": error})
    assert (await client.get_job("j1")).error == text


async def test_error_odd_shapes_still_text(client: AxomClient, router: Router) -> None:
    router.json("/jobs/j1", {"id": "j1", "status": "failed", "error": {"code": 17}})
    router.json("/jobs/j2", {"id": "j2", "status": "failed", "error": ["a", "b"]})
    router.json("/jobs/j3", {"id": "j3", "status": "failed", "error": 42})
    assert (await client.get_job("j1")).error == '{"code": 17}'
    assert (await client.get_job("j2")).error == '["a", "b"]'
    assert (await client.get_job("j3")).error == "42"


UTC = UTC


@pytest.mark.parametrize(
    "stamp, expected",
    [
        ("2026-06-04T02:45:20Z", datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)),
        ("2026-06-04T02:45:20+00:00", datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)),
        ("2026-06-04T02:45:20.123Z", datetime(2026, 6, 4, 2, 45, 20, 123000, tzinfo=UTC)),
        ("2026-06-04T02:45:20.123456+00:00", datetime(2026, 6, 4, 2, 45, 20, 123456, tzinfo=UTC)),
        (
            "2026-06-04T02:45:20.123456789Z",
            datetime(2026, 6, 4, 2, 45, 20, 123456, tzinfo=UTC),
        ),  # Go RFC3339Nano
        ("2026-06-04T02:45:20", datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)),  # naive means UTC
        ("2026-06-04T02:45:20.5", datetime(2026, 6, 4, 2, 45, 20, 500000, tzinfo=UTC)),
        ("2026-06-04T04:45:20+02:00", datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)),
        ("2026-06-04 02:45:20Z", datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)),
    ],
)
async def test_timestamp_forms(
    client: AxomClient, router: Router, stamp: str, expected: datetime
) -> None:
    router.json("/jobs/j1", {"id": "j1", "status": "running", "created_at": stamp})
    created = (await client.get_job("j1")).created_at
    assert created == expected
    assert created.utcoffset() == timedelta(0)


async def test_unknown_status_kept_as_is(client: AxomClient, router: Router) -> None:
    router.json("/jobs", [dict(JOB, status="paused_by_admin"), dict(JOB, status="cancelled")])
    jobs = await client.list_jobs()
    assert [j.status for j in jobs] == ["paused_by_admin", "cancelled"]
    assert not jobs[0].terminal


async def test_unknown_event_kind_and_non_object_payloads(
    client: AxomClient, router: Router
) -> None:
    router.json(
        "/jobs/j1/events",
        [
            {"ts": "2026-06-04T02:45:20Z", "kind": "autoscaled", "payload": {"gpus": 8}},
            {"ts": "2026-06-04T02:45:21Z", "kind": "note", "payload": "hello"},
            {"ts": "2026-06-04T02:45:22Z", "kind": "note", "payload": [1, 2]},
            {"ts": "2026-06-04T02:45:23Z", "kind": "note", "payload": 7},
            {"ts": "2026-06-04T02:45:24Z", "kind": "note", "payload": None},
            {"ts": "2026-06-04T02:45:25Z", "kind": "note"},
            {"payload": {}},
        ],
    )
    events = await client.get_events("j1")
    assert events[0].kind == "autoscaled" and events[0].payload == {"gpus": 8}
    assert [e.payload for e in events[1:6]] == [
        {"value": "hello"},
        {"value": [1, 2]},
        {"value": 7},
        {},
        {},
    ]
    assert all(isinstance(e.payload, dict) for e in events)
    assert events[6].kind == "unknown" and events[6].ts is None


async def test_id_given_as_number_kept_as_text(client: AxomClient, router: Router) -> None:
    router.json("/jobs", [{"id": 12345, "status": "queued"}])
    assert (await client.list_jobs())[0].id == "12345"


async def test_naive_timestamp_is_utc_whatever_the_local_zone(
    client: AxomClient, router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        router.json(
            "/jobs/j1", {"id": "j1", "status": "running", "created_at": "2026-06-04T02:45:20"}
        )
        created = (await client.get_job("j1")).created_at
    finally:
        monkeypatch.undo()
        time.tzset()
    assert created == datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)
