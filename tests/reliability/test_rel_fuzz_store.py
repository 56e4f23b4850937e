"""Promise 2 (defined in conftest.py): malformed bodies never crash (store level).

After good polls, a run of bad polls (every parser's garbage: empty, truncated and
non-UTF-8 bodies, HTML error pages, wrong types, error statuses) leaves every piece of
data the store holds intact, shows as feed errors, and clears once good answers return.
The scheduler runs on a fake clock against a little world served over MockTransport.

The endpoint-parser half is in test_rel_fuzz.py. Examples are derandomized (the same
cases on every run, so CI is stable) and the number of cases run is reported.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import httpx
from hypothesis import given, strategies as st

from axom_tui.api import AxomClient
from axom_tui.poll import PollPolicy, PollScheduler, VirtualClock
from axom_tui.store import RunStore
from contract_examples import BASE, EVENTS, JOB, JOB_ID, LINE, MODEL, OVERVIEW, POINT, RESULT, TS
from rel_helpers import KEY, figure, repeatable, streamed_response


class World:
    """A static little world served over MockTransport; ``garbage`` turns every answer bad."""

    def __init__(self, rng: random.Random, corpus: list[tuple[int, dict[str, str], bytes]]) -> None:
        self.rng = rng
        self.corpus = corpus
        self.garbage = False
        self.served_bad = 0
        job = dict(JOB, status="completed", latest_step=30, finished_at=TS)
        self.bodies = {
            "/api/jobs": [job],
            f"/api/jobs/{JOB_ID}": job,
            f"/api/jobs/{JOB_ID}/metrics": {
                "job_id": JOB_ID,
                "latest_step": 30,
                "points": [dict(POINT, step=s, loss=1 / s) for s in (10, 20, 30)],
            },
            f"/api/jobs/{JOB_ID}/logs": {
                "job_id": JOB_ID,
                "latest_seq": 3,
                "lines": [dict(LINE, seq=i, text=f"line {i}") for i in (1, 2, 3)],
            },
            f"/api/jobs/{JOB_ID}/events": EVENTS,
            f"/api/jobs/{JOB_ID}/result": RESULT,
            "/api/models": [MODEL],
            "/api/overview": OVERVIEW,
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.garbage:
            self.served_bad += 1
            return streamed_response(*self.rng.choice(self.corpus))
        path = request.url.path
        params = request.url.params
        body = self.bodies[path]
        if path.endswith("/metrics") and params.get("since_step"):
            body = dict(
                body, points=[p for p in body["points"] if p["step"] > int(params["since_step"])]
            )
        if path.endswith("/logs") and params.get("since"):
            body = dict(body, lines=[x for x in body["lines"] if x["seq"] > int(params["since"])])
        return httpx.Response(200, json=body)


# Fields that make any object body unusable for every endpoint (otherwise an object of
# unknown fields is a *tolerated* empty overview or result, not garbage).
POISON = {"active_runs": "x", "ppl_final": "x", "status": 7}


def _bad_bodies() -> list[tuple[int, dict[str, str], bytes]]:
    """Answers every parser must refuse (a valid-but-different body would be news, not garbage)."""
    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    return [
        (200, {}, b""),
        (200, {}, b"{"),
        (200, {}, b"\xff\xfe"),
        (200, {}, html),
        (200, {"Content-Type": "text/html"}, html),
        (204, {}, b""),
        (200, {}, b"[" * 50_000),
        (200, {}, b'"just a string"'),
        (200, {}, b"42"),
        (200, {}, b"true"),
        (200, {}, json.dumps({"points": "x", "lines": 5, "jobs": {"a": 1}, **POISON}).encode()),
        # every item bad: a list of nothing, not an empty list (one bad item among good ones
        # is news, not garbage: it is skipped; test_rel_weather.py)
        (200, {}, json.dumps([5, "x", None, [1]]).encode()),
        (
            200,
            {},
            json.dumps(
                {"job_id": JOB_ID, "points": [{"step": "ten"}], "lines": [{"seq": None}], **POISON}
            ).encode(),
        ),
        (200, {"Content-Encoding": "gzip"}, b"not gzip at all"),
        (500, {}, b'{"detail":"boom"}'),
        (502, {}, html),
        (429, {"Retry-After": "1"}, b""),
        (503, {"Retry-After": "soon"}, b""),
        (418, {}, b"teapot"),
    ]


STORE_EXAMPLES = 10


def _snapshot(store: RunStore) -> Any:
    run = store.runs.get(JOB_ID)
    assert run is not None and run.job is not None
    return (
        run.job,
        list(run.metrics.steps),
        list(run.metrics.column("loss")),
        [(x.seq, x.text) for x in run.logs],
        list(run.events),
        run.result,
        list(store.models),
        store.overview,
        list(store.order),
    )


@repeatable(STORE_EXAMPLES)
@given(seed=st.integers(0, 2**32 - 1), bad_seconds=st.integers(10, 30))
def test_bad_polls_after_good_ones_leave_held_data_intact(seed, bad_seconds):
    async def scenario() -> None:
        clock = VirtualClock()
        world = World(random.Random(seed), _bad_bodies())
        client = AxomClient(BASE, KEY, transport=httpx.MockTransport(world), retries=0)
        store = RunStore(clock=clock.now)
        scheduler = PollScheduler(
            client, store, clock=clock, rng=random.Random(seed), policy=PollPolicy(backoff_cap=5.0)
        )
        scheduler.focus(JOB_ID)
        task = asyncio.create_task(scheduler.run())
        try:
            await clock.advance(15)
            good = _snapshot(store)
            run = store.runs[JOB_ID]
            assert len(run.metrics) == 3 and len(run.logs) == 3 and run.result is not None
            world.garbage = True
            for _ in range(bad_seconds):
                await clock.advance(1)
                scheduler.refresh_now(JOB_ID)  # the user keeps pressing r: more bad polls
                assert _snapshot(store) == good
            assert world.served_bad > 0
            failing = [k for k, h in store.global_feeds.items() if h.failing]
            assert failing, "the bad polls show as feed errors"
            world.garbage = False
            scheduler.refresh_now(JOB_ID)
            await clock.advance(20)
            assert _snapshot(store) == good
            assert not any(h.failing for h in store.global_feeds.values())
            figure("fuzz: bad polls against a held store", world.served_bad)
        finally:
            scheduler.stop()
            await task
            await client.aclose()

    asyncio.run(scenario())
    figure("fuzz: store-level scenarios run", 1)
