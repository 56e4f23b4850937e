"""Metrics, logs, events, results: cursors, paging, resume re-sends, NaN, hostile lines."""

from __future__ import annotations

import json
import math

from axom_tui.sim import GPU_HOUR_USD
from sim_helpers import job_by_name_role

RESULT_KEYS = {
    "job_id",
    "ppl_baseline",
    "ppl_final",
    "ppl_delta_pct",
    "loss_final",
    "params_before",
    "params_after",
    "params_delta",
    "function_preservation",
    "gpu_seconds",
    "tokens_processed",
    "cost_usd",
}
POINT_KEYS = {"ts", "step", "cycle", "phase", "loss", "lr", "throughput", "vram_gb", "grad_norm"}


async def test_metrics_cursor_is_exclusive_and_paged(client, sim):
    job = await job_by_name_role(client, sim, "done-big")
    assert job["total_steps"] == 12000 and job["status"] == "completed"
    r = (await client.get(f"/jobs/{job['id']}/metrics")).json()
    assert r["count"] == len(r["points"]) == 500
    assert r["latest_step"] == 12000 > r["points"][-1]["step"]
    assert set(r["points"][0]) == POINT_KEYS
    steps: list[int] = []
    cursor = None
    for _page in range(100):
        params = {} if cursor is None else {"since_step": cursor}
        page = (await client.get(f"/jobs/{job['id']}/metrics", params=params)).json()
        got = [p["step"] for p in page["points"]]
        assert len(got) <= 500
        if cursor is not None:
            assert all(s > cursor for s in got)
        if not got:
            break
        steps += got
        cursor = got[-1]
    assert steps == sorted(set(steps)) and steps[-1] == 12000
    mid = (await client.get(f"/jobs/{job['id']}/metrics", params={"since_step": 5000})).json()
    assert mid["points"][0]["step"] == 5010


async def test_logs_cursor_is_exclusive_and_paged(client, sim):
    job = await job_by_name_role(client, sim, "done-big")
    first = (await client.get(f"/jobs/{job['id']}/logs")).json()
    assert len(first["lines"]) == 1000
    assert [x["seq"] for x in first["lines"]] == list(range(1, 1001))
    # latest_seq is the cursor to pass next: following it never skips a line
    assert first["latest_seq"] == 1000
    seqs, since = [], 0
    for _page in range(100):
        page = (await client.get(f"/jobs/{job['id']}/logs", params={"since": since})).json()
        if not page["lines"]:
            assert page["latest_seq"] == since
            break
        assert page["lines"][0]["seq"] == since + 1
        seqs += [x["seq"] for x in page["lines"]]
        since = page["latest_seq"]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > 1000
    assert {x["stream"] for x in first["lines"]} <= {"stdout", "stderr"}
    assert (await client.get(f"/jobs/{job['id']}/logs", params={"since": "x"})).status_code == 422


async def test_cursors_monotonic_while_running(client, sim):
    job = await job_by_name_role(client, sim, "nan")
    since_step, since_seq = None, 0
    for _ in range(30):
        sim.clock.advance(20)
        params = {} if since_step is None else {"since_step": since_step}
        m = (await client.get(f"/jobs/{job['id']}/metrics", params=params)).json()
        lg = (await client.get(f"/jobs/{job['id']}/logs", params={"since": since_seq})).json()
        if m["points"]:
            assert since_step is None or m["points"][0]["step"] > since_step
            since_step = m["points"][-1]["step"]
            assert m["latest_step"] >= since_step
        assert all(b["seq"] == a["seq"] + 1 for a, b in zip(lg["lines"], lg["lines"][1:]))
        if lg["lines"]:
            assert lg["lines"][0]["seq"] == since_seq + 1
        since_seq = lg["latest_seq"]
    assert since_step and since_step > 1100


async def test_unknown_job_is_404(client):
    for path in ("", "/metrics", "/logs", "/events", "/result"):
        r = await client.get(f"/jobs/00000000-0000-4000-8000-000000000000{path}")
        assert r.status_code == 404 and r.json() == {"detail": "Job not found"}
    assert (await client.get("/jobs/not-a-uuid")).status_code == 404


async def test_result_404_until_completed_then_consistent(client, sim):
    job = await job_by_name_role(client, sim, "near-finish")
    r = await client.get(f"/jobs/{job['id']}/result")
    assert r.status_code == 404 and isinstance(r.json()["detail"], str)
    for _ in range(100):
        if (await client.get(f"/jobs/{job['id']}")).json()["status"] == "completed":
            break
        assert (await client.get(f"/jobs/{job['id']}/result")).status_code == 404
        sim.clock.advance(10)
    res = (await client.get(f"/jobs/{job['id']}/result")).json()
    assert set(res) == RESULT_KEYS and res["job_id"] == job["id"]
    assert res["params_delta"] == res["params_after"] - res["params_before"] > 0
    assert res["ppl_final"] < res["ppl_baseline"] and res["ppl_delta_pct"] < 0
    assert res["cost_usd"] == round(res["gpu_seconds"] / 3600 * GPU_HOUR_USD, 2)
    assert res["tokens_processed"] == job["total_steps"] * job["hyperparams"]["seq_len"]
    pts = sim.ground_truth(job["id"]).metrics
    assert res["loss_final"] == pts[max(pts)]["loss"]


async def test_contract_result_removes_params(client, sim):
    job = await job_by_name_role(client, sim, "done-contract")
    res = (await client.get(f"/jobs/{job['id']}/result")).json()
    assert res["params_delta"] < 0 and res["params_after"] < res["params_before"]


async def test_resume_resends_steps_with_new_values(client, sim):
    job = await job_by_name_role(client, sim, "preempt-twice")
    jid = job["id"]
    sim.clock.advance(230)  # just before the first preemption (at step 1650, E+240)
    page = await client.get(f"/jobs/{jid}/metrics", params={"since_step": 1000})
    before = {p["step"]: p for p in page.json()["points"]}
    assert max(before) >= 1600
    sim.clock.advance(20)
    j = (await client.get(f"/jobs/{jid}")).json()
    assert j["status"] == "preempted" and j["retries"] == 1
    assert j["latest_step"] == 1000  # back to the last checkpoint
    m = (await client.get(f"/jobs/{jid}/metrics", params={"since_step": 1000})).json()
    assert m["points"] == [] and m["latest_step"] == 1000
    sim.clock.advance(900)
    page = await client.get(f"/jobs/{jid}/metrics", params={"since_step": 1000})
    after = {p["step"]: p for p in page.json()["points"]}
    common = sorted(set(before) & set(after))
    assert len(common) > 50
    changed = [s for s in common if before[s]["loss"] != after[s]["loss"]]
    assert len(changed) > len(common) // 2
    assert all(after[s]["ts"] > before[s]["ts"] for s in common)
    ev = (await client.get(f"/jobs/{jid}/events")).json()
    assert [e["payload"]["step"] for e in ev if e["kind"] == "checkpoint"][:1] == [1000]


async def test_metric_dynamics(client, sim):
    job = await job_by_name_role(client, sim, "done-train")
    pts = list(sim.ground_truth(job["id"]).metrics.values())
    assert {p["phase"] for p in pts} == {"grow", "train", "eval"}
    assert sorted({p["cycle"] for p in pts}) == [1, 2, 3, 4, 5, 6]
    loss = [p["loss"] for p in pts if p["phase"] == "train"]
    assert sum(loss[-20:]) / 20 < sum(loss[:20]) / 20 * 0.7  # trends down
    # a bump right after each growth: the first points of cycle 3 are above the end of cycle 2
    c2 = [p["loss"] for p in pts if p["cycle"] == 2 and p["phase"] == "train"]
    c3 = [p["loss"] for p in pts if p["cycle"] == 3]
    assert sum(c3[:5]) / 5 > sum(c2[-5:]) / 5
    lr1 = [p["lr"] for p in pts if p["cycle"] == 1]
    assert lr1[0] < max(lr1) and lr1[-1] < max(lr1)  # warm-up then decay
    vram = [p["vram_gb"] for p in pts if p["phase"] == "train"]
    assert vram[-1] > vram[0] + 3  # the model grew
    assert all(p["throughput"] > 0 and p["grad_norm"] > 0 for p in pts)


async def test_nan_loss_reaches_the_wire(client, sim):
    job = await job_by_name_role(client, sim, "nan")
    sim.clock.advance(300)
    r = await client.get(f"/jobs/{job['id']}/metrics", params={"since_step": 1200})
    assert "NaN" in r.text
    pts = json.loads(r.text)["points"]
    p = next(p for p in pts if p["step"] == 1230)
    assert math.isnan(p["loss"])
    others = [x for x in sim.runs if "nan" not in x.spec.features]
    for run in others[:3]:
        truth = sim.ground_truth(run.spec.id).metrics.values()
        assert not any(math.isnan(v["loss"]) for v in truth)


async def test_hostile_log_lines(client, sim):
    job = await job_by_name_role(client, sim, "hostile")
    sim.clock.advance(600)
    texts = [x["text"] for x in (await client.get(f"/jobs/{job['id']}/logs")).json()["lines"]]
    joined = "\n".join(texts)
    assert "\x1b]0;pwned\x07" in joined and "\x1b[" in joined
    assert "[bold red]x[/]" in joined and "[@click=app.quit]" in joined
    assert max(len(t) for t in texts) >= 5000
    assert any(
        x["stream"] == "stderr"
        for x in (await client.get(f"/jobs/{job['id']}/logs")).json()["lines"]
    )


async def test_logs_look_like_a_trainer(client, sim):
    job = await job_by_name_role(client, sim, "done-train")
    lines = sim.ground_truth(job["id"]).logs
    texts = [x["text"] for x in lines]
    assert any(t.startswith("step 2000/6000 \u00b7 loss ") for t in texts)
    assert any("checkpoint" in t for t in texts) and any("preempted" in t for t in texts)
    assert any(x["stream"] == "stderr" for x in lines)


async def test_events_kinds(client, sim):
    job = await job_by_name_role(client, sim, "done-train")
    ev = (await client.get(f"/jobs/{job['id']}/events")).json()
    kinds = {e["kind"] for e in ev}
    assert kinds == {"submitted", "status", "checkpoint", "preempted", "cycle", "completed"}
    assert all(set(e) == {"ts", "kind", "payload"} for e in ev)
    cycles = [e["payload"] for e in ev if e["kind"] == "cycle"]
    assert cycles[0]["cycle"] == 1 and all(c["params"] > 0 for c in cycles)


async def test_ground_truth_matches_a_polling_client(client, sim):
    """A client that merges by step (newest wins) and rewinds on preemption ends equal to truth."""
    targets = [await job_by_name_role(client, sim, r) for r in ("preempt-twice", "failing", "nan")]
    store = {
        j["id"]: {"pts": {}, "logs": [], "cursor": None, "seq": 0, "retries": 0} for j in targets
    }
    for _ in range(80):
        sim.clock.advance(71)
        for jid, s in store.items():
            job = (await client.get(f"/jobs/{jid}")).json()
            if job["retries"] != s["retries"]:  # preempted: the run resumes from its checkpoint
                s["retries"] = job["retries"]
                ev = (await client.get(f"/jobs/{jid}/events")).json()
                ck = [e["payload"]["step"] for e in ev if e["kind"] == "checkpoint"]
                s["cursor"] = ck[-1] if ck else 0
                s["pts"] = {k: v for k, v in s["pts"].items() if k <= s["cursor"]}
            for _page in range(50):
                params = {} if s["cursor"] is None else {"since_step": s["cursor"]}
                m = (await client.get(f"/jobs/{jid}/metrics", params=params)).json()
                for p in m["points"]:
                    s["pts"][p["step"]] = p
                if m["points"]:
                    s["cursor"] = m["points"][-1]["step"]
                if not m["points"] or m["latest_step"] <= s["cursor"]:
                    break
            for _page in range(50):
                lg = (await client.get(f"/jobs/{jid}/logs", params={"since": s["seq"]})).json()
                s["logs"] += lg["lines"]
                s["seq"] = lg["latest_seq"]
                if len(lg["lines"]) < 1000:
                    break
    for jid, s in store.items():
        truth = sim.ground_truth(jid)
        assert json.dumps(truth.metrics, sort_keys=True) == json.dumps(s["pts"], sort_keys=True)
        assert truth.logs == s["logs"]
        assert truth.events == (await client.get(f"/jobs/{jid}/events")).json()
    assert sim.ground_truth(targets[0]["id"]).result is not None
    assert sim.ground_truth(targets[1]["id"]).status == "failed"


async def test_catalog_overview_usage(client, sim):
    bm = (await client.get("/base-models")).json()
    ds = (await client.get("/datasets")).json()
    assert len(bm) >= 3 and all({"id", "name", "params"} <= set(b) for b in bm)
    assert len(ds) >= 3 and all({"id", "name"} <= set(d) for d in ds)
    ov = (await client.get("/overview", params={"days": 30})).json()
    assert set(ov) == {
        "active_runs",
        "models",
        "datasets",
        "gpu_minutes_period",
        "tokens_period",
        "spend_usd_period",
        "period_days",
    }
    assert ov["active_runs"] >= 6 and ov["models"] >= 3 and ov["datasets"] == len(ds)
    assert (
        ov["spend_usd_period"] == round(ov["gpu_minutes_period"] / 60 * GPU_HOUR_USD, 2)
        or abs(ov["spend_usd_period"] - ov["gpu_minutes_period"] / 60 * GPU_HOUR_USD) < 0.05
    )
    us = (await client.get("/usage")).json()
    assert us["period_days"] == 14 and len(us["buckets"]) == 14 and us["unit"] == "day"
    assert {"date", "gpu_minutes", "tokens", "cost_usd", "jobs"} == set(us["buckets"][0])
    assert us["total_jobs"] == sum(b["jobs"] for b in us["buckets"]) > 0
    assert us["total_tokens"] > 0
    assert (await client.get("/usage", params={"days": "zero"})).status_code == 422
