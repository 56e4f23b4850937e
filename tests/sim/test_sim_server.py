"""SimServer over loopback, the curl example, and the CLI."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from axom_tui.sim import SimServer
from axom_tui.sim.cli import add_arguments, parse_size
from sim_helpers import AUTH, KEY, make_sim


def test_server_base_url_and_stop():
    sim = make_sim()
    server = SimServer(sim, port=0)
    server.start()
    try:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}/api"
        r = httpx.get(server.base_url + "/jobs", headers=AUTH)
        assert r.status_code == 200 and len(r.json()) >= 8
        assert httpx.get(server.base_url + "/jobs").status_code == 401
    finally:
        server.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(server.base_url + "/jobs", headers=AUTH, timeout=1)


async def test_async_context_manager():
    sim = make_sim()
    async with SimServer(sim) as server:
        async with httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as c:
            jobs = (await c.get("/jobs")).json()
            m = await c.get(f"/jobs/{jobs[0]['id']}/metrics")
            assert m.status_code == 200


def test_curl_example_works():
    sim = make_sim()
    with SimServer(sim) as server:
        out = subprocess.run(
            ["curl", "-s", "-f", "-H", f"Authorization: Bearer {KEY}", f"{server.base_url}/jobs"],
            capture_output=True,
            timeout=20,
        )
        assert out.returncode == 0
        jobs = json.loads(out.stdout)
        assert isinstance(jobs, list) and len(jobs) >= 8
        jid = jobs[0]["id"]
        out = subprocess.run(
            [
                "curl",
                "-s",
                "-f",
                "-H",
                f"Authorization: Bearer {KEY}",
                f"{server.base_url}/jobs/{jid}/logs",
            ],
            capture_output=True,
            timeout=20,
        )
        assert json.loads(out.stdout)["job_id"] == jid


def test_cli_arguments():
    p = argparse.ArgumentParser()
    add_arguments(p)
    a = p.parse_args([])
    assert (a.port, a.host, a.speed, a.seed, a.url_ttl, a.model_bytes) == (
        8765,
        "127.0.0.1",
        30.0,
        7,
        300.0,
        4_000_000,
    )
    a = p.parse_args(
        [
            "--port",
            "0",
            "--faults",
            "error_rate=0.1,retry_after=2",
            "--model-bytes",
            "2GB",
            "--speed",
            "5",
            "--url-ttl",
            "10",
        ]
    )
    assert a.faults.error_rate == 0.1 and a.model_bytes == 2_000_000_000
    assert parse_size("1.5MiB") == 1_572_864
    with pytest.raises(SystemExit):
        p.parse_args(["--faults", "nonsense=1"])


def test_cli_serves_and_prints_key_and_curl_line():
    env = {k: v for k, v in os.environ.items() if k != "AXOM_KEY"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "axom_tui.sim.cli", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        base = next(x.split()[-1] for x in lines if "base URL" in x)
        key = next(x.split()[-1] for x in lines if "API key" in x)
        assert key.startswith("axom_live_") and f'curl -H "Authorization: Bearer {key}"' in text
        for _ in range(100):
            out = subprocess.run(
                ["curl", "-s", "-f", "-H", f"Authorization: Bearer {key}", f"{base}/jobs"],
                capture_output=True,
                timeout=20,
            )
            if out.returncode == 0:
                break
            time.sleep(0.05)
        assert len(json.loads(out.stdout)) >= 8
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            assert proc.wait(10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
