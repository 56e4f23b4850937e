"""The simulator's round-two weather (issue 17): list paging, several statuses, and the
body faults --faults switches on (bad fields, skewed clocks, drips, oversized bodies)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from axom_tui.sim import FaultConfig, create_app
from axom_tui.sim.body_faults import JOB_SPOILS
from sim_helpers import AUTH, api_client, make_sim


def test_parse_the_new_fault_kinds():
    f = FaultConfig.parse(
        "bad_fields=0.1,skew=-3600,drip=0.05,drip_every=0.5,oversize=0.01,oversize_bytes=2e6"
    )
    assert (f.bad_fields, f.skew, f.drip, f.drip_every, f.oversize, f.oversize_bytes) == (
        0.1,
        -3600.0,
        0.05,
        0.5,
        0.01,
        2_000_000,
    )
    assert f.active and f.body_faults and FaultConfig.parse(f.spec()) == f
    assert not FaultConfig(drip_every=3.0).active  # a parameter alone is no fault
    for bad in ("bad_fields=2", "drip=-1", "oversize_bytes=-5"):
        with pytest.raises(ValueError):
            FaultConfig.parse(bad)


async def _all_pages(
    client: httpx.AsyncClient, params: dict, between=None
) -> tuple[list[str], int]:
    ids, cursor, pages = [], None, 0
    while True:
        answer = (
            await client.get("/jobs", params={**params, **({"cursor": cursor} if cursor else {})})
        ).json()
        pages += 1
        items = answer if isinstance(answer, list) else answer["jobs"]
        ids += [j["id"] for j in items]
        cursor = None if isinstance(answer, list) else answer["next"]
        if cursor is None:
            return ids, pages
        if between is not None:
            between()


async def test_the_list_pages_and_runs_submitted_meanwhile_shift_nothing():
    sim = make_sim(history_runs=450, submit_every=30)
    async with api_client(sim) as client:
        before = set(sim.job_ids())
        ids, pages = await _all_pages(
            client, {"limit": 200}, between=lambda: sim.clock.advance(120)
        )
        first = (await client.get("/jobs", params={"limit": 200})).json()
    assert pages == 3 and len(ids) == len(set(ids))  # no run twice
    assert before <= set(ids)  # none missed, though new runs came between the pages
    assert first["next"] and len(first["jobs"]) == 200  # an envelope when there is more


async def test_several_statuses_and_a_bad_cursor():
    sim = make_sim(history_runs=20)
    async with api_client(sim) as client:
        live = (
            await client.get("/jobs", params={"status": "running,queued,preempted", "limit": 200})
        ).json()
        assert live and {j["status"] for j in live} <= {"running", "queued", "preempted"}
        assert (await client.get("/jobs", params={"cursor": "nonsense!"})).status_code == 422


async def test_bad_fields_spoil_one_field_per_item_and_are_logged():
    sim = make_sim(history_runs=30)
    sim.faults = FaultConfig(bad_fields=1.0, seed=3)
    app = create_app(sim)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://s/api", headers=AUTH
    ) as client:
        jobs = (await client.get("/jobs", params={"limit": 200})).json()
    spoiled = list(app.body.spoiled)
    assert len(spoiled) == len(sim.job_ids()) == app.counts["bad_field"]
    names = {name for _, feed, _, name in spoiled if feed == "jobs"}
    assert len(names) >= 5 and names <= {name for name, _ in JOB_SPOILS}
    assert len(jobs) == len(sim.job_ids())  # items stay (the client skips what it must)


async def test_skew_moves_every_timestamp():
    sim = make_sim()
    async with api_client(sim) as client:
        plain = (await client.get("/jobs")).json()
    sim.faults = FaultConfig(skew=7200)
    async with api_client(sim) as client:
        skewed = (await client.get("/jobs")).json()
    at = lambda j: datetime.fromisoformat(j["created_at"].replace("Z", "+00:00"))  # noqa: E731
    assert [at(b) - at(a) for a, b in zip(plain, skewed)] == [timedelta(hours=2)] * len(plain)


async def test_a_dripping_body_is_sent_a_byte_per_wait_and_oversize_pads_it():
    sim = make_sim()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sim.faults = FaultConfig(drip=1.0, drip_every=0.25)
    app = create_app(sim, sleep=sleep)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://s/api", headers=AUTH
    ) as client:
        body = (await client.get("/overview")).content
    assert json.loads(body)["period_days"] == 30
    assert waits.count(0.25) == len(body) and app.counts["drip"] == 1
    sim.faults = FaultConfig(oversize=1.0, oversize_bytes=300_000)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://s/api", headers=AUTH
    ) as client:
        big = (await client.get("/overview")).content
    assert len(big) == len(body) + 300_000 and json.loads(big)["period_days"] == 30
