"""`--no-cache`, `cache = false`, the size cap setting, and `axom-tui cache path|size|clear`."""

from __future__ import annotations

import io

from axom_tui.cli import cache_cmd as history_cli
from axom_tui.cli.launch import history_options, settings_from_args
from axom_tui.cli.main import build_parser
from axom_tui.history import db, read
from history_helpers import KEY, points
from sessions import Session, new_api

BASE = "http://127.0.0.1:8399/api"


def settings_for(argv, tmp_path, monkeypatch, config: str = ""):
    path = tmp_path / "config.toml"
    path.write_text(config)
    path.chmod(0o600)
    monkeypatch.setenv("AXOM_CONFIG", str(path))
    monkeypatch.setenv("AXOM_KEY", KEY)
    monkeypatch.setenv("AXOM_CACHE_DIR", str(tmp_path / "cache"))
    args = build_parser().parse_args(["--base-url", BASE, *argv])
    return args, settings_from_args(args)


def test_the_cache_is_on_by_default_with_a_one_gib_cap(tmp_path, monkeypatch):
    _, settings = settings_for([], tmp_path, monkeypatch)
    options = history_options(settings, BASE, KEY)
    assert options is not None and options.cap_bytes == 1 << 30
    assert options.path.parent == tmp_path / "cache" and KEY not in str(options.path)


def test_no_cache_flag_and_config_turn_it_off(tmp_path, monkeypatch):
    _, settings = settings_for(["--no-cache"], tmp_path, monkeypatch)
    assert history_options(settings, BASE, KEY) is None
    _, settings = settings_for([], tmp_path, monkeypatch, "cache = false\n")
    assert history_options(settings, BASE, KEY) is None
    _, settings = settings_for(["--cache"], tmp_path, monkeypatch, "cache = false\n")
    assert history_options(settings, BASE, KEY) is not None  # the flag wins
    _, settings = settings_for([], tmp_path, monkeypatch, "cache_size_mb = 10\n")
    assert history_options(settings, BASE, KEY).cap_bytes == 10 * 1024 * 1024


def run_cli(argv, tmp_path, monkeypatch) -> tuple[int, str, str]:
    args, _ = settings_for([], tmp_path, monkeypatch)
    args = build_parser().parse_args([*argv, "--base-url", BASE])
    out, err = io.StringIO(), io.StringIO()
    code = history_cli.run(args, out, err)
    return code, out.getvalue(), err.getvalue()


async def test_cache_path_size_and_clear(tmp_path, monkeypatch):
    code, out, _ = run_cli(["cache", "path"], tmp_path, monkeypatch)
    path = tmp_path / "cache" / out.strip().rsplit("/", 1)[-1]
    assert code == 0 and out.strip() == str(path) and KEY not in out
    api = new_api()
    for job_id in ("aaaa1111-run", "bbbb2222-run"):
        api.add_run(job_id, status="completed")
        api.runs[job_id].points = points(1, 2000)
        api.set_status(job_id, "completed", latest_step=2000)
    async with Session(api, path) as s:
        for job_id in ("aaaa1111-run", "bbbb2222-run"):
            await s.watch(job_id, 10)
    code, out, _ = run_cli(["cache", "size"], tmp_path, monkeypatch)
    assert code == 0 and "2 runs, 4,000 metric points" in out and "cap 1.0 GiB" in out
    code, out, _ = run_cli(["cache", "clear", "aaaa"], tmp_path, monkeypatch)
    assert code == 0 and "cleared aaaa1111-run" in out
    conn = db.connect(path, readonly=True)
    assert [e.job_id for e in read.read_index(conn)] == ["bbbb2222-run"]
    conn.close()
    code, _, err = run_cli(["cache", "clear", "zzzz"], tmp_path, monkeypatch)
    assert code == 2 and "not found" in err
    code, out, _ = run_cli(["cache", "clear"], tmp_path, monkeypatch)
    assert code == 0 and not any(p.exists() for p in db.companions(path))


def test_demo_cache_folders_left_by_dead_processes_are_removed(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys
    import tempfile

    from axom_tui.history.location import DEMO_PREFIX, demo_cache_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f"{DEMO_PREFIX}{gone}-abc"
    stale.mkdir()
    (stale / "x.sqlite3").write_bytes(b"old")
    mine = tmp_path / f"{DEMO_PREFIX}{os.getpid()}-def"  # a live demo's: kept
    mine.mkdir()
    fresh = demo_cache_dir()
    assert fresh.parent == tmp_path and fresh.name.startswith(f"{DEMO_PREFIX}{os.getpid()}-")
    assert not stale.exists() and mine.exists()
