"""`axom-tui jobs` on a big account: the list is paged, and the figures beside each run
(loss, cost, ETA) are asked for only where they are needed (issue 17: 5,000 runs cost
5,000 requests). A counting client stands in for the server."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from axom_tui.api.issues import Listing
from axom_tui.api.records import Job, MetricPoint, MetricsPage, Result
from axom_tui.cli import headless
from axom_tui.cli.job_listing import FINISHED_DETAILS

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class CountingApi:
    def __init__(self, finished: int, live: int) -> None:
        self.jobs = [
            Job(
                id=f"live{i:04d}",
                status="running",
                total_steps=1000,
                latest_step=500,
                started_at=T0,
                updated_at=T0 + timedelta(hours=1),
            )
            for i in range(live)
        ] + [
            Job(
                id=f"done{i:04d}",
                status="completed",
                total_steps=1000,
                latest_step=1000,
                started_at=T0 - timedelta(days=1 + i),
                finished_at=T0 - timedelta(days=i),
                updated_at=T0 - timedelta(days=i),
            )
            for i in range(finished)
        ]
        self.calls: Counter[str] = Counter()

    async def list_jobs(self, status=None, limit=None, cursor=None) -> Listing[Job]:
        self.calls["list_jobs"] += 1
        start = int(cursor or 0)
        page = self.jobs[start : start + (limit or 200)]
        more = start + len(page) < len(self.jobs)
        return Listing(page, next=str(start + len(page)) if more else None)

    async def get_result(self, job_id: str) -> Result | None:
        self.calls["get_result"] += 1
        return Result(job_id=job_id, loss_final=0.5, cost_usd=1.25)

    async def get_metrics(self, job_id: str, since_step: int | None = None) -> MetricsPage:
        self.calls["get_metrics"] += 1
        points = [
            MetricPoint(step=s, loss=1.0, ts=T0 + timedelta(seconds=s)) for s in range(300, 501)
        ]
        return MetricsPage(job_id, 500, points)


def _jobs(api: CountingApi, *flags: str) -> tuple[list[dict], str]:
    args = argparse.Namespace(json=True, status=None, details="--details" in flags)
    out = io.StringIO()
    assert asyncio.run(headless._jobs(api, args, out)) == 0  # type: ignore[arg-type]
    return json.loads(out.getvalue()), out.getvalue()


def test_a_big_account_costs_its_live_runs_and_newest_finished_ones_not_one_each(capsys):
    api = CountingApi(finished=5000, live=30)
    rows, _ = _jobs(api)
    assert len(rows) == 5030 and api.calls["list_jobs"] == 26  # every page
    assert api.calls["get_metrics"] == 30  # each live run's loss and ETA
    assert api.calls["get_result"] == FINISHED_DETAILS  # was 5,000
    live = [r for r in rows if r["status"] == "running"]
    assert all(r["derived"]["loss"] == 1.0 and r["derived"]["eta_s"] for r in live)
    newest = [r for r in rows if r["status"] == "completed"][:FINISHED_DETAILS]
    assert all(r["derived"]["cost_usd"] == 1.25 for r in newest)
    older = [r for r in rows if r["status"] == "completed"][FINISHED_DETAILS:]
    assert all(r["derived"]["cost_usd"] is None for r in older)
    assert "--details" in capsys.readouterr().err  # the gap is said, with the way to fill it


def test_details_asks_for_every_run(capsys):
    api = CountingApi(finished=300, live=3)
    rows, _ = _jobs(api, "--details")
    assert api.calls["get_result"] == 300 and api.calls["get_metrics"] == 3
    assert all(r["derived"]["cost_usd"] == 1.25 for r in rows if r["status"] == "completed")
    assert "--details" not in capsys.readouterr().err


def test_a_small_account_is_told_nothing_and_misses_nothing(capsys):
    api = CountingApi(finished=10, live=2)
    rows, _ = _jobs(api)
    assert api.calls["get_result"] == 10
    assert all(r["derived"]["cost_usd"] == 1.25 for r in rows if r["status"] == "completed")
    assert capsys.readouterr().err == ""
