"""Fixtures for the UI tests (helpers live in ui_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from axom_tui.sim import SimServer
from ui_helpers import sim_server


@pytest.fixture
def server() -> Iterator[SimServer]:
    """The simulator of ui_helpers.sim_server, served for one test."""
    with sim_server() as srv:
        yield srv
