"""Hostile manifests, disk space, disk full, cancel, model lookup, progress throttling."""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
from pathlib import Path

import pytest

from axom_tui.download import DownloadError, FileState, NoModelError, TaskState, files as files_mod
from axom_tui.download.errors import RestartError
from axom_tui.download.progress import ProgressTracker, RateMeter
from axom_tui.download.safe_paths import resolve_target
from dl_fakeserver import JOB_ID, MODEL_ID, FakeFile, FakeFusion, blob
from dl_helpers import tree

MB = 1 << 20
HOSTILE = [
    "/tmp/axom-evil-abs",
    "../escape.bin",
    "a/../../nested.bin",
    "..\\win.bin",
    "C:evil.bin",
    "ctl\x1b[2Jname",
    "",
    "link/through.bin",
    "trap.json",
]


async def test_hostile_manifest_refuses_unsafe_names_and_writes_nothing_outside(
    fusion: FakeFusion, make_manager, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.json").write_bytes(b"original")
    dest = tmp_path / "work" / "dest"
    dest.mkdir(parents=True)
    (dest / "link").symlink_to(outside)
    (dest / "trap.json").symlink_to(outside / "victim.json")
    good, nested = blob(2000, 1), blob(3000, 2)
    fusion.files = [FakeFile(rel, b"EVIL" * 10) for rel in HOSTILE]
    fusion.files += [FakeFile("config.json", good), FakeFile("sub/model.bin", nested)]
    before_tmp = set(os.listdir(tmp_path))
    manager, seen = make_manager()
    outcome = await manager.download(JOB_ID, dest)

    assert not outcome.ok and outcome.state is TaskState.FAILED
    assert f"{len(HOSTILE)} files refused" in outcome.reason
    assert sorted(f.rel for f in outcome.refused) == sorted(HOSTILE)
    assert [f.rel for f in outcome.completed] == ["config.json", "sub/model.bin"]
    # The safe files arrived; nothing was written anywhere else.
    assert tree(dest) == {"config.json": good, "sub/model.bin": nested}
    assert tree(outside) == {"victim.json": b"original"}
    assert os.readlink(dest / "trap.json") == str(outside / "victim.json")
    assert set(os.listdir(tmp_path)) == before_tmp
    assert set(os.listdir(tmp_path / "work")) == {"dest"}
    assert not Path("/tmp/axom-evil-abs").exists()
    # Refused files were never requested.
    assert all(not f.requests for f in fusion.files[: len(HOSTILE)])
    refused_states = {f.state for f in seen[-1].files[: len(HOSTILE)]}
    assert refused_states == {FileState.REFUSED}


async def test_symlink_planted_during_download_is_not_followed(
    fusion: FakeFusion, make_manager, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    fusion.files = [
        FakeFile("slow.bin", blob(MB, 3), delay=0.02),
        FakeFile("late/x.bin", b"x" * 10),
    ]
    manager, _ = make_manager(max_parallel_files=1)
    task = manager.start(JOB_ID, dest)
    while not (dest / "slow.bin.part").exists():
        await asyncio.sleep(0.01)
    (dest / "late").symlink_to(outside)
    outcome = await task.wait()
    assert not outcome.ok
    assert [f.rel for f in outcome.refused] == ["late/x.bin"]
    assert list(outside.iterdir()) == []


async def test_disk_space_is_checked_before_any_transfer(
    fusion: FakeFusion, make_manager, dest: Path, monkeypatch
) -> None:
    fusion.files = [FakeFile("a.bin", blob(5000, 4)), FakeFile("b.bin", blob(5000, 5))]
    dest.mkdir()
    (dest / "a.bin.part").write_bytes(blob(5000, 4)[:3000])
    real = shutil.disk_usage
    asked: list[int] = []

    def tiny(path: os.PathLike[str] | str) -> object:
        usage = real(path)
        asked.append(1)
        return type(usage)(usage.total, usage.used, 6999)

    monkeypatch.setattr(files_mod.shutil, "disk_usage", tiny)
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert asked and not outcome.ok
    assert "not enough disk space" in outcome.reason
    assert "7.0 kB still needed, 7.0 kB free" in outcome.reason  # 2000 + 5000 vs 6999
    assert all(not f.requests for f in fusion.files)
    assert {f.state for f in outcome.files} == {FileState.FAILED}

    def enough(path: os.PathLike[str] | str) -> object:
        usage = real(path)
        return type(usage)(usage.total, usage.used, 7000)  # 2000 + 5000 still needed

    monkeypatch.setattr(files_mod.shutil, "disk_usage", enough)
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome


async def test_disk_full_mid_write_fails_that_file_and_keeps_the_part(
    fusion: FakeFusion, make_manager, dest: Path, monkeypatch
) -> None:
    fusion.files = [FakeFile("a.bin", blob(MB, 6))]
    real_write = files_mod.PartWriter.write

    def write(self: files_mod.PartWriter, chunk: bytes) -> None:
        # Like a real disk: what fits is written, then ENOSPC. One read may carry most
        # of the file, so cut by bytes.
        room = 300_000 - self.offset
        if len(chunk) > room:
            real_write(self, memoryview(chunk)[: max(room, 0)])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, chunk)

    monkeypatch.setattr(files_mod.PartWriter, "write", write)
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok
    assert outcome.failed[0].reason.startswith("disk full")
    assert not (dest / "a.bin").exists()
    assert (dest / "a.bin.part").stat().st_size == 300_000
    assert len(fusion.files[0].requests) == 1  # not retried


async def test_cancel_stops_and_keeps_the_part_for_a_resume(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(2 * MB, 7)
    fusion.files = [FakeFile("a.bin", data, delay=0.02), FakeFile("b.bin", b"later")]
    manager, seen = make_manager(max_parallel_files=1)
    task = manager.start(JOB_ID, dest)
    while task.progress.done_bytes < 200_000:
        await asyncio.sleep(0.01)
    assert manager.cancel(task.id)
    outcome = await task.wait()
    assert outcome.state is TaskState.CANCELLED and not outcome.ok
    assert [f.state for f in outcome.files] == [FileState.CANCELLED] * 2  # queued one too
    assert seen[-1].state is TaskState.CANCELLED
    assert not (dest / "a.bin").exists() and (dest / "a.bin.part").exists()
    assert not manager.cancel(task.id)
    # ...and a new download picks the .part up.
    fusion.files[0].delay = 0
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok and outcome.resumes == 1
    assert tree(dest) == {"a.bin": data, "b.bin": b"later"}


async def test_cancel_before_it_starts(fusion: FakeFusion, make_manager, dest: Path) -> None:
    fusion.files = [FakeFile("a.bin", b"abc")]
    manager, _ = make_manager()
    task = manager.start(JOB_ID, dest)
    task.cancel()
    outcome = await task.wait()
    assert outcome.state is TaskState.CANCELLED


async def test_two_downloads_at_once_and_one_dest_guard(
    fusion: FakeFusion, make_manager, tmp_path: Path
) -> None:
    data = blob(MB, 8)
    # ~0.8 s per download: "one" must still hold its folder when the clash asks for it
    # (at 0.08 s a loaded CI machine once let "one" finish first).
    fusion.files = [FakeFile("a.bin", data, delay=0.05)]
    manager, _ = make_manager()
    one = manager.start(JOB_ID, tmp_path / "one")
    two = manager.start(JOB_ID, tmp_path / "two")
    while one.progress.state is not TaskState.DOWNLOADING:  # "one" holds its folder now
        await asyncio.sleep(0.005)
    clash = manager.start(JOB_ID, tmp_path / "one")
    refused = await clash.wait()
    assert one.progress.state is TaskState.DOWNLOADING  # the clash was answered meanwhile
    results = [await t.wait() for t in (one, two)]
    assert results[0].ok and results[1].ok
    assert not refused.ok and "already writing" in refused.reason
    assert tree(tmp_path / "two") == {"a.bin": data}


async def test_default_dest_is_a_safe_folder_under_base_dir(
    fusion: FakeFusion, make_manager, tmp_path: Path
) -> None:
    fusion.name, fusion.version = "../../evil name", "v/2"
    fusion.files = [FakeFile("a.bin", b"abc")]
    manager, _ = make_manager(base_dir=tmp_path)
    outcome = await manager.download(JOB_ID)
    assert outcome.ok
    assert outcome.dest == tmp_path / "evil_name-v_2"
    assert tree(tmp_path) == {"evil_name-v_2/a.bin": b"abc"}


async def test_find_model_for_job_errors_are_clear(fusion: FakeFusion, make_manager) -> None:
    manager, _ = make_manager()
    model = await manager.find_model_for_job(JOB_ID)
    assert model.id == MODEL_ID
    assert (await manager.find_model_for_job(MODEL_ID)).id == MODEL_ID
    fusion.has_model = False
    fusion.job_status = "running"
    with pytest.raises(NoModelError, match="is running; its model can be downloaded once"):
        await manager.find_model_for_job(JOB_ID)
    fusion.job_status = "completed"
    with pytest.raises(NoModelError, match="no model is listed"):
        await manager.find_model_for_job(JOB_ID)
    with pytest.raises(NoModelError, match="no run or model with id nope"):
        await manager.find_model_for_job("nope")
    outcome = await manager.download("nope")
    assert outcome.state is TaskState.FAILED and "no run or model" in outcome.reason


async def test_bad_key_is_a_clear_failure(fusion: FakeFusion, server) -> None:
    from axom_tui.api.client import AxomClient
    from axom_tui.download import DownloadManager

    async with AxomClient(server.base_url, "axom_live_wrongwrongwrong") as api:
        async with DownloadManager(api) as manager:
            with pytest.raises(DownloadError, match="401"):
                await manager.find_model_for_job(JOB_ID)


def test_part_that_shrank_on_disk_never_gets_the_final_name(tmp_path: Path) -> None:
    target = resolve_target(tmp_path, "x.bin")
    writer = files_mod.PartWriter(target, 10, None)
    writer.write(b"0123456789")
    os.truncate(target.part, 4)  # something else cut the file behind our back
    with pytest.raises(RestartError, match="size on disk is 4"):
        writer.finalize()
    writer.close()
    assert not target.final.exists()


def test_tracker_publishes_state_changes_at_once_and_throttles_bytes() -> None:
    now = [0.0]
    seen = []
    tracker = ProgressTracker("t", seen.append, clock=lambda: now[0])
    counter = tracker.add_file("a", 1000)
    tracker.set_task_state(TaskState.DOWNLOADING)
    tracker.set_file_state(counter, FileState.DOWNLOADING)
    assert len(seen) == 2
    for _ in range(100):
        counter.add(5)  # the hot path publishes nothing
    assert len(seen) == 2
    now[0] = 1.0
    tracker.tick()
    assert len(seen) == 3 and seen[-1].done_bytes == 500 and seen[-1].speed == pytest.approx(500)
    assert seen[-1].eta == pytest.approx(1.0)
    tracker.tick()  # nothing moved: nothing new
    assert len(seen) == 3
    with pytest.raises(AttributeError):
        seen[-1].done_bytes = 1  # type: ignore[misc]


def test_rate_meter_is_a_moving_window() -> None:
    meter = RateMeter(window=2.0)
    meter.sample(0.0, 0)
    meter.sample(1.0, 100)
    assert meter.sample(2.0, 200) == pytest.approx(100)
    meter.sample(3.0, 1200)
    assert meter.sample(4.0, 2200) == pytest.approx(1000)  # the slow start has left the window


def test_a_broken_progress_callback_does_not_break_the_tracker() -> None:
    def boom(_: object) -> None:
        raise RuntimeError("ui bug")

    tracker = ProgressTracker("t", boom)
    tracker.set_task_state(TaskState.DOWNLOADING)
    assert tracker.latest is not None
