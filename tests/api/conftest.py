"""Fixtures for the API client tests (helpers live in api_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api_helpers import KEY, FakeSleep, Router
from axom_tui.api import AxomClient
from contract_examples import BASE


@pytest.fixture
def sleeper() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def router() -> Router:
    return Router()


@pytest.fixture
async def make_client(sleeper: FakeSleep):
    """``make_client(handler, base_url=BASE, key=KEY, **kwargs)`` → AxomClient, closed at teardown."""
    made: list[AxomClient] = []

    def factory(
        handler: Callable[[httpx.Request], Any], base_url: str = BASE, key: str = KEY, **kwargs: Any
    ) -> AxomClient:
        kwargs.setdefault("sleep", sleeper)
        client = AxomClient(base_url, key, transport=httpx.MockTransport(handler), **kwargs)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
def client(make_client, router: Router) -> AxomClient:
    return make_client(router)
