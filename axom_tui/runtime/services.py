"""Build and tear down the services the app runs on. No Textual here.

``--demo`` starts the simulator in-process on a free loopback port and connects to it
over real HTTP: the same code path as production.

Nothing here loads httpx, Starlette or uvicorn: the HTTP client is made on the first
request, the download engine on first use and the demo server is served by
:meth:`DemoServer.start`, all after the dashboard's first frame.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from axom_tui.api.client import AxomClient
from axom_tui.api.secret import ApiKey
from axom_tui.poll import PollPolicy, PollScheduler
from axom_tui.store import RunStore

if TYPE_CHECKING:
    import socket

    from axom_tui.download import DownloadManager
    from axom_tui.download.progress import ProgressCallback
    from axom_tui.history.sync import HistorySync

DEMO_SPEED = 30.0


@dataclass(frozen=True)
class HistoryOptions:
    """Where the run cache is and how big it may grow (see ``axom_tui.history``)."""

    path: Path
    cap_bytes: int | None = 1 << 30
    readonly: bool = False  # a bundle opened with `axom-tui open`


class Services:
    """The client, store, scheduler and download engine one app (or test) shares."""

    def __init__(
        self,
        client: AxomClient,
        store: RunStore,
        scheduler: PollScheduler,
        history_options: HistoryOptions | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.scheduler = scheduler
        #: The run cache to open at start (None: none); :attr:`history` once open.
        self.history_options = history_options
        self.history: HistorySync | None = None
        #: Opened from a bundle (its name): nothing is fetched or downloaded.
        self.offline: str | None = None
        self._downloads: DownloadManager | None = None
        self.demo_server: Any = None  # DemoServer / SimServer when running --demo

    def open_downloads(
        self, on_progress: ProgressCallback | None = None, base_dir: Path | None = None
    ) -> DownloadManager:
        """The download engine, made on the first call with that call's progress sink
        and folder (the app's first download makes it); later calls return it as is."""
        if self._downloads is None:
            from axom_tui.download import DownloadManager

            self._downloads = DownloadManager(
                self.client, on_progress=on_progress, base_dir=base_dir
            )
        return self._downloads

    @property
    def downloads(self) -> DownloadManager | None:
        """The download engine, once :meth:`open_downloads` has made it."""
        return self._downloads

    def start_demo(self) -> None:
        """Serve the demo simulator, if any (blocking: call it from a worker thread)."""
        if self.demo_server is not None:
            self.demo_server.start()

    async def start_history(self) -> HistorySync | None:
        """Open the run cache (in a thread: a lock held elsewhere must not stall the loop)
        and put its index in the store, before the scheduler runs. Never raises."""
        options = self.history_options
        if options is None or self.history is not None:
            return self.history
        import asyncio

        from axom_tui.history.cache import open_cache
        from axom_tui.history.location import origin_of
        from axom_tui.history.sync import HistorySync

        cache = await asyncio.to_thread(
            open_cache,
            options.path,
            origin=origin_of(self.client.base_url),
            readonly=options.readonly,
        )
        history = HistorySync(
            self.store, cache, log_limit=self.store.log_cap, cap_bytes=options.cap_bytes
        )
        history.tracker = self.scheduler
        history.restore_index()
        self.scheduler.attach_history(history)
        self.history = history
        return history

    async def aclose(self) -> None:
        self.scheduler.stop()
        if self.history is not None:
            await self.history.aclose()
        if self._downloads is not None:
            await self._downloads.aclose()
        await self.client.aclose()


def build_services(
    base_url: str,
    key: ApiKey,
    *,
    policy: PollPolicy | None = None,
    log_cap: int = 10_000,
    verify: bool = True,
    history: HistoryOptions | None = None,
) -> Services:
    # The scheduler does its own per-feed backoff; client-level retries would bypass its budget.
    client = AxomClient(base_url, key, verify=verify, retries=0)
    store = RunStore(log_cap=log_cap)
    scheduler = PollScheduler(client, store, policy=policy or PollPolicy())
    return Services(client=client, store=store, scheduler=scheduler, history_options=history)


class DemoServer:
    """The ``--demo`` simulator on 127.0.0.1. Its port is bound and listening at once, so
    the client knows where to connect; :meth:`start` serves it (and loads the server
    stack), which the app does after its first frame."""

    def __init__(self, speed: float = DEMO_SPEED, seed: int = 7, faults: str | None = None) -> None:
        from axom_tui.sim.config import SimConfig
        from axom_tui.sim.faults import FaultConfig
        from axom_tui.sim.sockets import bind_socket

        self.key = ApiKey("axom_live_demo" + secrets.token_hex(12))
        self.config = SimConfig(seed=seed, speed=speed, key=self.key.reveal())
        if faults:
            self.config.faults = FaultConfig.parse(faults)
        sock = bind_socket("127.0.0.1", 0)
        sock.listen(128)  # connections wait in the backlog until start()
        self._sock: socket.socket | None = sock
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
        self._server: Any = None
        self._lock = threading.Lock()

    @property
    def server(self) -> Any:
        """The SimServer once started (its ``sim`` is the simulated world), else None."""
        return self._server

    def start(self) -> None:
        with self._lock:
            if self._server is None and self._sock is not None:
                from axom_tui.sim import SimServer, Simulator

                server = SimServer(Simulator(self.config), host="127.0.0.1")
                server.start(sock=self._sock)
                self._server = server

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
            elif self._sock is not None:
                self._sock.close()
            self._sock = None


def start_demo_server(
    speed: float = DEMO_SPEED, seed: int = 7, faults: str | None = None
) -> tuple[DemoServer, str, ApiKey]:
    """Start the simulator on 127.0.0.1:<free port> now; returns (server, base_url, key)."""
    demo = DemoServer(speed=speed, seed=seed, faults=faults)
    demo.start()
    return demo, demo.base_url, demo.key
