"""`axom-tui download`: exit codes, plain output without a TTY, the updating line on one."""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from axom_tui.cli import download_cmd as cli
from axom_tui.download.safe_paths import safe_folder_name
from axom_tui.sim import FaultConfig, SimConfig, SimServer, Simulator
from dl_fakeserver import JOB_ID, KEY, FakeFile, FakeFusion, blob


class TtyIO(io.StringIO):
    def isatty(self) -> bool:
        return True


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="axom-tui download")
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def invoke(*argv: str, tty: bool = False) -> tuple[int, str, str]:
    out = TtyIO() if tty else io.StringIO()
    err = io.StringIO()
    code = cli.run(parse(*argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sim_server() -> Iterator[tuple[Simulator, SimServer]]:
    sim = Simulator(SimConfig(seed=5, model_bytes=3_000_000, model_shards=2))
    with SimServer(sim) as server:
        yield sim, server


@pytest.fixture
def sim_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXOM_KEY", SimConfig().key)
    monkeypatch.delenv("AXOM_BASE_URL", raising=False)


def _first_model(sim: Simulator) -> dict:
    return sim.models()[0]


def _folder(model: dict) -> str:
    """The model's own folder: NAME-vN."""
    return safe_folder_name(f"{model['name']}-{model['version']}")


def test_dest_is_where_the_models_own_folder_goes_with_or_without_the_flag(
    sim_server, sim_key, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One rule: the files go to DIR/NAME-vN/, DIR being --dest or the current folder."""
    sim, server = sim_server
    model = _first_model(sim)
    job = model["lineage"]["job_id"]
    models = tmp_path / "models"
    code, out, err = invoke(job, "--dest", str(models), "--base-url", server.base_url)
    assert code == 0, err
    assert sorted(p.name for p in models.iterdir()) == [_folder(model)]
    assert (models / _folder(model) / "config.json").is_file()
    assert str(models / _folder(model)) in out.splitlines()[0]
    code, out, err = invoke(job, "--dest", str(models), "--base-url", server.base_url)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"already there: {model['name']}")  # not fetched
    assert "nothing to fetch" in out.splitlines()[-1]
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    code, _, err = invoke(job, "--base-url", server.base_url)
    assert code == 0, err
    assert sorted(p.name for p in here.iterdir()) == [_folder(model)]
    assert sorted(p.name for p in (here / _folder(model)).iterdir()) == sorted(
        p.name for p in (models / _folder(model)).iterdir()
    )


def test_download_succeeds_with_plain_lines(sim_server, sim_key, tmp_path: Path) -> None:
    sim, server = sim_server
    model = _first_model(sim)
    sim.faults = FaultConfig(cut=0.4, seed=2)
    code, out, err = invoke(
        model["lineage"]["job_id"],
        "--dest",
        str(tmp_path / "d"),
        "--base-url",
        server.base_url,
        "--parallel",
        "2",
    )
    assert code == 0, err
    assert err == ""
    assert "\x1b" not in out and "\r" not in out
    lines = out.splitlines()
    folder = tmp_path / "d" / _folder(model)
    assert lines[0].startswith("downloading ") and str(folder) in lines[0]
    assert any(line.strip() == "config.json: done" for line in lines)
    assert any("100.0%" in line and "3/3 files" in line for line in lines)
    assert lines[-1].startswith("done: ")
    for rel in ("config.json", "model-00001-of-00002.safetensors"):
        data = (folder / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sim.expected_sha256(model["id"], rel)


def test_tty_gets_one_updating_line(sim_server, sim_key, tmp_path: Path) -> None:
    sim, server = sim_server
    code, out, _ = invoke(
        _first_model(sim)["lineage"]["job_id"],
        "--dest",
        str(tmp_path),
        "--base-url",
        server.base_url,
        tty=True,
    )
    assert code == 0
    assert "\r" in out and "files" in out and "MB/s" in out and "ETA" in out
    assert "config.json: done" not in out  # per-file lines only for failures on a TTY
    assert out.count("\n") == 3  # "downloading ...", the finished bar, the summary
    assert out.startswith("downloading ") and out.splitlines()[-1].startswith("done: ")


def test_run_is_named_by_id_prefix_or_name_and_an_ambiguous_prefix_exits_2(
    sim_server, sim_key, tmp_path: Path
) -> None:
    sim, server = sim_server
    model = _first_model(sim)
    job_id = model["lineage"]["job_id"]
    code, out, err = invoke(
        job_id[:8], "--dest", str(tmp_path / "a"), "--base-url", server.base_url
    )
    assert code == 0, err
    assert (tmp_path / "a" / _folder(model) / "config.json").is_file()
    name = next(j["name"] for j in sim.list_jobs(limit=200) if j["id"] == job_id)
    code, _, err = invoke(name, "--dest", str(tmp_path / "b"), "--base-url", server.base_url)
    assert code == 0, err
    assert (tmp_path / "b" / _folder(model) / "config.json").is_file()
    ids = [j["id"] for j in sim.list_jobs(limit=200)]
    shared = next(i[:1] for i in ids if sum(o.startswith(i[:1]) for o in ids) > 1)
    code, out, err = invoke(shared, "--dest", str(tmp_path / "c"), "--base-url", server.base_url)
    assert code == 2 and out == ""
    assert f"{shared} matches" in err and "give more of the id" in err
    assert not (tmp_path / "c").exists()


def test_unknown_run_exits_1(sim_server, sim_key, tmp_path: Path) -> None:
    _, server = sim_server
    code, out, err = invoke(
        "no-such-run", "--dest", str(tmp_path / "x"), "--base-url", server.base_url
    )
    assert code == 1
    assert "no run or model with id no-such-run" in err
    assert not (tmp_path / "x").exists()


def test_hostile_manifest_exits_1_and_names_refused_files(
    fusion: FakeFusion, server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXOM_KEY", KEY)
    fusion.files = [
        FakeFile("../../escape.bin", b"x"),
        FakeFile("/abs.bin", b"y"),
        FakeFile("bad\x1b[31m.bin", b"z"),
        FakeFile("ok.bin", blob(100, 1)),
    ]
    code, out, err = invoke(JOB_ID, "--dest", str(tmp_path / "d"), "--base-url", server.base_url)
    assert code == 1
    assert "3 files refused" in err
    assert "refused ../../escape.bin: '..' in name" in err
    assert "refused /abs.bin: absolute path" in err
    assert "refused bad␛[31m.bin: control character in name" in err
    assert "\x1b" not in err and "\x1b" not in out
    assert (tmp_path / "d" / "fusion-test-v1" / "ok.bin").read_bytes() == blob(100, 1)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["d", "fusion-test-v1", "ok.bin"]


def test_failed_file_exits_1_with_its_reason(
    fusion: FakeFusion, server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXOM_KEY", KEY)
    fusion.files = [FakeFile("gone.bin", b"x", statuses=[404])]
    code, _, err = invoke(JOB_ID, "--dest", str(tmp_path), "--base-url", server.base_url)
    assert code == 1
    assert "gone.bin: storage has no such file (HTTP 404)" in err
    assert "http://" not in err  # never a (signed) URL


@pytest.mark.parametrize(
    "argv, env_key, message",
    [
        (["j", "--base-url", "http://127.0.0.1:9/api"], "", "AXOM_KEY"),
        (["j", "--base-url", "ftp://example.com/api"], KEY, "must start with https://"),
        (["j", "--base-url", "http://example.com/api"], KEY, "--insecure"),
        (["j", "--parallel", "0"], KEY, "--parallel"),
        (["  ", "--base-url", "http://127.0.0.1:9/api"], KEY, "RUN"),
    ],
)
def test_usage_and_config_errors_exit_2(
    argv: list[str], env_key: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AXOM_KEY", env_key)
    monkeypatch.delenv("AXOM_BASE_URL", raising=False)
    code, out, err = invoke(*argv)
    assert code == 2 and out == ""
    assert message in err


def test_python_m_axom_tui_download_end_to_end(sim_server, tmp_path: Path) -> None:
    sim, server = sim_server
    model = _first_model(sim)
    env = {**os.environ, "AXOM_KEY": SimConfig().key}
    env.pop("AXOM_BASE_URL", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "axom_tui",
            "--base-url",
            server.base_url,
            "download",
            model["lineage"]["job_id"],
            "--dest",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and proc.stdout.splitlines()[-1].startswith("done: ")
    data = (tmp_path / "out" / _folder(model) / "config.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == sim.expected_sha256(model["id"], "config.json")
    proc = subprocess.run(
        [sys.executable, "-m", "axom_tui", "download", "x"],
        capture_output=True,
        text=True,
        env={**env, "AXOM_KEY": ""},
        timeout=60,
    )
    assert proc.returncode == 2 and "AXOM_KEY" in proc.stderr
