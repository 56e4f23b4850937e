"""Which run a shell command means: a full id, any unique id prefix, or a run's exact name.

`axom-tui jobs` prints 8-character ids, and people paste those (or a name) into
`watch`, `download` and `export`; the API only knows full ids. One resolver serves every
command, so the rules (and the messages) are the same everywhere:

* an exact id wins outright;
* otherwise every run whose id starts with the reference (ignoring case) or whose name
  is exactly the reference is a candidate; one candidate is the run;
* several candidates: :class:`AmbiguousRunRef`, which lists them (the commands exit 2);
* none: :class:`UnknownRunRef` (exit 2).

A reference shaped like a full id is asked for directly first (one request, and it finds
a run beyond the list's first page); anything else is matched against the job list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from axom_tui.api.errors import NotFoundError
from axom_tui.api.records import Job
from axom_tui.base.sanitize import clean_text

#: How many candidates an ambiguity message lists before "and N more".
SHOWN_CANDIDATES = 10
#: The list's largest page (the contract's ``limit`` maximum).
LIST_LIMIT = 200
_FULL_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


class RunRefError(Exception):
    """The reference names no run, or several; the message says which and what to do."""


class UnknownRunRef(RunRefError):
    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"run {clean_text(ref, 60)} not found (`axom-tui jobs` lists the runs)")


class AmbiguousRunRef(RunRefError):
    def __init__(self, ref: str, candidates: Sequence[Job]) -> None:
        self.ref = ref
        self.candidates = list(candidates)
        lines = [f"{clean_text(ref, 60)} matches {len(self.candidates)} runs; give more of the id:"]
        for job in self.candidates[:SHOWN_CANDIDATES]:
            lines.append(
                f"  {clean_text(job.id, 40)}  {clean_text(job.display_name, 40)}"
                f"  {clean_text(job.status, 20)}"
            )
        if len(self.candidates) > SHOWN_CANDIDATES:
            lines.append(f"  … and {len(self.candidates) - SHOWN_CANDIDATES} more")
        super().__init__("\n".join(lines))


class JobSource(Protocol):
    """What the resolver needs of :class:`axom_tui.api.client.AxomClient`."""

    async def get_job(self, job_id: str) -> Job: ...

    async def list_jobs(self, status: str | None = None, limit: int | None = None) -> list[Job]: ...


def match_run(ref: str, jobs: Iterable[Job]) -> Job:
    """The one run in ``jobs`` that ``ref`` names (see the module docstring)."""
    ref = ref.strip()
    if not ref:
        raise UnknownRunRef(ref)
    folded = ref.lower()
    candidates: list[Job] = []
    for job in jobs:
        if job.id == ref:
            return job
        if job.id.lower().startswith(folded) or job.name == ref:
            candidates.append(job)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise AmbiguousRunRef(ref, candidates)
    raise UnknownRunRef(ref)


async def resolve_run(client: JobSource, ref: str) -> Job:
    """The run ``ref`` names, asking the API; raises :class:`RunRefError` or an ``AxomError``."""
    ref = ref.strip()
    if _FULL_ID.fullmatch(ref):
        try:
            return await client.get_job(ref)
        except NotFoundError:
            pass  # perhaps a run named like an id: the list decides
    return match_run(ref, await client.list_jobs(limit=LIST_LIMIT))
