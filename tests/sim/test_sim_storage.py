"""Models, manifests, presigned storage URLs, safetensors validity, Range, auth and scopes."""

from __future__ import annotations

import hashlib
import json
import struct
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from axom_tui.sim import TERMINAL, create_app
from sim_helpers import AUTH, READ_KEY, api_client, make_sim, storage_client


def check_safetensors(blob_head: bytes, size: int) -> dict:
    """Validate a safetensors header against the file size; return the tensor table."""
    (n,) = struct.unpack("<Q", blob_head[:8])
    header = json.loads(blob_head[8 : 8 + n])
    meta = header.pop("__metadata__", None)
    assert meta is None or all(isinstance(v, str) for v in meta.values())
    spans = sorted(t["data_offsets"] for t in header.values())
    pos = 0
    widths = {"BF16": 2, "F16": 2, "F32": 4, "U8": 1, "I8": 1}
    for name, t in header.items():
        elems = 1
        for d in t["shape"]:
            elems *= d
        a, b = t["data_offsets"]
        assert b - a == elems * widths[t["dtype"]], name
    for a, b in spans:
        assert a == pos, "gap or overlap in data_offsets"
        pos = b
    assert 8 + n + pos == size, "tensors must cover the rest of the file exactly"
    return header


async def manifest_for(client, model_id: str) -> dict:
    r = await client.get(f"/models/{model_id}/download")
    assert r.status_code == 200, r.text
    return r.json()


async def test_models_have_lineage_for_every_completed_run(client, sim):
    models = (await client.get("/models")).json()
    jobs = (await client.get("/jobs", params={"limit": 200})).json()
    done = {j["id"]: j for j in jobs if j["status"] == "completed"}
    assert {m["lineage"]["job_id"] for m in models} == set(done)
    for m in models:
        job = done[m["lineage"]["job_id"]]
        assert m["name"] == job["name"] == job["hyperparams"]["output_name"]
        assert m["version"] == "v1" and m["status"] == "ready"
        assert m["base_model_id"] == job["base_model_id"] and m["params"] > 0
        assert m["created_at"] == job["finished_at"]
    created = [m["created_at"] for m in models]
    assert created == sorted(created, reverse=True)


async def test_manifest_files_are_valid_and_match_expected_bytes(client, sim):
    model = (await client.get("/models")).json()[0]
    man = await manifest_for(client, model["id"])
    assert man["model_id"] == model["id"] and man["name"] == model["name"]
    rels = [f["rel"] for f in man["files"]]
    assert "config.json" in rels and sum(r.endswith(".safetensors") for r in rels) >= 1
    total = sum(f["size"] for f in man["files"])
    assert abs(total - sim.cfg.model_bytes) < 4096
    async with storage_client(sim) as s:
        for f in man["files"]:
            assert f["url"].startswith("http://sim.test/storage/")
            r = await s.get(f["url"])
            assert r.status_code == 200 and len(r.content) == f["size"]
            assert r.headers["content-length"] == str(f["size"])
            expected = sim.expected_sha256(model["id"], f["rel"])
            assert hashlib.sha256(r.content).hexdigest() == expected
            if f["rel"].endswith(".safetensors"):
                check_safetensors(r.content, f["size"])
            else:
                assert json.loads(r.content)["axom"]["job_id"] == model["lineage"]["job_id"]


async def test_file_contents_are_deterministic_from_seed():
    a, b, c = make_sim(seed=3), make_sim(seed=3), make_sim(seed=4)
    ma, mb = a.models()[0], b.models()[0]
    assert ma["id"] == mb["id"]
    rel = "model-00001-of-00002.safetensors"
    assert a.expected_sha256(ma["id"], rel) == b.expected_sha256(mb["id"], rel)
    mc = c.models()[0]
    assert a.expected_sha256(ma["id"], rel) != c.expected_sha256(mc["id"], rel)


def test_gigabyte_files_without_holding_them():
    sim = make_sim(model_bytes=2_300_000_000)
    model = sim.models()[0]
    entries = sim.storage.files(sim.visible_model(model["id"]))
    shard = entries[0]
    assert shard.size > 1_000_000_000
    head = sim.read_range(model["id"], shard.rel, 0, 4096)
    check_safetensors(head, shard.size)
    tail = sim.read_range(model["id"], shard.rel, shard.size - 3_000_000, shard.size)
    assert len(tail) == 3_000_000
    again = sim.read_range(model["id"], shard.rel, shard.size - 100, shard.size)
    assert again == tail[-100:]
    # chunks differ from each other (not one repeated block)
    mib = 1 << 20
    blk = sim.read_range(model["id"], shard.rel, 10 * mib, 11 * mib)
    assert blk != sim.read_range(model["id"], shard.rel, 20 * mib, 21 * mib)


async def test_range_requests(client, sim):
    model = (await client.get("/models")).json()[0]
    man = await manifest_for(client, model["id"])
    f = next(x for x in man["files"] if x["rel"].endswith(".safetensors"))
    size = f["size"]
    full = sim.read_range(model["id"], f["rel"])
    async with storage_client(sim) as s:
        r = await s.get(f["url"], headers={"Range": "bytes=1000-"})
        assert r.status_code == 206
        assert r.headers["content-range"] == f"bytes 1000-{size - 1}/{size}"
        assert r.content == full[1000:] and r.headers["content-length"] == str(size - 1000)
        r = await s.get(f["url"], headers={"Range": "bytes=10-19"})
        assert r.status_code == 206 and r.content == full[10:20]
        assert r.headers["content-range"] == f"bytes 10-19/{size}"
        r = await s.get(f["url"], headers={"Range": "bytes=-5"})
        assert r.status_code == 206 and r.content == full[-5:]
        for bad in (f"bytes={size}-", "bytes=20-10", "items=0-1", "bytes=0-1,5-6"):
            r = await s.get(f["url"], headers={"Range": bad})
            assert r.status_code == 416, bad
            assert r.headers["content-range"] == f"bytes */{size}"
        r = await s.head(f["url"])
        assert r.status_code == 200 and r.headers["content-length"] == str(size)
        assert r.headers["accept-ranges"] == "bytes"


def tamper(url: str, **changes) -> str:
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    q.update(changes)
    return urlunsplit(parts._replace(query=urlencode(q)))


async def test_presigned_url_rules():
    wall = [1_900_000_000.0]
    sim = make_sim(url_ttl=60)
    sim.wall_clock = lambda: wall[0]
    app = create_app(sim)
    async with api_client(sim) as client, storage_client(sim, app) as s:
        model = (await client.get("/models")).json()[0]
        f = (await manifest_for(client, model["id"]))["files"][0]
        assert (await s.get(f["url"])).status_code == 200
        # storage never needs (and refuses) the API key
        r = await s.get(f["url"], headers=AUTH)
        assert r.status_code == 400 and b"<Error>" in r.content
        # tampering with anything signed -> 403
        exp = parse_qs(urlsplit(f["url"]).query)["expires"][0]
        for bad in (
            tamper(f["url"], sig="0" * 64),
            tamper(f["url"], expires=str(int(exp) + 999)),
            f["url"].replace(f["rel"], "config.json"),
            f["url"].split("?")[0],
        ):
            r = await s.get(bad)
            assert r.status_code == 403, bad
        # expiry is real wall time
        wall[0] += 59
        assert (await s.get(f["url"])).status_code == 200
        wall[0] += 2
        r = await s.get(f["url"])
        assert r.status_code == 403 and b"expired" in r.content
        # a fresh manifest re-signs
        f2 = (await manifest_for(client, model["id"]))["files"][0]
        assert (await s.get(f2["url"], headers={"Range": "bytes=0-7"})).status_code == 206


async def test_unknown_model_404(client):
    r = await client.get("/models/00000000-0000-4000-8000-000000000000/download")
    assert r.status_code == 404 and "detail" in r.json()


async def test_model_of_running_job_appears_only_when_completed(client, sim):
    jobs = (await client.get("/jobs")).json()
    live = {j["id"] for j in jobs if j["status"] not in TERMINAL}
    before = {m["lineage"]["job_id"] for m in (await client.get("/models")).json()}
    assert not (before & live)
    sim.clock.advance(300)  # near-finish completes at E+150
    after = {m["lineage"]["job_id"] for m in (await client.get("/models")).json()}
    assert after - before and (after - before) <= live


async def test_auth_401_and_read_only_scope_403(sim):
    async with api_client(sim, headers=None) as anon:
        for path in ("/jobs", "/models", "/overview", "/usage", "/base-models", "/datasets"):
            r = await anon.get(path)
            assert r.status_code == 401 and r.json()["detail"], path
        r = await anon.get("/jobs", headers={"Authorization": "Bearer axom_live_wrong"})
        assert r.status_code == 401
        r = await anon.get("/jobs", headers={"Authorization": f"Basic {AUTH['Authorization'][7:]}"})
        assert r.status_code == 401
    async with api_client(sim, headers={"Authorization": f"Bearer {READ_KEY}"}) as ro:
        assert (await ro.get("/jobs")).status_code == 200
        model = (await ro.get("/models")).json()[0]
        r = await ro.get(f"/models/{model['id']}/download")
        assert r.status_code == 403 and "scope" in r.json()["detail"]


async def test_no_read_only_key_by_default():
    from axom_tui.sim import SimConfig

    assert SimConfig().read_only_key is None
    sim = make_sim(read_only_key=None)
    async with api_client(sim, headers={"Authorization": f"Bearer {READ_KEY}"}) as c:
        assert (await c.get("/jobs")).status_code == 401


@pytest.mark.parametrize("rel", ["../etc/passwd", "config.json/x", "nope.bin"])
async def test_storage_unknown_key(sim, rel):
    url = sim.storage.presign("http://sim.test", sim.models()[0]["id"], rel, 4_000_000_000)
    async with storage_client(sim) as s:
        r = await s.get(url)
        assert r.status_code in (403, 404)
