"""Run lifecycle: legal transitions, every status, preemption/retries, failure, submissions."""

from __future__ import annotations

import re
import uuid

from axom_tui.sim import LEGAL_TRANSITIONS, STATUSES, TERMINAL
from axom_tui.sim.scenario import ROLE_ORDER
from sim_helpers import job_by_name_role, make_sim

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
JOB_KEYS = {
    "id",
    "type",
    "status",
    "retries",
    "error",
    "name",
    "base_model_id",
    "dataset_id",
    "hyperparams",
    "total_steps",
    "latest_step",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
}


def check_chain(job: dict, events: list[dict]) -> list[str]:
    """Assert the event history is a legal chain ending in the job's status; return statuses."""
    assert events[0]["kind"] == "submitted"
    status: str | None = None
    seen = []
    retries = 0
    for ev in events:
        kind, p = ev["kind"], ev["payload"]
        assert ISO_Z.match(ev["ts"])
        if kind == "submitted":
            assert status is None
            status = "queued"
            seen.append(status)
        elif kind == "status":
            assert p["from"] == status, (job["name"], events)
            assert p["to"] in LEGAL_TRANSITIONS[status], (status, p["to"])
            status = p["to"]
            seen.append(status)
        elif kind == "preempted":
            assert status == "running"
            retries += 1
            assert p["retries"] == retries
        elif kind == "checkpoint":
            assert status == "checkpointing" and p["step"] % 1 == 0
        elif kind == "cycle":
            assert status == "running" and p["cycle"] >= 1 and p["params"] > 0
        elif kind == "error":
            assert status == "running" and p["message"]
        elif kind == "completed":
            assert status == "completed"
    assert status == job["status"]
    assert retries == job["retries"]
    ts = [e["ts"] for e in events]
    assert ts == sorted(ts)
    return seen


async def test_at_least_8_runs_at_start_with_types_and_results(client, sim):
    jobs = (await client.get("/jobs")).json()
    assert len(jobs) >= 8
    assert {"train", "contract", "finetune"} <= {j["type"] for j in jobs}
    done = [j for j in jobs if j["status"] == "completed"]
    assert len(done) >= 3
    r = await client.get(f"/jobs/{done[0]['id']}/result")
    assert r.status_code == 200
    live = [j for j in jobs if j["status"] not in TERMINAL]
    assert len(live) >= 6
    created = [j["created_at"] for j in jobs]
    assert created == sorted(created, reverse=True)  # newest first


async def test_job_json_shape(client):
    jobs = (await client.get("/jobs")).json()
    for j in jobs:
        assert set(j) == JOB_KEYS
        uuid.UUID(j["id"]), uuid.UUID(j["base_model_id"]), uuid.UUID(j["dataset_id"])
        for k in ("created_at", "updated_at", "started_at", "finished_at"):
            assert j[k] is None or ISO_Z.match(j[k]), (k, j[k])
        assert j["status"] in STATUSES
        assert 0 <= j["latest_step"] <= j["total_steps"]
        assert (j["finished_at"] is not None) == (j["status"] in TERMINAL)
        if j["type"] == "train":
            hp = j["hyperparams"]
            assert j["total_steps"] == hp["turns"] * hp["cycles"] * hp["steps_per_cycle"]
            assert hp["output_name"] == j["name"]


async def test_legal_transitions_and_every_status_over_long_time(client, sim):
    seen: set[str] = set()
    for _ in range(4):  # 6 simulated hours; events hold the full history
        sim.clock.advance(5400)
        jobs = (await client.get("/jobs", params={"limit": 200})).json()
        for j in jobs:
            events = (await client.get(f"/jobs/{j['id']}/events")).json()
            seen.update(check_chain(j, events))
    assert seen == set(STATUSES)


async def test_status_filter_and_limit(client, sim):
    sim.clock.advance(120)
    running = (await client.get("/jobs", params={"status": "running"})).json()
    assert running and all(j["status"] == "running" for j in running)
    two = (await client.get("/jobs", params={"status": "running,completed", "limit": 2})).json()
    assert len(two) == 2
    assert (await client.get("/jobs", params={"limit": 1000})).status_code == 200
    bad = await client.get("/jobs", params={"status": "exploded"})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], list)
    assert (await client.get("/jobs", params={"limit": "x"})).status_code == 422


async def test_preempted_twice_requeues_and_retries_rise(client, sim):
    job = await job_by_name_role(client, sim, "preempt-twice")
    assert job["retries"] == 0 and job["status"] == "running"
    statuses = []
    for _ in range(200):  # 50 simulated minutes in 15 s ticks
        sim.clock.advance(15)
        j = (await client.get(f"/jobs/{job['id']}")).json()
        statuses.append((j["status"], j["retries"]))
    assert ("preempted", 1) in statuses and ("preempted", 2) in statuses
    events = (await client.get(f"/jobs/{job['id']}/events")).json()
    chain = [(e["payload"]["from"], e["payload"]["to"]) for e in events if e["kind"] == "status"]
    i = chain.index(("running", "preempted"))
    assert chain[i + 1 : i + 5] == [
        ("preempted", "queued"),
        ("queued", "provisioning"),
        ("provisioning", "staging"),
        ("staging", "running"),
    ]
    assert [e["payload"]["retries"] for e in events if e["kind"] == "preempted"] == [1, 2]


async def test_failed_run_has_readable_error(client, sim):
    job = await job_by_name_role(client, sim, "failing")
    assert job["error"] is None
    sim.clock.advance(1600)
    j = (await client.get(f"/jobs/{job['id']}")).json()
    assert j["status"] == "failed" and j["retries"] == 3
    assert isinstance(j["error"], str) and "retr" in j["error"] and len(j["error"]) > 20
    events = (await client.get(f"/jobs/{job['id']}/events")).json()
    assert events[-2]["kind"] == "error" and events[-2]["payload"]["message"] == j["error"]
    r = await client.get(f"/jobs/{job['id']}/result")
    assert r.status_code == 404 and "detail" in r.json()


async def test_new_runs_keep_coming_under_the_cap():
    sim = make_sim(max_live_runs=8, submit_every=150)
    n0 = len(sim.job_ids())
    for _ in range(40):
        sim.clock.advance(900)
        sim.now()
        live = [r for r in sim.runs if r.created <= sim._now < r.end]
        assert len(live) <= max(8, 7)
    assert len(sim.job_ids()) > n0 + 10
    # the cap holds at every submission instant
    for r in sim.runs[n0:]:
        live = [o for o in sim.runs if o is not r and o.created <= r.created < o.end]
        assert len(live) < 8


async def test_initial_runs_scale_and_roles_cover_scenario():
    sim = make_sim(initial_runs=40, history_runs=0)
    assert len(sim.job_ids()) == 40
    assert len(ROLE_ORDER) == 10
    small = make_sim(initial_runs=8, history_runs=0)
    assert len(small.job_ids()) == 8
