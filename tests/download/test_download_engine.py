"""The engine against a scriptable local server: resume, restart, re-sign, retry, verify."""

from __future__ import annotations

import hashlib
from pathlib import Path

from axom_tui.download import FileState, TaskState
from dl_fakeserver import JOB_ID, FakeFile, FakeFusion, blob
from dl_helpers import tree

MB = 1 << 20


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_plain_download_is_byte_exact_and_storage_gets_no_key(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    big, small = blob(3 * MB + 17, 1), blob(1000, 2)
    fusion.files = [
        FakeFile("model.safetensors", big, sha256=_sha(big)),
        FakeFile("sub/config.json", small),
        FakeFile("empty.txt", b""),
    ]
    manager, seen = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"model.safetensors": big, "sub/config.json": small, "empty.txt": b""}
    assert outcome.received_bytes == len(big) + len(small)
    assert {f.path for f in outcome.files} == {
        dest / "model.safetensors",
        dest / "sub/config.json",
        dest / "empty.txt",
    }
    # The key went to the API and never to storage.
    assert fusion.api_auth and all(a.startswith("Bearer ") for a in fusion.api_auth)
    for f in fusion.files[:2]:  # as the storage saw them
        assert f.requests
        assert all("authorization" not in h and "cookie" not in h for h in f.requests)
    # Progress: snapshots are immutable, every file passed through the expected states.
    assert seen[-1].state is TaskState.DONE and seen[-1].eta == 0.0 and seen[-1].fraction == 1.0
    states = [s.files[0].state for s in seen if s.files]
    for state in (FileState.QUEUED, FileState.DOWNLOADING, FileState.VERIFYING, FileState.DONE):
        assert state in states


async def test_resume_across_restart_uses_range(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(2 * MB, 3)
    fusion.files = [FakeFile("w.bin", data)]
    dest.mkdir()
    (dest / "w.bin.part").write_bytes(data[:700_000])
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"w.bin": data}
    assert fusion.files[0].requests[0]["range"] == "bytes=700000-"
    assert outcome.resumes == 1
    assert outcome.received_bytes == len(data) - 700_000


async def test_stale_part_with_wrong_bytes_fails_the_hash_and_restarts(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(MB, 4)
    fusion.files = [FakeFile("w.bin", data, sha256=_sha(data))]
    dest.mkdir()
    (dest / "w.bin.part").write_bytes(b"\xff" * 1000)
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"w.bin": data}
    assert [h.get("range") for h in fusion.files[0].requests] == ["bytes=1000-", None]


async def test_cut_connections_resume_with_range(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(3 * MB, 5)
    fusion.files = [FakeFile("w.bin", data, cut_at=[MB, MB // 2])]
    manager, seen = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"w.bin": data}
    ranges = [h.get("range") for h in fusion.files[0].requests]
    assert ranges[0] is None and all(r and r.startswith("bytes=") for r in ranges[1:])
    assert outcome.resumes == 2 and outcome.retries == 2
    assert any(FileState.RESUMING in (f.state for f in s.files) for s in seen)


async def test_200_answer_to_a_range_restarts_from_zero(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(MB + 5, 6)
    fusion.files = [FakeFile("w.bin", data, mode="ignore_range")]
    dest.mkdir()
    (dest / "w.bin.part").write_bytes(b"\x00" * 4000)  # wrong bytes: must not survive
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"w.bin": data}
    assert len(fusion.files[0].requests) == 1  # the full body of that answer was used


async def test_wrong_content_range_start_restarts_safely(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(MB, 7)
    fusion.files = [FakeFile("w.bin", data, mode="wrong_start")]
    dest.mkdir()
    (dest / "w.bin.part").write_bytes(data[:5000])
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"w.bin": data}
    assert [h.get("range") for h in fusion.files[0].requests] == ["bytes=5000-", None]
    assert outcome.received_bytes == len(data)  # the misplaced body was not even read


async def test_oversize_body_fails_without_final_file(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [
        FakeFile("big.bin", blob(100_000, 8), mode="oversize"),
        FakeFile("ok.bin", blob(10, 9)),
    ]
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok and outcome.state is TaskState.FAILED
    assert [f.rel for f in outcome.failed] == ["big.bin"]
    assert "more bytes" in outcome.failed[0].reason
    assert tree(dest) == {"ok.bin": blob(10, 9)}  # no big.bin, no big.bin.part


async def test_content_length_disagreeing_with_manifest_fails(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("w.bin", blob(5000, 10), manifest_size=4000)]
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok
    assert "manifest says 4000" in outcome.failed[0].reason
    assert not (dest / "w.bin").exists()


async def test_body_shorter_than_manifest_never_gets_the_final_name(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("w.bin", blob(50_000, 11), mode="short")]
    manager, _ = make_manager(max_attempts=3)
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok
    assert "gave up after 3 attempts" in outcome.failed[0].reason
    assert not (dest / "w.bin").exists()
    assert (dest / "w.bin.part").exists()  # kept for a later resume


async def test_hash_mismatch_fails_and_removes_the_part(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("w.bin", blob(5000, 12), sha256="0" * 64)]
    manager, _ = make_manager(max_attempts=2)
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok and "sha256" in outcome.failed[0].reason
    assert tree(dest) == {}


async def test_5xx_and_429_are_retried_honouring_retry_after(
    fusion: FakeFusion, make_manager, dest: Path, sleeper
) -> None:
    data = blob(300_000, 13)
    fusion.files = [
        FakeFile("a.bin", data, statuses=[503, 500]),
        FakeFile("b.bin", data, statuses=[429], retry_after="7"),
    ]
    fusion.manifest_429 = 1
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"a.bin": data, "b.bin": data}
    assert outcome.retries == 3
    assert any(d >= 7 for d in sleeper.delays)  # Retry-After honoured on storage
    assert any(d >= 1 for d in sleeper.delays)  # and on the API's 429


async def test_persistent_5xx_gives_up_with_a_reason(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("a.bin", blob(10, 14), statuses=[502] * 10)]
    manager, _ = make_manager(max_attempts=3)
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok
    assert "HTTP 502" in outcome.failed[0].reason and "gave up" in outcome.failed[0].reason


async def test_expired_link_is_resigned_and_the_file_continues(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(2 * MB, 15)
    other = blob(MB, 16)
    fusion.files = [FakeFile("a.bin", data, expire_at=MB), FakeFile("b.bin", other, delay=0.01)]
    manager, seen = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"a.bin": data, "b.bin": other}
    assert outcome.resigns >= 1 and fusion.manifest_calls >= 2
    assert any(FileState.RESIGNING in (f.state for f in s.files) for s in seen)
    ranges = [h.get("range") for h in fusion.files[0].requests]
    assert ranges[-1] is not None and ranges[-1] != "bytes=0-"  # continued, not restarted


async def test_link_that_stays_forbidden_fails_after_bounded_resigns(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("a.bin", blob(10, 17), statuses=[403] * 20)]
    manager, _ = make_manager(max_resigns=2)
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok and "403" in outcome.failed[0].reason
    assert fusion.manifest_calls == 3  # the first one plus two re-signs


async def test_stalled_transfer_times_out_and_resumes(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(MB, 18)
    fusion.files = [FakeFile("a.bin", data, mode="stall")]
    manager, _ = make_manager(stall_timeout=0.5)
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert tree(dest) == {"a.bin": data}
    assert outcome.resumes == 1


async def test_existing_complete_file_is_skipped(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(4000, 19)
    fusion.files = [FakeFile("a.bin", data, sha256=_sha(data)), FakeFile("b.bin", data)]
    dest.mkdir()
    (dest / "a.bin").write_bytes(data)
    (dest / "b.bin").write_bytes(b"wrong size")
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok, outcome
    assert fusion.files[0].requests == []
    assert len(fusion.files[1].requests) == 1
    assert tree(dest) == {"a.bin": data, "b.bin": data}
    assert outcome.files[0].reason == "already present"


async def test_existing_file_with_wrong_hash_is_replaced(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    data = blob(4000, 20)
    fusion.files = [FakeFile("a.bin", data, sha256=_sha(data))]
    dest.mkdir()
    (dest / "a.bin").write_bytes(b"x" * 4000)
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert outcome.ok and tree(dest) == {"a.bin": data}


async def test_malformed_manifest_sha_fails_that_file(
    fusion: FakeFusion, make_manager, dest: Path
) -> None:
    fusion.files = [FakeFile("a.bin", b"abc", sha256="not-a-hash"), FakeFile("b.bin", b"def")]
    manager, _ = make_manager()
    outcome = await manager.download(JOB_ID, dest)
    assert not outcome.ok and "malformed" in outcome.failed[0].reason
    assert tree(dest) == {"b.bin": b"def"}
