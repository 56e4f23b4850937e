"""The contract's example bodies (../shared axom-api.md), shared by every test folder.

Copied from the contract; its "…" placeholders are replaced with real UUIDs and
timestamps (a "…" is not a timestamp), everything else is verbatim. The API client tests
check the parsers against them; the reliability fuzz mutates them and serves them as the
good answers before the bad ones. Importable by name from any folder: tests/conftest.py
puts tests/ on the path.
"""

from __future__ import annotations

from datetime import UTC, datetime

BASE = "https://console.axomlabs.ai/api"

JOB_ID = "9b1c4e2a-0f3d-4a57-9e61-2b7c8d9e0f11"
BASE_MODEL_ID = "42c0a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b"
DATASET_ID = "77aa1234-5678-49ab-8cde-f0123456789a"
MODEL_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"

TS = "2026-06-04T02:45:20Z"
TS_DT = datetime(2026, 6, 4, 2, 45, 20, tzinfo=UTC)

JOB = {
    "id": JOB_ID,
    "type": "train",
    "status": "running",
    "retries": 1,
    "error": None,
    "name": "falcon-h1-x2-chassis",
    "base_model_id": BASE_MODEL_ID,
    "dataset_id": DATASET_ID,
    "hyperparams": {
        "turns": 1,
        "cycles": 6,
        "steps_per_cycle": 1000,
        "lr": 1e-4,
        "seq_len": 256,
        "output_name": "falcon-h1-x2-chassis",
    },
    "total_steps": 6000,
    "latest_step": 2310,
    "created_at": "2026-06-04T02:40:00Z",
    "updated_at": TS,
    "started_at": "2026-06-04T02:41:10Z",
    "finished_at": None,
}

METRICS = {
    "job_id": JOB_ID,
    "count": 50,
    "latest_step": 1000,
    "points": [
        {
            "ts": TS,
            "step": 620,
            "cycle": 1,
            "phase": "train",
            "loss": 0.78,
            "lr": 2.1e-05,
            "throughput": 1.39,
            "vram_gb": 23.6,
            "grad_norm": 1.02,
        }
    ],
}

LOGS = {
    "job_id": JOB_ID,
    "latest_seq": 1862,
    "lines": [
        {
            "seq": 1841,
            "ts": TS,
            "stream": "stdout",
            "text": "step 2000/6000 · loss 1.83 · lr 3.1e-05",
        }
    ],
}

EVENTS = [
    {"ts": "2026-06-04T02:40:00Z", "kind": "submitted", "payload": {}},
    {
        "ts": "2026-06-04T02:40:05Z",
        "kind": "status",
        "payload": {"from": "queued", "to": "provisioning"},
    },
    {"ts": "2026-06-04T02:44:00Z", "kind": "checkpoint", "payload": {"step": 1000}},
    {"ts": "2026-06-04T02:44:30Z", "kind": "preempted", "payload": {"retries": 1}},
    {"ts": "2026-06-04T02:45:00Z", "kind": "cycle", "payload": {"cycle": 2, "params": 1700000000}},
    {"ts": "2026-06-04T02:45:10Z", "kind": "error", "payload": {"message": "worker lost"}},
    {"ts": TS, "kind": "completed", "payload": {}},
]

RESULT = {
    "job_id": JOB_ID,
    "ppl_baseline": 11023,
    "ppl_final": 324,
    "ppl_delta_pct": -97.06,
    "loss_final": 0.327,
    "params_before": 1540000000,
    "params_after": 2360000000,
    "params_delta": 820000000,
    "function_preservation": 0.0009,
    "gpu_seconds": 1418,
    "tokens_processed": 1536000,
    "cost_usd": 25.00,
}

MODELS = [
    {
        "id": MODEL_ID,
        "name": "falcon-h1-x2-chassis",
        "version": "v1",
        "params": 2360000000,
        "base_model_id": BASE_MODEL_ID,
        "lineage": {"job_id": JOB_ID},
        "status": "ready",
        "created_at": TS,
    },
]

MANIFEST = {
    "model_id": MODEL_ID,
    "name": "falcon-h1-x2-chassis",
    "version": "v1",
    "files": [
        {
            "rel": "model-00001-of-00002.safetensors",
            "size": 4718592000,
            "url": "https://storage.example/m1?X-Amz-Signature=s3cr3t",
        },
        {
            "rel": "config.json",
            "size": 1024,
            "url": "https://storage.example/c?X-Amz-Signature=s3cr3t",
        },
    ],
}

OVERVIEW = {
    "active_runs": 3,
    "models": 7,
    "datasets": 4,
    "gpu_minutes_period": 1234.5,
    "tokens_period": 987654321,
    "spend_usd_period": 412.75,
    "period_days": 30,
}

USAGE = {
    "period_days": 14,
    "unit": "day",
    "total_gpu_minutes": 610.5,
    "total_tokens": 4200000,
    "total_cost_usd": 88.4,
    "total_jobs": 5,
    "buckets": [
        {
            "date": "2026-06-03",
            "gpu_minutes": 300.25,
            "tokens": 2000000,
            "cost_usd": 40.4,
            "jobs": 2,
        },
        {
            "date": "2026-06-04",
            "gpu_minutes": 310.25,
            "tokens": 2200000,
            "cost_usd": 48.0,
            "jobs": 3,
        },
    ],
}

BASE_MODELS = [{"id": BASE_MODEL_ID, "name": "falcon-h1-1.5b", "params": 1540000000}]
DATASETS = [{"id": DATASET_ID, "name": "fineweb-edu-sample", "rows": 100000}]


# One item of each list, for the tests that build their own bodies around one.
POINT = METRICS["points"][0]
LINE = LOGS["lines"][0]
MODEL = MODELS[0]
