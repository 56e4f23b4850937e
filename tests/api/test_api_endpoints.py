"""Every endpoint method parses the contract's example payloads (see api_helpers.py)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from api_helpers import Router, json_response
from axom_tui.api import AxomClient
from axom_tui.api.records import (
    Event,
    Job,
    LogLine,
    LogsPage,
    Manifest,
    MetricPoint,
    MetricsPage,
    Model,
    Overview,
    Result,
    Usage,
    UsageBucket,
)
from contract_examples import (
    BASE,
    BASE_MODEL_ID,
    BASE_MODELS,
    DATASET_ID,
    DATASETS,
    EVENTS,
    JOB,
    JOB_ID,
    LOGS,
    MANIFEST,
    METRICS,
    MODEL_ID,
    MODELS,
    OVERVIEW,
    RESULT,
    TS_DT,
    USAGE,
)


def expected_job() -> Job:
    return Job(
        id=JOB_ID,
        status="running",
        type="train",
        retries=1,
        error=None,
        name="falcon-h1-x2-chassis",
        base_model_id=BASE_MODEL_ID,
        dataset_id=DATASET_ID,
        hyperparams=JOB["hyperparams"],
        total_steps=6000,
        latest_step=2310,
        created_at=datetime(2026, 6, 4, 2, 40, tzinfo=UTC),
        updated_at=TS_DT,
        started_at=datetime(2026, 6, 4, 2, 41, 10, tzinfo=UTC),
        finished_at=None,
    )


async def test_list_jobs_bare_array(client: AxomClient, router: Router) -> None:
    second = dict(JOB, id="1d2e3f40-0000-4000-8000-000000000001", status="completed")
    router.json("/jobs", [JOB, second])
    jobs = await client.list_jobs()
    assert jobs == [expected_job(), replace(expected_job(), id=second["id"], status="completed")]
    assert jobs[1].terminal and not jobs[0].terminal


async def test_list_jobs_sends_status_and_limit_and_omits_none(
    client: AxomClient, router: Router
) -> None:
    router.json("/jobs", [])
    assert await client.list_jobs(status="running", limit=10) == []
    assert await client.list_jobs() == []
    first, second = router.requests
    assert dict(first.url.params) == {"status": "running", "limit": "10"}
    assert dict(second.url.params) == {}
    assert str(first.url).startswith(BASE + "/jobs")


async def test_get_job(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}", JOB)
    job = await client.get_job(JOB_ID)
    assert job == expected_job()
    assert job.display_name == "falcon-h1-x2-chassis"
    assert job.created_at.tzinfo is not None


async def test_get_metrics(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}/metrics", METRICS)
    page = await client.get_metrics(JOB_ID, since_step=600)
    assert page == MetricsPage(
        job_id=JOB_ID,
        latest_step=1000,
        points=[
            MetricPoint(
                step=620,
                loss=0.78,
                grad_norm=1.02,
                lr=2.1e-05,
                throughput=1.39,
                vram_gb=23.6,
                cycle=1,
                phase="train",
                ts=TS_DT,
            )
        ],
    )
    assert page.more_waiting  # latest_step 1000 is past the last point (620): poll again at once
    assert router.requests[0].url.params["since_step"] == "600"


async def test_get_metrics_since_zero_is_sent_and_none_is_omitted(
    client: AxomClient, router: Router
) -> None:
    router.json(f"/jobs/{JOB_ID}/metrics", METRICS)
    await client.get_metrics(JOB_ID, since_step=0)
    await client.get_metrics(JOB_ID)
    assert router.requests[0].url.params.get("since_step") == "0"
    assert "since_step" not in router.requests[1].url.params


async def test_get_metrics_not_more_waiting_when_caught_up(
    client: AxomClient, router: Router
) -> None:
    router.json(f"/jobs/{JOB_ID}/metrics", dict(METRICS, latest_step=620))
    page = await client.get_metrics(JOB_ID)
    assert not page.more_waiting


async def test_get_logs(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}/logs", LOGS)
    page = await client.get_logs(JOB_ID, since=1840)
    assert page == LogsPage(
        job_id=JOB_ID,
        latest_seq=1862,
        lines=[
            LogLine(
                seq=1841, text="step 2000/6000 · loss 1.83 · lr 3.1e-05", stream="stdout", ts=TS_DT
            )
        ],
    )
    assert page.more_waiting
    assert router.requests[0].url.params["since"] == "1840"


async def test_get_events(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}/events", EVENTS)
    events = await client.get_events(JOB_ID)
    assert [e.kind for e in events] == [
        "submitted",
        "status",
        "checkpoint",
        "preempted",
        "cycle",
        "error",
        "completed",
    ]
    assert events[1] == Event(
        kind="status",
        ts=datetime(2026, 6, 4, 2, 40, 5, tzinfo=UTC),
        payload={"from": "queued", "to": "provisioning"},
    )
    assert events[2].payload == {"step": 1000}
    assert events[3].payload == {"retries": 1}
    assert events[4].payload == {"cycle": 2, "params": 1700000000}
    assert events[5].payload == {"message": "worker lost"}
    assert events[6].ts == TS_DT


async def test_get_result(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}/result", RESULT)
    result = await client.get_result(JOB_ID)
    assert result == Result(
        job_id=JOB_ID,
        ppl_baseline=11023.0,
        ppl_final=324.0,
        ppl_delta_pct=-97.06,
        loss_final=0.327,
        params_before=1540000000,
        params_after=2360000000,
        params_delta=820000000,
        function_preservation=0.0009,
        gpu_seconds=1418.0,
        tokens_processed=1536000,
        cost_usd=25.0,
    )
    assert isinstance(result.ppl_baseline, float) and isinstance(result.params_before, int)


async def test_get_result_404_for_known_job_is_none(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}/result", {"detail": "result not ready"}, status=404)
    router.json(f"/jobs/{JOB_ID}", dict(JOB, status="running"))
    assert await client.get_result(JOB_ID) is None
    assert router.calls(f"/jobs/{JOB_ID}") == 1


async def test_get_result_404_for_unknown_job_raises(client: AxomClient, router: Router) -> None:
    from axom_tui.api import NotFoundError

    router.json("/jobs/nope/result", {"detail": "unknown job"}, status=404)
    router.json("/jobs/nope", {"detail": "unknown job"}, status=404)
    with pytest.raises(NotFoundError):
        await client.get_result("nope")


async def test_list_models(client: AxomClient, router: Router) -> None:
    router.json("/models", MODELS)
    assert await client.list_models() == [
        Model(
            id=MODEL_ID,
            name="falcon-h1-x2-chassis",
            version="v1",
            params=2360000000,
            base_model_id=BASE_MODEL_ID,
            job_id=JOB_ID,
            status="ready",
            created_at=TS_DT,
        )
    ]


async def test_get_manifest(client: AxomClient, router: Router) -> None:
    router.json(f"/models/{MODEL_ID}/download", MANIFEST)
    manifest = await client.get_manifest(MODEL_ID)
    assert isinstance(manifest, Manifest)
    assert (manifest.model_id, manifest.name, manifest.version) == (
        MODEL_ID,
        "falcon-h1-x2-chassis",
        "v1",
    )
    assert [(f.rel, f.size, f.url) for f in manifest.files] == [
        ("model-00001-of-00002.safetensors", 4718592000, MANIFEST["files"][0]["url"]),
        ("config.json", 1024, MANIFEST["files"][1]["url"]),
    ]
    assert manifest.total_bytes == 4718592000 + 1024
    # presigned URLs carry a signature: it stays out of reprs
    assert "s3cr3t" not in repr(manifest)


async def test_overview(client: AxomClient, router: Router) -> None:
    router.json("/overview", OVERVIEW)
    assert await client.overview(days=30) == Overview(**OVERVIEW)
    assert router.requests[0].url.params["days"] == "30"


async def test_usage(client: AxomClient, router: Router) -> None:
    router.json("/usage", USAGE)
    usage = await client.usage(days=14)
    assert usage == Usage(
        period_days=14,
        unit="day",
        total_gpu_minutes=610.5,
        total_tokens=4200000,
        total_cost_usd=88.4,
        total_jobs=5,
        buckets=[
            UsageBucket("2026-06-03", 300.25, 2000000, 40.4, 2),
            UsageBucket("2026-06-04", 310.25, 2200000, 48.0, 3),
        ],
    )
    assert router.requests[0].url.params["days"] == "14"


async def test_base_models_and_datasets(client: AxomClient, router: Router) -> None:
    router.json("/base-models", BASE_MODELS)
    router.json("/datasets", DATASETS)
    assert await client.base_models() == BASE_MODELS
    assert await client.datasets() == DATASETS


@pytest.mark.parametrize(
    "job_id, segment",
    [
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../../models", "..%2F..%2Fmodels"),
        ("x?y#z", "x%3Fy%23z"),
        ("https://evil.example/x", "https%3A%2F%2Fevil.example%2Fx"),
    ],
)
async def test_ids_are_one_percent_encoded_path_segment(
    client: AxomClient, router: Router, job_id: str, segment: str
) -> None:
    router.add(f"/jobs/{segment}/metrics", json_response(METRICS))
    router.add(f"/models/{segment}/download", json_response(MANIFEST))
    await client.get_metrics(job_id)
    await client.get_manifest(job_id)
    paths = [r.url.raw_path.decode() for r in router.requests]
    assert paths == [f"/api/jobs/{segment}/metrics", f"/api/models/{segment}/download"]
    assert all(r.url.host == "console.axomlabs.ai" for r in router.requests)


async def test_base_url_trailing_slash_and_path_prefix(make_client, router: Router) -> None:
    router.json("/jobs", [])
    client = make_client(router, base_url=BASE + "/")
    await client.list_jobs()
    assert router.requests[0].url.raw_path.decode() == "/api/jobs"
    assert client.requests_sent == 1


async def test_metric_values_are_floats(client: AxomClient, router: Router) -> None:
    router.json(f"/jobs/{JOB_ID}/metrics", METRICS)
    point = (await client.get_metrics(JOB_ID)).points[0]
    for name in ("loss", "grad_norm", "lr", "throughput", "vram_gb"):
        value = getattr(point, name)
        assert isinstance(value, float) and not math.isnan(value)
