"""Fixtures for the download engine tests: a real local HTTP server (dl_fakeserver) that
records what storage was sent, and a manager factory with short backoffs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from axom_tui.api.client import AxomClient
from axom_tui.download import DownloadManager, DownloadProgress
from dl_fakeserver import KEY, FakeFusion, ServerThread
from dl_helpers import FakeSleep

Made = tuple[DownloadManager, list[DownloadProgress]]


@pytest.fixture
def fusion() -> FakeFusion:
    return FakeFusion()


@pytest.fixture(scope="session")
def _shared_server() -> Iterator[ServerThread]:
    srv = ServerThread().start()
    yield srv
    srv.stop()


@pytest.fixture
def server(fusion: FakeFusion, _shared_server: ServerThread) -> ServerThread:
    """One real HTTP server for the session, serving this test's :class:`FakeFusion`."""
    _shared_server.serve(fusion.app())
    return _shared_server


@pytest.fixture
async def client(server: ServerThread) -> AsyncIterator[AxomClient]:
    api = AxomClient(server.base_url, KEY, retries=0)
    yield api
    await api.aclose()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "dest"


@pytest.fixture
def sleeper() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def make_manager(
    client: AxomClient, sleeper: FakeSleep
) -> AsyncIterator[Callable[..., Made]]:
    made: list[DownloadManager] = []

    def factory(**kwargs: Any) -> Made:
        seen: list[DownloadProgress] = []
        options: dict[str, Any] = dict(
            max_attempts=4,
            progress_interval=0.05,
            sleep=sleeper,
            stall_timeout=5.0,
            on_progress=seen.append,
        )
        options.update(kwargs)
        manager = DownloadManager(client, **options)
        made.append(manager)
        return manager, seen

    yield factory
    for manager in made:
        await manager.aclose()
