"""Serve a :class:`~.world.Simulator` over real HTTP on loopback, in a background thread.

::

    with SimServer(sim) as server:          # port 0: a free port
        httpx.get(server.base_url + "/jobs", headers=...)

The uvicorn server gets its own thread and event loop, so a test's (or the
dashboard's) event loop talks to it over a real socket. ``_QuietServer.main_loop``
replaces uvicorn's (0.54.0); ``tests/test_upstream_copies.py`` fails when the installed
uvicorn's ``main_loop`` or ``on_tick`` differs.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Self

import uvicorn

from .app import create_app
from .sockets import bind_socket, url_host
from .world import Simulator

__all__ = ["AsgiThreadServer", "SimServer", "bind_socket", "url_host", "uvicorn_config"]

UPSTREAM_VERSION = "uvicorn 0.54.0"
#: What _QuietServer replaces or relies on, by digest of its source.
UPSTREAM: dict[str, tuple[str, str]] = {
    "uvicorn.server:Server.main_loop": (
        "425d26add0e59678",
        "_QuietServer.main_loop replaces it: port the change",
    ),
    "uvicorn.server:Server.on_tick": (
        "371ccecb27e5e5d4",
        "main_loop calls on_tick(0) once a second for the Date header",
    ),
}


def uvicorn_config(
    app, host: str, port: int, log_level: str = "warning", **overrides
) -> uvicorn.Config:
    # proxy_headers off: the simulator is never behind a proxy, and uvicorn's middleware
    # for X-Forwarded-* otherwise wraps every request. httptools: uvicorn's C parser.
    options = {
        "log_level": log_level,
        "access_log": False,
        "lifespan": "off",
        "http": "httptools",
        "ws": "none",
        "timeout_keep_alive": 30,
        "timeout_graceful_shutdown": 2,
        "proxy_headers": False,
        **overrides,
    }
    return uvicorn.Config(app, host=host, port=port, **options)


class _QuietServer(uvicorn.Server):
    """uvicorn's server, waking once a second instead of ten times.

    uvicorn's main loop sleeps 0.1 s at a time to notice ``should_exit`` and refresh
    its Date header once a second; in the dashboard's process that is ten wake-ups a
    second for nothing (a tenth of the idle app's CPU). Here the loop refreshes the
    header each second and is woken at once to stop.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while not await self.on_tick(0):  # tick 0: the Date header is refreshed
            if self.should_exit:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), 1.0)
            except TimeoutError:
                pass

    def request_exit(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop has already closed
                pass


class AsgiThreadServer:
    """Any ASGI app served by uvicorn on a socket of its own, from a background thread
    with its own event loop. ``config``: uvicorn.Config options over :func:`uvicorn_config`'s."""

    THREAD_NAME = "asgi-server"

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, **config) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._config = config
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    def start(self, timeout: float = 10.0, sock: socket.socket | None = None) -> Self:
        """Serve in a thread; return once the server accepts. ``sock``: an already bound
        socket to serve on (the server closes it when it stops)."""
        if self._thread is not None:
            return self
        if sock is None:
            sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        server = _QuietServer(uvicorn_config(self.app, self.host, self.port, **self._config))
        self._server = server
        errors: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # pragma: no cover - surfaced by start()
                errors.append(exc)
            finally:
                sock.close()

        self._thread = threading.Thread(
            target=run, name=f"{self.THREAD_NAME}:{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if errors or not self._thread.is_alive():
                raise RuntimeError(f"server failed to start: {errors[:1]}")
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.request_exit()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.to_thread(self.stop)


class SimServer(AsgiThreadServer):
    """A :class:`~.world.Simulator`'s API (and storage) served on loopback."""

    THREAD_NAME = "axom-sim"

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(create_app(sim), host, port)
        self.sim = sim

    @property
    def base_url(self) -> str:
        return self.origin + "/api"

    @property
    def faults_middleware(self):
        return self.app
