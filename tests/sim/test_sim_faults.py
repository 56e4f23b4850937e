"""Fault injection: spec parsing, 5xx share, 429 + Retry-After, latency, drops, cuts, throttling."""

from __future__ import annotations

import time

import httpx
import pytest

from axom_tui.sim import FaultConfig, SimServer, create_app
from sim_helpers import AUTH, api_client, make_sim, storage_client


def test_parse_spec():
    f = FaultConfig.parse(
        "latency=0.2,error_rate=0.1,rate_limit=0.05,retry_after=2,drop=0.05,"
        "cut=0.3,storage_latency=0.5,storage_bps=1e6,jitter=0.1,seed=9"
    )
    assert (f.latency, f.error_rate, f.rate_limit, f.retry_after, f.drop, f.cut) == (
        0.2,
        0.1,
        0.05,
        2,
        0.05,
        0.3,
    )
    assert (f.storage_latency, f.storage_bps, f.jitter, f.seed) == (0.5, 1e6, 0.1, 9)
    assert f.active and FaultConfig.parse(f.spec()) == f
    assert FaultConfig.parse("") == FaultConfig.parse("none") == FaultConfig()
    assert not FaultConfig().active
    for bad in ("bogus=1", "error_rate=2", "latency", "drop=0.6,error_rate=0.6", "cut=x"):
        with pytest.raises(ValueError):
            FaultConfig.parse(bad)


async def test_off_by_default(client):
    for _ in range(50):
        assert (await client.get("/jobs", params={"limit": 1})).status_code == 200


async def test_5xx_share_and_429_retry_after(sim):
    sim.faults = FaultConfig(error_rate=0.3, rate_limit=0.1, retry_after=3, seed=1)
    codes: list[int] = []
    async with api_client(sim) as c:
        for _ in range(400):
            r = await c.get("/jobs", params={"limit": 1})
            codes.append(r.status_code)
            if r.status_code == 429:
                assert r.headers["retry-after"] == "3"
    n = len(codes)
    share_5xx = sum(c >= 500 for c in codes) / n
    share_429 = codes.count(429) / n
    assert 0.22 < share_5xx < 0.38 and 0.05 < share_429 < 0.16
    assert {500, 502, 503, 504} <= set(codes) and 200 in codes
    sim.faults = FaultConfig()
    async with api_client(sim) as c:
        for _ in range(20):
            assert (await c.get("/jobs")).status_code == 200


async def test_latency(sim):
    sim.faults = FaultConfig(latency=0.05)
    async with api_client(sim) as c:
        t = time.perf_counter()
        await c.get("/jobs")
        assert time.perf_counter() - t >= 0.05


async def test_storage_throttle(client, sim):
    model = (await client.get("/models")).json()[0]
    f = next(
        x
        for x in (await client.get(f"/models/{model['id']}/download")).json()["files"]
        if x["rel"].endswith(".safetensors")
    )
    sim.faults = FaultConfig(storage_bps=2_000_000)
    async with storage_client(sim) as s:
        t = time.perf_counter()
        r = await s.get(f["url"], headers={"Range": "bytes=0-599999"})
        assert r.status_code == 206 and len(r.content) == 600_000
        assert time.perf_counter() - t >= 0.25


def test_dropped_connection_is_a_transport_error_over_loopback():
    sim = make_sim()
    with SimServer(sim) as server, httpx.Client(base_url=server.base_url, headers=AUTH) as c:
        assert c.get("/jobs").status_code == 200
        sim.faults = FaultConfig(drop=1.0)
        for _ in range(4):
            with pytest.raises(httpx.TransportError):
                c.get("/jobs")
        sim.faults = FaultConfig(drop=0.5, seed=2)
        outcomes = []
        for _ in range(30):
            try:
                outcomes.append(c.get("/jobs", params={"limit": 1}).status_code)
            except httpx.TransportError:
                outcomes.append("drop")
        assert 5 < outcomes.count("drop") < 25 and 200 in outcomes
        sim.faults = FaultConfig()
        assert c.get("/jobs").status_code == 200


def test_cut_transfer_delivers_fewer_bytes_than_content_length():
    sim = make_sim(model_bytes=20_000_000)
    with SimServer(sim) as server, httpx.Client(base_url=server.base_url, headers=AUTH) as c:
        model = c.get("/models").json()[0]
        f = c.get(f"/models/{model['id']}/download").json()["files"][0]
        sim.faults = FaultConfig(cut=1.0)
        got = 0
        with httpx.Client() as s, pytest.raises(httpx.TransportError):
            with s.stream("GET", f["url"]) as r:
                assert r.status_code == 200
                assert int(r.headers["content-length"]) == f["size"]
                for chunk in r.iter_raw():
                    got += len(chunk)
        assert 0 < got < f["size"]
        # the API itself is unaffected by `cut`
        assert c.get("/jobs").status_code == 200
        sim.faults = FaultConfig()
        with httpx.Client() as s:
            assert len(s.get(f["url"]).content) == f["size"]


async def test_in_process_drop_raises_transport_error(sim):
    sim.faults = FaultConfig(drop=1.0)
    async with api_client(sim) as c:
        with pytest.raises(httpx.TransportError):
            await c.get("/jobs")


def test_fault_rng_is_seeded():
    import asyncio

    async def codes(seed: int) -> list[int]:
        sim = make_sim()
        sim.faults = FaultConfig(error_rate=0.5, seed=seed)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(create_app(sim)), base_url="http://t/api", headers=AUTH
        ) as c:
            return [(await c.get("/jobs", params={"limit": 1})).status_code for _ in range(40)]

    assert asyncio.run(codes(5)) == asyncio.run(codes(5)) != asyncio.run(codes(6))
