"""Errors of the download engine.

:class:`DownloadError` is public (raised before any file is fetched: no such run, no
model yet, the API refused). The others are internal signals from one attempt at one
file to the loop that decides whether to retry, resume, re-sign or give up. No message
ever contains a presigned URL.
"""

from __future__ import annotations


class DownloadError(Exception):
    """The download cannot start or continue; the message is for a human."""


class NoModelError(DownloadError):
    """The run is unknown, not completed, or has no model listed yet."""


class AttemptError(Exception):
    """One attempt at one file failed; ``reason`` is a short human text."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TransientError(AttemptError):
    """Worth retrying after a pause (5xx, 429, cut connection, stall)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(reason)


class UrlExpiredError(AttemptError):
    """Storage answered 403: the presigned URL expired (or was refused); re-sign."""


class RestartError(AttemptError):
    """The partial file cannot be continued safely; start this file again from 0."""


class FatalFileError(AttemptError):
    """This file cannot be downloaded; do not retry."""


class DiskFullError(FatalFileError):
    """ENOSPC/EDQUOT while writing; the .part is kept for a later resume."""


class CorruptError(FatalFileError):
    """What the .part holds is known to be wrong; it is deleted."""
