"""The shell commands compose (issue 16): the ids `jobs` prints work everywhere, a closed
pipe ends a command quietly, CSV has every field, and `jobs` shows what the list shows.

Subprocesses against the simulator on a ManualClock (nothing moves unless a test moves it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from axom_tui.sim import Simulator
from axom_tui.view import format as fmt
from comfort_helpers import command_env, served_simulator

KEY = "axom_live_shellCMDStestKEY0123456789"


@pytest.fixture(scope="module")
def served():
    with served_simulator(KEY) as (sim, server):
        yield sim, server.base_url


def _env(base_url: str) -> dict[str, str]:
    return command_env(base_url, KEY)


def _run(
    args: list[str], base_url: str, cwd: Path | None = None, **kw
) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    return subprocess.run(
        [sys.executable, "-m", "axom_tui", *args],
        check=False,
        env=_env(base_url),
        text=True,
        timeout=60,
        cwd=cwd,
        **kw,
    )


def _completed(sim: Simulator) -> str:
    return next(
        j
        for j in sim.job_ids()
        if sim.ground_truth(j).status == "completed" and len(sim.ground_truth(j).metrics) > 500
    )


def _to_a_closed_pipe(args: list[str], base_url: str) -> subprocess.CompletedProcess:
    """Standard output is a pipe whose reader has already gone (`| head` that finished)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return _run(args, base_url, stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)


# ------------------------------------------------------------ naming a run


def test_the_ids_jobs_prints_name_the_run_in_watch_and_export(served, tmp_path) -> None:
    sim, url = served
    done = _completed(sim)
    listing = _run(["jobs"], url)
    short = next(
        line.split()[0]
        for line in listing.stdout.splitlines()[1:]
        if done.startswith(line.split()[0])
    )
    assert len(short) == 8
    watch = _run(["watch", short, "--no-logs"], url)
    assert watch.returncode == 0, watch.stderr
    assert "status completed" in watch.stdout
    export = _run(["export", short, "--csv", str(tmp_path / "m.csv")], url)
    assert export.returncode == 0, export.stderr
    assert len((tmp_path / "m.csv").read_text().splitlines()) == 1 + len(
        sim.ground_truth(done).metrics
    )


def test_a_runs_exact_name_names_it(served, tmp_path) -> None:
    sim, url = served
    done = _completed(sim)
    name = json.loads(_run(["jobs", "--json"], url).stdout)
    name = next(j["name"] for j in name if j["id"] == done)
    export = _run(["export", name, "--csv", str(tmp_path / "m.csv")], url)
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith(f"wrote {len(sim.ground_truth(done).metrics)} points")


def test_an_ambiguous_prefix_lists_the_candidates_and_exits_2(served) -> None:
    sim, url = served
    prefix, count = Counter(j[0] for j in sim.job_ids()).most_common(1)[0]
    assert count >= 2
    for command in (["watch", prefix], ["export", prefix, "--csv", "-"]):
        result = _run(command, url)
        assert result.returncode == 2, result.stderr
        assert f"matches {count} runs" in result.stderr
        for job_id in sim.job_ids():
            assert (job_id in result.stderr) == job_id.startswith(prefix)
        assert result.stdout == "" and "Traceback" not in result.stderr


def test_a_reference_to_no_run_exits_2(served) -> None:
    _, url = served
    result = _run(["export", "zz-no-such-run", "--csv", "-"], url)
    assert result.returncode == 2 and "not found" in result.stderr and result.stdout == ""


# ------------------------------------------------------------ closed pipes


@pytest.mark.parametrize(
    "args",
    [["jobs"], ["jobs", "--json"], ["export", "{done}", "--csv", "-"]],
    ids=["jobs", "jobs --json", "export --csv -"],
)
def test_a_closed_pipe_ends_a_listing_quietly_with_its_status(served, args) -> None:
    sim, url = served
    result = _to_a_closed_pipe([a.format(done=_completed(sim)) for a in args], url)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_watch_into_head_exits_with_the_runs_outcome(served) -> None:
    """`watch ID | head -2` on a completed run: 0, and no traceback."""
    sim, url = served
    proc = subprocess.Popen(
        [sys.executable, "-m", "axom_tui", "watch", _completed(sim)],
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = [proc.stdout.readline(), proc.stdout.readline()]
    proc.stdout.close()  # head has its two lines and leaves
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 0, err
    assert all(line.strip() for line in head)
    assert err == ""


def test_watch_of_a_live_run_stops_when_nobody_reads(served) -> None:
    sim, url = served
    live = next(j for j in sim.job_ids() if sim.ground_truth(j).status == "running")
    result = _to_a_closed_pipe(["watch", live], url)
    assert result.returncode == 141, result.stderr  # as a shell reports a SIGPIPE death
    assert result.stderr == ""


# ------------------------------------------------------------ CSV


def _truth_rows(sim: Simulator, job_id: str) -> list[dict]:
    truth = sim.ground_truth(job_id).metrics
    return [truth[step] for step in sorted(truth)]


def test_csv_has_cycle_phase_and_timestamp_on_every_row(served, tmp_path) -> None:
    sim, url = served
    done = _completed(sim)
    path = tmp_path / "m.csv"
    assert _run(["export", done, "--csv", str(path)], url).returncode == 0
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    truth = _truth_rows(sim, done)
    assert list(rows[0])[:4] == ["step", "timestamp", "cycle", "phase"]
    assert [(int(r["step"]), r["timestamp"], int(r["cycle"]), r["phase"]) for r in rows] == [
        (t["step"], t["ts"], t["cycle"], t["phase"]) for t in truth
    ]


def test_csv_dash_writes_to_standard_output(served, tmp_path) -> None:
    sim, url = served
    done = _completed(sim)
    result = _run(["export", done, "--csv", "-"], url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "-").exists()
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["step"]) for r in rows] == [t["step"] for t in _truth_rows(sim, done)]


# ------------------------------------------------------------ jobs: what the list shows


def test_plain_jobs_shows_loss_cost_elapsed_and_eta_as_the_dashboard_list_does(served) -> None:
    sim, url = served
    result = _run(["jobs"], url)
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split() == [
        "ID",
        "NAME",
        "TYPE",
        "STATUS",
        "PROGRESS",
        "LOSS",
        "RETRIES",
        "ELAPSED",
        "ETA",
        "COST",
    ]
    by_id = {line.split()[0]: line for line in lines}
    assert len(by_id) == len(sim.job_ids())
    for job_id in sim.job_ids():
        truth = sim.ground_truth(job_id)
        line = by_id[job_id[:8]]
        if truth.status == "completed":
            assert line.endswith(fmt.money(truth.result["cost_usd"])), line
            assert f" {fmt.metric(truth.result['loss_final'])} " in line, line
            assert " done " in line
        elif truth.status == "running" and truth.metrics:
            loss = line.split()[-5]  # LOSS RETRIES ELAPSED ETA COST
            assert float(loss) > 0, line
