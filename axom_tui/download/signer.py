"""The current presigned link of every file, renewed by re-requesting the manifest.

When several files hit an expired link at once, only the first asks the API again; the
others see the generation has moved on and simply use the new links.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from axom_tui.api.records import Manifest, ManifestFile
from axom_tui.download.errors import DownloadError, FatalFileError
from axom_tui.download.progress import ProgressTracker


class ManifestSigner:
    def __init__(
        self,
        manifest: Manifest,
        refetch: Callable[[], Awaitable[Manifest]],
        tracker: ProgressTracker,
    ) -> None:
        self._refetch = refetch
        self._tracker = tracker
        self._lock = asyncio.Lock()
        self._entries: dict[str, ManifestFile] = {}
        for entry in manifest.files:
            self._entries.setdefault(entry.rel, entry)
        self._missing: set[str] = set()
        self.generation = 0

    def current(self, rel: str) -> tuple[ManifestFile, int]:
        if rel in self._missing:
            raise FatalFileError("the file is no longer in the manifest")
        return self._entries[rel], self.generation

    async def resign(self, generation: int) -> None:
        """Fetch fresh links unless someone already did since ``generation``."""
        async with self._lock:
            if generation != self.generation:
                return
            self._tracker.resigns += 1
            try:
                manifest = await self._refetch()
            except DownloadError as exc:
                raise FatalFileError(f"could not renew the link: {exc}") from None
            fresh: dict[str, ManifestFile] = {}
            for entry in manifest.files:
                fresh.setdefault(entry.rel, entry)
            for rel in self._entries:
                if rel in fresh:
                    self._entries[rel] = fresh[rel]
                else:
                    self._missing.add(rel)
            self.generation += 1
