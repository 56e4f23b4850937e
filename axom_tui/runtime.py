"""Build and tear down the services the app runs on. No Textual here.

``--demo`` starts the simulator in-process on a free loopback port and connects to it
over real HTTP: the same code path as production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from axom_tui.api.client import AxomClient
from axom_tui.api.secret import ApiKey
from axom_tui.poll import PollPolicy, PollScheduler
from axom_tui.store import RunStore

DEMO_SPEED = 30.0


@dataclass
class Services:
    client: AxomClient
    store: RunStore
    scheduler: PollScheduler
    downloads: Any = None  # DownloadManager, created lazily by the UI's download glue
    demo_server: Any = None  # SimServer when running --demo
    extras: dict[str, Any] = field(default_factory=dict)

    async def aclose(self) -> None:
        self.scheduler.stop()
        if self.downloads is not None and hasattr(self.downloads, "aclose"):
            await self.downloads.aclose()
        await self.client.aclose()

    def stop_demo(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None


def build_services(base_url: str, key: ApiKey, *, policy: PollPolicy | None = None,
                   log_cap: int = 10_000, verify: bool = True) -> Services:
    from axom_tui.download import DownloadManager

    # The scheduler does its own per-feed backoff; client-level retries would bypass its budget.
    client = AxomClient(base_url, key, verify=verify, retries=0)
    store = RunStore(log_cap=log_cap)
    scheduler = PollScheduler(client, store, policy=policy or PollPolicy())
    services = Services(client=client, store=store, scheduler=scheduler)
    services.downloads = DownloadManager(client)
    return services


def start_demo_server(speed: float = DEMO_SPEED, seed: int = 7, faults: str | None = None):
    """Start the simulator on 127.0.0.1:<free port>; returns (server, base_url, key)."""
    import secrets

    from axom_tui.sim import FaultConfig, SimConfig, Simulator, SimServer

    key = "axom_live_demo" + secrets.token_hex(12)
    config = SimConfig(seed=seed, speed=speed, key=key)
    if faults:
        config.faults = FaultConfig.parse(faults)
    server = SimServer(Simulator(config), host="127.0.0.1", port=0)
    server.start()
    return server, server.base_url, ApiKey(key)
