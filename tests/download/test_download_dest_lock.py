"""Two processes, one download folder: the second declines instead of sharing .part files.

Seen before: two instances downloading the same model into one folder appended to the
same ``.part``; one renamed it, the other failed with "No such file".
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from axom_tui.download import TaskState
from axom_tui.download.dest_lock import LOCK_NAME
from dl_fakeserver import JOB_ID, KEY, FakeFile, FakeFusion, blob
from dl_helpers import tree

MB = 1 << 20
REPO = Path(__file__).resolve().parents[2]


async def test_a_second_process_declines_while_the_first_downloads(
    fusion: FakeFusion, server, make_manager, tmp_path: Path
) -> None:
    data = blob(2 * MB, 1)
    fusion.files = [FakeFile("model.bin", data, delay=0.1), FakeFile("config.json", b"{}")]
    folder = tmp_path / "fusion-test-v1"
    env = {**os.environ, "AXOM_KEY": KEY, "PYTHONPATH": str(REPO)}
    env.pop("AXOM_BASE_URL", None)
    first = subprocess.Popen(  # noqa: ASYNC220 - the server runs in a thread of its own
        [
            sys.executable,
            "-m",
            "axom_tui",
            "download",
            JOB_ID,
            "--dest",
            str(tmp_path),
            "--base-url",
            server.base_url,
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (fusion.files[0].requests and (folder / "model.bin.part").exists()):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first download never started"
            await asyncio.sleep(0.01)
        requests_before = len(fusion.files[0].requests)
        manager, _ = make_manager()
        outcome = await manager.download(JOB_ID, folder)  # the same folder, this process
        assert first.poll() is None, "the first download must still be running for this test"
    finally:
        _, err = await asyncio.to_thread(first.communicate, timeout=60)
    assert outcome.state is TaskState.FAILED
    assert f"is already being downloaded by another axom-tui (pid {first.pid})" in outcome.reason
    assert len(fusion.files[0].requests) == requests_before  # it fetched nothing
    assert first.returncode == 0, err
    assert tree(folder) == {"model.bin": data, "config.json": b"{}"}  # no lock file left
    again = await manager.download(JOB_ID, folder)  # once the first is done: fine
    assert again.ok and again.received_bytes == 0


async def test_a_lock_file_left_by_a_killed_process_does_not_block(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("a.bin", b"abc")]
    dest.mkdir()
    (dest / LOCK_NAME).write_text("4242\n")  # no one holds it: its process is gone
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"a.bin": b"abc"}


async def test_a_manifest_file_named_like_the_lock_is_refused(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile(LOCK_NAME, b"evil"), FakeFile("a.bin", b"abc")]
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert [f.rel for f in outcome.refused] == [LOCK_NAME]
    assert tree(dest) == {"a.bin": b"abc"}
