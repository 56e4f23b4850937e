"""The engine against the simulator: cut transfers, expiring links, 5xx, 429, drops."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from axom_tui.api.client import AxomClient
from axom_tui.download import DownloadManager, FileState
from axom_tui.sim import FaultConfig, SimConfig, SimServer, Simulator


def _sha_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_faulty_storage_with_expiring_links_gives_byte_exact_files(tmp_path: Path) -> None:
    # Links live ~1-2 s; each shard takes ~2.1 s at 400 kB/s, and files go one at a time,
    # so the second shard's first link has expired: a re-sign must happen. Cuts force
    # ranged resumes; 5xx, 429 and dropped connections hit the API and storage alike.
    # The simulator answers 400 to any Authorization header on storage, which would fail
    # the download.
    sim = Simulator(SimConfig(seed=11, url_ttl=1, model_bytes=1_700_000, model_shards=2))
    async with SimServer(sim) as server:
        async with AxomClient(server.base_url, sim.cfg.key, backoff_base=0.01) as api:
            model = (await api.list_models())[0]
            sim.faults = FaultConfig(
                cut=0.5,
                error_rate=0.1,
                rate_limit=0.05,
                retry_after=1,
                drop=0.05,
                storage_bps=400_000,
                seed=5,
            )
            seen = []
            async with DownloadManager(
                api,
                max_parallel_files=1,
                backoff_base=0.05,
                backoff_cap=0.2,
                max_attempts=10,
                on_progress=seen.append,
            ) as manager:
                outcome = await manager.download(model.job_id, tmp_path / "m")
    assert outcome.ok, outcome
    assert {f.rel for f in outcome.files} == {
        "config.json",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    }
    for f in outcome.files:
        assert f.path is not None
        assert _sha_file(f.path) == sim.expected_sha256(model.id, f.rel), f.rel
    on_disk = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert on_disk == sorted(f.rel for f in outcome.files)  # no .part left behind
    assert outcome.resumes >= 1, outcome
    assert outcome.resigns >= 1, outcome
    states = {f.state for s in seen for f in s.files}
    assert {FileState.RESUMING, FileState.RESIGNING} <= states


async def test_several_models_download_at_once(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(seed=3, model_bytes=3_000_000, model_shards=3))
    async with SimServer(sim) as server:
        async with AxomClient(server.base_url, sim.cfg.key) as api:
            models = (await api.list_models())[:3]
            async with DownloadManager(api, max_parallel_files=2) as manager:
                tasks = [manager.start(m.job_id, tmp_path / m.id) for m in models]
                outcomes = await asyncio.gather(*(t.wait() for t in tasks))
    for model, outcome in zip(models, outcomes):
        assert outcome.ok, outcome
        assert outcome.model_id == model.id and len(outcome.files) == 4
        for f in outcome.files:
            assert f.path is not None
            assert _sha_file(f.path) == sim.expected_sha256(model.id, f.rel)


async def test_run_that_has_not_completed_has_no_model(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(seed=7))
    async with SimServer(sim) as server:
        async with AxomClient(server.base_url, sim.cfg.key) as api:
            jobs = await api.list_jobs()
            running = next(j for j in jobs if j.status not in ("completed", "failed"))
            async with DownloadManager(api) as manager:
                outcome = await manager.download(running.id, tmp_path / "x")
    assert not outcome.ok
    assert "once the run has completed" in outcome.reason
    assert not (tmp_path / "x").exists()
