"""Promise 4 (defined in conftest.py): the key stays secret.

Every output channel is grepped for the test key (and its tail, and presigned-URL
signatures): the config file's mode and `axom-tui config show`, DEBUG logs of httpx /
httpcore / uvicorn during API calls, an auth failure and downloads, screenshots, CSV
exports, toasts, a forced crash of the real app in a pty, `axom-tui jobs --json`, and
the headless commands after an auth failure whose server echoes the key back. The key
goes only to the API origin: never to storage (both transfer paths), never across a
cross-origin redirect.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import stat
import subprocess
import textwrap

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from axom_tui.api import AxomClient
from axom_tui.api.errors import AuthError
from axom_tui.api.secret import ApiKey, mask_key
from axom_tui.download import DownloadManager
from axom_tui.runtime.services import build_services
from axom_tui.sim import SimConfig, SimServer, Simulator, create_app
from axom_tui.ui.app import AxomApp
from axom_tui.ui.messages import DownloadRequested, ExportRequested, RunChosen
from axom_tui.ui.settings import UiSettings
from rel_helpers import (
    KEY,
    PYTHON,
    REPO,
    ThreadServer,
    child_env,
    figure,
    leaks_in,
    run_in_pty,
)

CHANNELS: list[str] = []


def grep(channel: str, text: str | bytes) -> None:
    """Assert no key/signature in one output channel; count it."""
    if channel not in CHANNELS:
        figure("secrets: distinct channels", 1)
    CHANNELS.append(channel)
    figure("secrets: output channels grepped", 1)
    found = leaks_in(text)
    figure("secrets: leaks found", len(found))
    assert found == [], f"{channel}: {found}"


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    return cli_many([list(args)], env=env, timeout=timeout)[0]


def cli_many(
    commands: list[list[str]], env: dict[str, str] | None = None, timeout: float = 60
) -> list[subprocess.CompletedProcess]:
    """Run several `python -m axom_tui ...` at once (start-up is most of their time)."""
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "axom_tui", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or child_env(),
            cwd=REPO,
        )
        for args in commands
    ]
    out = []
    for args, proc in zip(commands, procs):
        stdout, stderr = proc.communicate(timeout=timeout)
        out.append(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return out


# ---------------------------------------------------------------- servers


class EchoingRejecter:
    """An API that rejects every key, echoing the Authorization header into the detail."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def app(self) -> Starlette:
        async def any_api(request: Request) -> Response:
            auth = request.headers.get("authorization")
            self.seen.append(auth)
            return JSONResponse({"detail": f"invalid key: {auth} (raw {KEY})"}, 401)

        return Starlette(routes=[Route("/api/{path:path}", any_api)])


@pytest.fixture(scope="module")
def sim_server():
    sim = Simulator(SimConfig(seed=7, speed=60.0, key=KEY, model_bytes=6_000_000, model_shards=1))
    with SimServer(sim) as server:
        yield server


# ---------------------------------------------------------------- config file


def test_config_file_private_refused_when_readable_and_key_only_masked(tmp_path):
    modes = (0o644, 0o640, 0o600)
    for mode in modes:
        config = tmp_path / f"config-{mode:o}.toml"
        config.write_text(f'key = "{KEY}"\ntheme = "axom-light"\n')
        os.chmod(config, mode)
    runs = cli_many(
        [["config", "show", "--config", str(tmp_path / f"config-{m:o}.toml")] for m in modes]
    )
    results = dict(zip(modes, runs))
    for mode in (0o644, 0o640):
        out = results[mode]
        assert out.returncode == 2, (oct(mode), out.stdout, out.stderr)
        assert "refusing" in out.stderr and "chmod 600" in out.stderr
        grep(f"config show stdout/stderr (mode {mode:o})", out.stdout + out.stderr)
    ok = results[0o600]
    assert ok.returncode == 0, ok.stderr
    assert mask_key(KEY) in ok.stdout and "# key:" in ok.stdout
    grep("config show stdout/stderr (mode 600)", ok.stdout + ok.stderr)


async def test_config_file_created_private_by_the_app(tmp_path, sim_server):
    """The app writes the config file (theme choice): created 0600 in a 0700 folder."""
    path = tmp_path / "cfgdir" / "axom-tui" / "config.toml"
    services = build_services(sim_server.base_url, ApiKey(KEY))
    app = AxomApp(services, UiSettings(notify_desktop=False, config_path=path))
    old = os.umask(0o022)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            await pilot.press("T")  # next theme: saved to the config file
            for _ in range(40):
                if path.exists():
                    break
                await pilot.pause(0.05)
    finally:
        os.umask(old)
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    grep("config file written by the app", path.read_text())


def test_key_masked_in_reprs_and_unpicklable(tmp_path):
    from axom_tui.config import load_settings

    settings = load_settings(config_path=tmp_path / "none.toml", env={"AXOM_KEY": KEY})
    client = AxomClient("https://console.axomlabs.ai/api", settings.key)
    grep(
        "repr(Settings), repr(AxomClient), str(ApiKey)",
        repr(settings) + repr(client) + str(settings.key) + f"{settings.key}",
    )
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(settings.key)
    asyncio.run(client.aclose())


# ---------------------------------------------------------------- logs


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        out = io.StringIO()
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        for record in self.records:
            out.write(formatter.format(record) + "\n")
            out.write(repr(record.args) + repr(record.__dict__.get("extra")) + "\n")
        return out.getvalue()


@pytest.fixture
def debug_logs():
    capture = Capture()
    names = (
        "",
        "httpx",
        "httpcore",
        "uvicorn",
        "uvicorn.error",
        "uvicorn.access",
        "asyncio",
        "axom_tui",
        "starlette",
        "h11",
    )
    saved = {n: logging.getLogger(n).level for n in names}
    root = logging.getLogger()
    root.addHandler(capture)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def test_debug_logs_hold_no_key_and_no_signature(debug_logs, tmp_path):
    sim = Simulator(SimConfig(seed=5, key=KEY, model_bytes=5_000_000, model_shards=1))
    recorder_app = create_app(sim)
    storage_auth: list[str | None] = []

    async def recording(scope, receive, send):  # every request the storage side receives
        if scope["type"] == "http" and scope["path"].startswith("/storage/"):
            headers = dict(scope["headers"])
            storage_auth.append(headers.get(b"authorization", b"").decode() or None)
        await recorder_app(scope, receive, send)

    with ThreadServer(recording) as server:
        base = server.origin + "/api"
        async with AxomClient(base, KEY, retries=0) as client:
            await client.list_jobs()
            model = sim.models()[0]
            manifest = await client.get_manifest(model["id"])
            assert "sig=" in manifest.files[0].url
            async with DownloadManager(client) as manager:
                outcome = await manager.download(model["lineage"]["job_id"], tmp_path / "dl")
            assert outcome.ok, outcome.reason
        async with AxomClient(base, "axom_live_" + "WRONG" * 8, retries=0) as wrong:
            with pytest.raises(AuthError):
                await wrong.list_jobs()
    text = debug_logs.text()
    assert debug_logs.records, "logging was captured"
    assert any(r.name.startswith("httpx") for r in debug_logs.records)
    grep("DEBUG logs (download)", text)
    # storage never saw the key
    assert storage_auth and all(a is None for a in storage_auth)
    figure("secrets: storage requests checked for Authorization", len(storage_auth))


# ---------------------------------------------------------------- screenshots, exports, toasts


async def test_screenshots_exports_and_toasts_hold_no_key(sim_server, tmp_path):
    services = build_services(sim_server.base_url, ApiKey(KEY))
    shots, exports = tmp_path / "shots", tmp_path / "exports"
    app = AxomApp(
        services,
        UiSettings(
            notify_desktop=False,
            screenshot_dir=shots,
            export_dir=exports,
            download_dir=tmp_path / "downloads",
        ),
    )
    store = services.store
    async with app.run_test(size=(150, 45)) as pilot:
        for _ in range(100):
            if store.connection.state == "live" and store.order:
                break
            await pilot.pause(0.05)
        done = [
            j for j in store.order if store.runs[j].job and store.runs[j].job.status == "completed"
        ]
        assert done
        app.post_message(RunChosen(done[0]))
        services.scheduler.focus(done[0])
        for _ in range(100):
            if len(store.runs[done[0]].metrics):
                break
            await pilot.pause(0.05)
        app.post_message(ExportRequested(done[0]))  # what `e` does
        await pilot.press("S")  # screenshot to a file
        app.post_message(DownloadRequested(done[0]))  # what `d` does on that run
        for _ in range(100):
            tasks = list(services.downloads.tasks.values()) if services.downloads else []
            if tasks and all(t.done for t in tasks):
                break
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        assert services.downloads and services.downloads.tasks, "the download started"
        svg = app.export_screenshot()
        toasts = "\n".join(f"{n.title} {n.message}" for n in app._notifications)
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".svg", ".csv")]
    assert any(p.suffix == ".csv" for p in files) and any(p.suffix == ".svg" for p in files)
    grep("export_screenshot()", svg)
    grep("toasts", toasts)
    for path in files:
        grep(f"file {path.suffix}", path.read_bytes())


async def test_auth_failure_with_echoing_server_shows_no_key(tmp_path):
    echo = EchoingRejecter()
    with ThreadServer(echo.app()) as server:
        services = build_services(server.origin + "/api", ApiKey(KEY))
        app = AxomApp(services, UiSettings(notify_desktop=False, screenshot_dir=tmp_path))
        store = services.store
        async with app.run_test(size=(150, 45)) as pilot:
            for _ in range(100):
                if store.connection.state == "auth":
                    break
                await pilot.pause(0.05)
            await pilot.pause(1.2)  # the header redraws each second
            assert store.connection.state == "auth"
            svg = app.export_screenshot()
            header = store.connection.message
            health = repr(store.global_feeds)
        # the headless commands after the same failure
        base = server.origin + "/api"
        job = "00000000-0000-0000-0000-000000000000"
        jobs, watch, download = cli_many(
            [
                ["jobs", "--json", "--base-url", base],
                ["watch", job, "--base-url", base],
                ["download", job, "--base-url", base, "--dest", str(tmp_path / "d")],
            ]
        )
    assert echo.seen and all(a == f"Bearer {KEY}" for a in echo.seen)  # the server did echo it
    assert "key rejected" in header and mask_key(KEY) in header
    grep("screenshot during auth failure", svg)
    grep("connection message", header)
    grep("feed health", health)
    assert jobs.returncode == 1 and "401" in jobs.stderr
    assert watch.returncode == 1 and "key rejected" in watch.stderr
    for name, out in (("jobs --json", jobs), ("watch", watch), ("download", download)):
        grep(f"{name} stdout/stderr after 401", out.stdout + out.stderr)


# ---------------------------------------------------------------- crash report

CRASHER = textwrap.dedent("""
    import sys
    from axom_tui.ui.app import AxomApp

    original = AxomApp._flush_changes

    def crash(self):
        original(self)
        if self.services.store.order:
            secret = self.services.client.key.reveal()   # a local holding the key
            raise RuntimeError("forced crash while holding " + secret)

    AxomApp._flush_changes = crash
    from axom_tui.cli.main import main
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.slow  # the real app in a pty
def test_forced_crash_report_holds_no_key(sim_server, tmp_path):
    script = tmp_path / "crasher.py"
    script.write_text(CRASHER)
    env = child_env(TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    run = run_in_pty(
        [PYTHON, str(script), "--base-url", sim_server.base_url],
        env,
        cols=120,
        rows=40,
        quit_at=20.0,
        timeout=30,
        cwd=str(tmp_path),
    )
    text = run.output.decode("utf-8", "replace")
    assert run.returncode not in (0, None), run.timeline
    assert "RuntimeError" in text and "forced crash while holding" in text, text[-2000:]
    grep("crash report (pty stdout+stderr)", text)


# ---------------------------------------------------------------- headless output


def test_jobs_json_output_holds_no_key(sim_server):
    out, table = cli_many(
        [
            ["jobs", "--json", "--base-url", sim_server.base_url],
            ["jobs", "--base-url", sim_server.base_url],
        ]
    )
    assert out.returncode == 0, out.stderr
    jobs = json.loads(out.stdout)
    assert len(jobs) >= 5 and all("id" in j for j in jobs)
    grep("jobs --json", out.stdout + out.stderr)
    assert table.returncode == 0
    grep("jobs (table)", table.stdout + table.stderr)


# ---------------------------------------------------------------- where the key goes


class Hop:
    """Records the Authorization header of every request; redirects /api/jobs when told to."""

    def __init__(self, status: int = 302) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.redirect_to: str | None = None
        self.status = status

    def app(self) -> Starlette:
        async def handle(request: Request) -> Response:
            self.seen.append((request.url.path, request.headers.get("authorization")))
            if self.redirect_to and request.url.path == "/api/jobs":
                return RedirectResponse(self.redirect_to + "/api/jobs/final", self.status)
            return JSONResponse([])

        return Starlette(routes=[Route("/api/{path:path}", handle)])


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_key_never_crosses_a_cross_origin_redirect(status):
    api, other = Hop(status), Hop()
    with ThreadServer(api.app()) as a, ThreadServer(other.app()) as b:
        api.redirect_to = b.origin  # same host, another port: another origin
        async with AxomClient(a.origin + "/api", KEY, retries=0) as client:
            assert await client.list_jobs() == []
    assert api.seen and api.seen[0][1] == f"Bearer {KEY}"  # the API origin gets the key
    assert other.seen, "the redirect was followed"
    assert all(auth is None for _, auth in other.seen), other.seen
    figure("secrets: cross-origin redirects checked", 1)


async def test_same_origin_redirect_keeps_the_key():
    hop = Hop()
    with ThreadServer(hop.app()) as server:
        hop.redirect_to = server.origin
        async with AxomClient(server.origin + "/api", KEY, retries=0) as client:
            await client.list_jobs()
    assert [auth for _, auth in hop.seen] == [f"Bearer {KEY}", f"Bearer {KEY}"]
