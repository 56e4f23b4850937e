"""Helpers shared by the download tests (kept out of conftest so they can be imported)."""

from __future__ import annotations

import asyncio
from pathlib import Path


class FakeSleep:
    """Records delays; waits only a token amount so tests stay fast."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0.001)


def tree(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (not following links) → its bytes."""
    out: dict[str, bytes] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out
