"""`axom-tui jobs`, `watch` and `export` as a user runs them: subprocesses against the simulator."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from axom_tui.sim import ManualClock, SimConfig, SimServer, Simulator
from comfort_helpers import command_env, served_simulator

KEY = "axom_live_headlessTESTKEY0123456789"


def _roles() -> dict[str, str]:
    """Job id → final status after 2000 simulated seconds (same seed ⇒ same ids)."""
    probe = Simulator(SimConfig(seed=7, key=KEY, submit_every=0), clock=ManualClock())
    ids = probe.job_ids()
    probe.clock.advance(2000)
    return {jid: probe.ground_truth(jid).status for jid in ids}


@pytest.fixture()
def served():
    with served_simulator(KEY) as (sim, server):
        yield sim, server


def _env(base_url: str) -> dict[str, str]:
    return command_env(base_url, KEY)


def _run(args: list[str], base_url: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "axom_tui", *args],
        env=_env(base_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_jobs_json_lists_every_run_and_never_the_key(served) -> None:
    sim, server = served
    result = _run(["jobs", "--json"], server.base_url)
    assert result.returncode == 0, result.stderr
    jobs = json.loads(result.stdout)
    assert [j["id"] for j in jobs] == sim.job_ids()
    assert {"status", "name", "retries", "total_steps"} <= set(jobs[0])
    assert KEY not in result.stdout + result.stderr
    assert "\x1b" not in result.stdout


def test_jobs_json_carries_the_dashboards_figures_beside_the_record(served) -> None:
    sim, server = served
    sim.clock.advance(400)
    result = _run(["jobs", "--json"], server.base_url)
    assert result.returncode == 0, result.stderr
    jobs = json.loads(result.stdout)
    assert all(
        {"loss", "elapsed_s", "eta_s", "cost_usd", "progress"} <= set(j["derived"]) for j in jobs
    )
    training = [j for j in jobs if j["status"] == "running" and j["latest_step"]]
    assert training and all(isinstance(j["derived"]["loss"], float) for j in training)
    assert all(j["derived"]["elapsed_s"] > 0 for j in training)
    done = [j for j in jobs if j["status"] == "completed"]
    assert done and all(j["derived"]["cost_usd"] is not None for j in done)


def test_jobs_status_is_checked_here_before_asking(served) -> None:
    sim, server = served
    result = _run(["jobs", "--status", "bogus"], server.base_url)
    assert result.returncode == 2
    assert "bogus" in result.stderr and "running" in result.stderr and "HTTP" not in result.stderr
    both = _run(["jobs", "--json", "--status", "running,completed"], server.base_url)
    assert both.returncode == 0, both.stderr
    assert {j["status"] for j in json.loads(both.stdout)} <= {"running", "completed"}


def test_jobs_json_pages_through_an_account_bigger_than_one_answer() -> None:
    sim = Simulator(
        SimConfig(seed=7, key=KEY, submit_every=0, history_runs=450), clock=ManualClock()
    )
    with SimServer(sim) as server:
        result = _run(["jobs", "--json"], server.base_url)
    assert result.returncode == 0, result.stderr
    assert [j["id"] for j in json.loads(result.stdout)] == sim.job_ids()  # 460, not 200


def test_jobs_table_is_plain_text(served) -> None:
    sim, server = served
    result = _run(["jobs"], server.base_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "TYPE", "STATUS"]
    assert len(lines) == 1 + len(sim.job_ids())
    assert "\x1b" not in result.stdout


def _watch_while_time_passes(
    sim: Simulator, base_url: str, job_id: str
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "axom_tui", "watch", job_id, "--every", "300"],
        env=_env(base_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # Let the watcher see the run as it is now before time starts to fly.
    assert started.wait(30), "watch printed nothing"
    deadline = time.monotonic() + 90
    while proc.poll() is None and time.monotonic() < deadline:
        sim.clock.advance(20)  # 200 simulated seconds per real second
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    reader.join(5)
    err = proc.stderr.read() if proc.stderr else ""  # type: ignore[union-attr]
    return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(lines), err)


@pytest.mark.slow  # follows a run to its end in a subprocess
def test_watch_exits_0_when_the_run_completes(served) -> None:
    sim, server = served
    roles = _roles()
    job_id = next(
        j
        for j in sim.job_ids()
        if roles[j] == "completed" and sim.ground_truth(j).status != "completed"
    )
    result = _watch_while_time_passes(sim, server.base_url, job_id)
    assert result.returncode == 0, result.stderr
    assert "status completed" in result.stdout
    assert "step " in result.stdout and "loss" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.slow  # follows a run to its end in a subprocess
def test_watch_exits_1_when_the_run_fails_and_says_why(served) -> None:
    sim, server = served
    roles = _roles()
    job_id = next(j for j in sim.job_ids() if roles[j] == "failed")
    result = _watch_while_time_passes(sim, server.base_url, job_id)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(tuple("0123456789"))  # timestamped plain lines
    assert "status failed" in result.stdout
    assert "failed: worker crashed" in result.stdout
    assert "\x1b" not in result.stdout


def test_watch_unknown_run_exits_2(served) -> None:
    _, server = served
    result = _run(["watch", "00000000-0000-0000-0000-000000000000"], server.base_url)
    assert result.returncode == 2
    assert "not found" in result.stderr


def test_export_writes_every_point_once(served, tmp_path: Path) -> None:
    sim, server = served
    done = next(
        j
        for j in sim.job_ids()
        if sim.ground_truth(j).status == "completed" and len(sim.ground_truth(j).metrics) > 500
    )  # more than one page
    truth = sim.ground_truth(done).metrics
    out = tmp_path / "m.csv"
    result = _run(["export", done, "--csv", str(out)], server.base_url)
    assert result.returncode == 0, result.stderr
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == sorted(truth)
    first = rows[0]
    assert float(first["loss"]) == pytest.approx(truth[int(first["step"])]["loss"])


def test_no_key_is_a_clear_error(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AXOM_")}
    env["AXOM_CONFIG"] = str(tmp_path / "none.toml")
    result = subprocess.run(
        [sys.executable, "-m", "axom_tui", "jobs"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "AXOM_KEY" in result.stderr
