"""Promise 6 (defined in conftest.py): downloads survive anything.

1. A storm of scripted faults from our own storage server (rel_faultstore): bodies cut
   or reset mid-stream, stalls past the timeout, 403 on a resume (every link expires,
   the manifest is fetched again), 200 to a Range request, a wrong Content-Range start,
   a wrong total size, extra bytes, a body that ends early, a flipped byte (files with a
   checksum), 5xx and 429 on storage and on the manifest, and disk full (a write that
   stores half a chunk then raises ENOSPC). The user runs the download again and again until it is done; after every run each file
   is either at its final name and verified (sha256 against the source) or absent there,
   with at most a ``.part`` holding a true prefix. Every resume asks for exactly the
   bytes missing: the Range start is compared with the .part on disk at that moment.
2. The download CLI in a subprocess, SIGKILLed mid-transfer several times and started
   again: it resumes where the file on disk ends and finishes byte-exact.
3. The simulator's own ``cut``/``error_rate``/``drop`` faults.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from axom_tui.api import AxomClient
from axom_tui.download import DownloadManager, files
from axom_tui.sim import FaultConfig, SimConfig, SimServer, Simulator
from rel_faultstore import JOB_ID, STORAGE_FAULTS, Entry, FaultStore, blob, check_tree
from rel_helpers import KEY, PYTHON, REPO, ThreadServer, child_env, figure

CHUNK = 64 * 1024  # the server's piece; also what "one chunk" means below
STALL_TIMEOUT = 0.2


def entries() -> list[Entry]:
    return [
        Entry("config.json", b'{"architectures": ["AxomForCausalLM"]}\n' * 30),
        Entry("tokenizer/vocab.txt", blob(70_001, 1), with_sha=True),
        Entry("model-00001-of-00003.safetensors", blob(200_000, 2)),
        Entry("model-00002-of-00003.safetensors", blob(350_000, 3), with_sha=True),
        Entry("model-00003-of-00003.safetensors", blob(700_000, 4)),
        Entry("empty.bin", b""),
        Entry("one-byte.bin", b"x"),
    ]


class DiskFull:
    """Patches PartWriter.write: now and then, store half the chunk and raise ENOSPC."""

    def __init__(self, budget: int, share: float, seed: int) -> None:
        self.budget = budget
        self.share = share
        self.rng = random.Random(seed)
        self.injected = 0
        self.original = files.PartWriter.write

    def install(self, monkeypatch) -> None:
        fault = self

        def write(writer, chunk) -> None:
            if fault.budget > 0 and len(chunk) > 1 and fault.rng.random() < fault.share:
                fault.budget -= 1
                fault.injected += 1
                view = memoryview(chunk)
                writer._file.write(view[: len(view) // 2])  # what fitted before the disk filled
                raise OSError(errno.ENOSPC, "No space left on device")
            fault.original(writer, chunk)

        monkeypatch.setattr(files.PartWriter, "write", write)


async def _no_wait(_delay: float) -> None:
    await asyncio.sleep(0)


def _resume_waste(store: FaultStore) -> tuple[int, int, int, list[str]]:
    """(resume requests, bytes already on disk at them, bytes asked for again, problems)."""
    resumes = on_disk = again = 0
    problems = []
    for item in store.log:
        part, start = item["part"], item["start"]
        if start is None:
            if part:  # a fresh GET while a .part holds data: everything again
                problems.append(f"{item['rel']}: GET from 0 with {part} bytes on disk")
            continue
        resumes += 1
        on_disk += part or 0
        waste = (part or 0) - start
        again += max(0, waste)
        if not 0 <= waste <= CHUNK:
            problems.append(f"{item['rel']}: asked from {start} with {part} bytes on disk")
    return resumes, on_disk, again, problems


async def test_download_storm_every_file_verified_or_absent(tmp_path, monkeypatch):
    script = [fault for fault in STORAGE_FAULTS for _ in range(18)]  # 18 of each kind,
    script = [f for f in script if f != "stall"] + ["stall"] * 6  # but stalls cost real time
    random.Random(7).shuffle(script)
    store = FaultStore(
        entries(),
        script=script,
        fault_share=0.85,
        api_script=["503", "429"] * 6,
        stall_hold=STALL_TIMEOUT * 3,
        seed=11,
    )
    planned = len(script) + len(store.api_script)
    disk = DiskFull(budget=20, share=0.05, seed=3)
    disk.install(monkeypatch)
    rounds, sessions, outcomes, verified = 0, 0, [], 0
    with ThreadServer(store.app()) as server:
        async with AxomClient(server.origin + "/api", KEY, retries=0) as client:
            # The same model into a fresh folder, again and again, until the script is used up;
            # each time the user re-runs the download until it succeeds.
            while (store.script or store.api_script) and sessions < 40:
                sessions += 1
                dest = store.dest = tmp_path / f"model-{sessions}"
                for _ in range(60):
                    rounds += 1
                    async with DownloadManager(
                        client,
                        max_parallel_files=3,
                        sleep=_no_wait,
                        stall_timeout=STALL_TIMEOUT,
                        max_attempts=10,
                        progress_interval=0.05,
                    ) as manager:
                        outcome = await manager.download(JOB_ID, dest)
                    outcomes.append(outcome)
                    state = check_tree(dest, store.entries)
                    assert state["violations"] == [], (rounds, state["violations"])
                    if outcome.ok:
                        break
                assert outcome.ok, (rounds, outcome.reason, dict(store.served))
                final = check_tree(dest, store.entries)
                assert sorted(final["verified"]) == sorted(e.rel for e in store.entries)
                assert not list(dest.rglob("*.part")), "no .part left once everything is verified"
                verified += len(final["verified"])
    resumes, on_disk, again, problems = _resume_waste(store)
    assert problems == [], problems[:10]
    assert store.storage_auth == []

    storage_faults = sum(
        n for f, n in store.served.items() if f not in ("ok",) and not f.startswith("api")
    )
    api_faults = sum(n for f, n in store.served.items() if f.startswith("api"))
    injected = storage_faults + api_faults + disk.injected
    failed_rounds = sum(1 for o in outcomes if not o.ok)
    figure("downloads: storm faults injected (storage)", storage_faults)
    figure("downloads: storm faults injected (manifest 5xx/429)", api_faults)
    figure("downloads: storm faults injected (disk full)", disk.injected)
    figure("downloads: faults injected total", injected)
    figure("downloads: storm sessions (fresh folders)", sessions)
    figure("downloads: storm rounds (runs of the download)", rounds)
    figure("downloads: storm rounds ending with files absent/.part only", failed_rounds)
    figure("downloads: files verified by sha256", verified)
    figure("downloads: resume requests measured", resumes)
    figure("downloads: bytes on disk at resume requests", on_disk)
    figure("downloads: bytes re-requested on resume", again)
    assert injected >= 200, (injected, dict(store.served))
    assert not store.script and not store.api_script, "the whole script was served"
    for kind in STORAGE_FAULTS:
        assert store.served[kind] > 0, kind
    assert disk.injected >= 5
    assert resumes >= 50
    assert planned >= 200


# ---------------------------------------------------------------- SIGKILL mid-transfer


def _parts_bytes(dest: Path) -> int:
    """Bytes in .part files now; one may be renamed (finished) between listing and stat."""
    total = 0
    for part in dest.rglob("*.part") if dest.exists() else ():
        try:
            total += part.stat().st_size
        except FileNotFoundError:
            pass
    return total


@pytest.mark.slow  # the download command in a subprocess, killed and started again
def test_cli_killed_mid_write_resumes_byte_exact(tmp_path):
    dest = tmp_path / "out" / "storm-model-v1"  # --dest DIR: the model's own folder in DIR
    store = FaultStore(
        [
            Entry("model-00001-of-00002.safetensors", blob(4_400_000, 21)),
            Entry("model-00002-of-00002.safetensors", blob(1_500_000, 22)),
            Entry("config.json", b"{}\n" * 100),
        ],
        dest=dest,
        piece_delay=0.008,
        seed=5,
    )
    total = sum(len(e.data) for e in store.entries)
    kills, at_kill = 0, []
    argv = [
        PYTHON,
        "-m",
        "axom_tui",
        "download",
        JOB_ID,
        "--dest",
        str(dest.parent),
        "--parallel",
        "3",
    ]
    with ThreadServer(store.app()) as server:
        env = child_env()
        for threshold in (0.2, 0.55):
            proc = subprocess.Popen(
                argv + ["--base-url", server.origin + "/api"],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            deadline = time.monotonic() + 30
            while _parts_bytes(dest) < threshold * total and proc.poll() is None:
                assert time.monotonic() < deadline, "the download did not progress"
                time.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
            kills += 1
            at_kill.append(_parts_bytes(dest))
            state = check_tree(dest, store.entries)
            assert state["violations"] == [], state
        done = subprocess.run(
            argv + ["--base-url", server.origin + "/api"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    final = check_tree(dest, store.entries)
    assert sorted(final["verified"]) == sorted(e.rel for e in store.entries)
    resumes, on_disk, again, problems = _resume_waste(store)
    assert problems == [], problems
    assert resumes >= 2 and on_disk > 0
    assert at_kill[0] > 0
    figure("downloads: CLI processes SIGKILLed mid-transfer", kills)
    figure("downloads: faults injected total", kills)
    figure("downloads: resume requests measured", resumes)
    figure("downloads: bytes on disk at resume requests", on_disk)
    figure("downloads: bytes re-requested on resume", again)
    figure("downloads: files verified by sha256", len(final["verified"]))


# ---------------------------------------------------------------- the simulator's own faults


async def test_simulator_cut_and_error_faults(tmp_path):
    sim = Simulator(
        SimConfig(
            seed=9,
            key=KEY,
            model_bytes=2_500_000,
            model_shards=2,
            faults=FaultConfig(cut=0.5, error_rate=0.15, drop=0.05, seed=4),
        )
    )
    models = sim.models()[:2]
    assert len(models) == 2
    rounds = 0
    with SimServer(sim) as server:
        async with AxomClient(server.base_url, KEY, retries=0) as client:
            for model in models:
                dest = tmp_path / model["id"]
                for _ in range(40):
                    rounds += 1
                    async with DownloadManager(client, sleep=_no_wait, max_attempts=8) as manager:
                        outcome = await manager.download(model["lineage"]["job_id"], dest)
                    for f in outcome.files:
                        final = dest / f.rel
                        if final.exists():
                            digest = hashlib.sha256(final.read_bytes()).hexdigest()
                            assert digest == sim.expected_sha256(model["id"], f.rel), f.rel
                    if outcome.ok:
                        break
                assert outcome.ok, outcome.reason
        counts = dict(server.app.counts)
    injected = counts["cut"] + counts["5xx"] + counts["drop"] + counts["429"]
    figure("downloads: simulator faults injected (cut/5xx/drop)", injected)
    figure("downloads: faults injected total", injected)
    figure(
        "downloads: files verified by sha256",
        sum(len(sim.storage.files(sim.visible_model(m["id"]))) for m in models),
    )
    assert counts["cut"] >= 2
