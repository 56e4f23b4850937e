"""Nothing waits forever, and a big account is listed whole (issue 17), in virtual time."""

from __future__ import annotations

from axom_tui.poll import PollPolicy
from axom_tui.poll.job_listing import ACTIVE_FILTER
from axom_tui.store import FeedKey
from axom_tui.store.vocab import FeedKind
from poll_fakes import Harness

ACTIVE = ",".join(ACTIVE_FILTER)


async def test_a_stuck_job_list_is_cancelled_at_the_deadline_and_asked_again():
    h = Harness()
    h.api.add_run("a", "running", steps=3)
    h.api.stalls["list_jobs"] = 1  # the very first answer never ends
    async with h:
        await h.advance(30)
        assert "a" not in h.store.runs or h.store.runs["a"].job is None  # still waiting
        await h.advance(30)  # past the 45 s deadline, and its backoff
    health = h.store.feed_health(FeedKey(FeedKind.LIST))
    assert h.api.count("list_jobs") >= 2
    assert h.store.runs["a"].job is not None and health.last_ok is not None


async def test_the_deadline_failure_is_recorded_for_the_feed():
    h = Harness(policy=PollPolicy(request_deadline=10.0))
    h.api.add_run("a", "running")
    h.api.stalls["list_jobs"] = 1
    async with h:
        await h.advance(10.5)
        health = h.store.feed_health(FeedKey(FeedKind.LIST))
        assert health.failing and "within 10 s" in (health.last_error or "")
        assert health.error_kind == "DeadlineError"


async def test_refresh_restarts_a_request_stuck_in_flight():
    h = Harness()
    h.api.add_run("a", "running", steps=3)
    async with h:
        h.scheduler.focus("a")
        await h.advance(5)
        h.api.set_status("a", "failed")
        h.api.stalls["list_jobs"] = 1
        h.api.stalls["get_job"] = 1
        await h.advance(9)  # the next list (and the run's own record) are now stuck
        stuck_at = h.now
        calls = h.api.count("list_jobs")
        h.scheduler.refresh_now()  # the user presses r
        await h.advance(0.5)
        assert h.api.count("list_jobs", since=stuck_at) >= 1  # asked again at once
        assert h.api.count("list_jobs") > calls
        assert h.store.runs["a"].job.status == "failed"


async def test_refresh_of_a_request_just_sent_waits_for_it_then_goes_again():
    h = Harness(latency=0.5)
    h.api.add_run("a", "running")
    async with h:
        await h.advance(4.2)  # a list request has just gone out (4.0), answered at 4.5
        before = h.api.count("list_jobs")
        h.scheduler.refresh_now()
        await h.advance(0.1)
        assert h.api.count("list_jobs") == before  # no second request for the same feed
        await h.advance(1.0)
        assert h.api.count("list_jobs") == before + 1  # but one right after it


async def test_an_account_bigger_than_one_page_is_listed_whole_and_then_by_its_active_runs():
    h = Harness()
    h.api.pages = h.api.filters = True
    for i in range(450):
        h.api.add_run(f"old{i:03d}", "completed")
    for i in range(5):
        h.api.add_run(f"live{i}", "running", steps=2)
    async with h:
        await h.advance(3)
        assert len(h.store.runs) == 455 and h.store.listing.complete
        assert h.store.order[:5] == [f"live{i}" for i in range(4, -1, -1)]  # newest first
        assert h.store.order[-1] == "old000"
        first = list(h.api.list_requests)
        assert [c for _, c in first] == [None, "200", "400"]  # three pages
        h.api.set_status("live2", "completed")
        h.api.list_requests.clear()
        await h.advance(8)
        assert h.store.runs["live2"].job.status == "completed"  # left the active list: asked
        assert set(h.api.list_requests) == {(ACTIVE, None)}  # one page of active runs
        assert h.api.count("get_job", "live2") == 1
        h.api.list_requests.clear()
        await h.advance(60)
        full = [r for r in h.api.list_requests if r[0] is None]
        assert full == [(None, None), (None, "200"), (None, "400")]  # the whole list, rarely
        assert len(h.api.list_requests) <= 60 / 4 + 3


async def test_a_server_that_ignores_the_status_filter_is_not_paged_through_every_round():
    h = Harness()
    h.api.pages = True  # pages, but answers ?status= with everything
    for i in range(450):
        h.api.add_run(f"old{i:03d}", "completed")
    h.api.add_run("live", "running")
    async with h:
        await h.advance(3)
        h.api.list_requests.clear()
        await h.advance(40)
    cursors = [c for _, c in h.api.list_requests]
    assert cursors.count(None) >= 8 and cursors.count("200") <= 1  # first pages only


async def test_live_runs_off_screen_in_the_job_list_are_asked_for_less_often():
    h = Harness()
    for i in range(10):
        h.api.add_run(f"r{i}", "running", steps=5)
    async with h:
        await h.advance(30)
        h.scheduler.set_in_view(["r9", "r8", "r7"])  # the rows on screen (newest first)
        mark = h.now
        await h.advance(240)
        shown = h.api.count("get_metrics", "r8", since=mark)
        hidden = h.api.count("get_metrics", "r1", since=mark)
        assert shown >= 240 / 20 - 1 and hidden <= 240 / 120 + 1
        h.scheduler.set_in_view(["r1", "r2"])  # scrolled: r1 comes on screen
        await h.advance(0.5)
        assert h.api.count("get_metrics", "r1", since=h.now - 0.5) == 1  # fresh when seen


async def test_the_last_points_of_runs_off_screen_wait_until_they_are_shown():
    """A big account's finished runs listed off screen: the newest few get their tail (the
    job list's Loss) unasked, the others when their row comes on screen."""
    h = Harness()
    for i in range(120):
        h.api.add_run(f"f{i:03d}", "failed", steps=300)
    h.scheduler.set_in_view([f"f{i:03d}" for i in range(119, 109, -1)])  # the top rows
    async with h:  # (the first page that comes before the list says what it shows: all)
        await h.advance(60)
        asked = {j for _, m, j in h.api.calls if m == "get_metrics"}
        assert len(asked) <= PollPolicy().eager_results + 10 < 120
        h.scheduler.set_in_view(["f000"])  # scrolled to the bottom
        await h.advance(5)
        assert h.api.count("get_metrics", "f000") == 1


async def test_a_big_models_list_is_asked_for_less_often():
    """The models list was asked for every 30 s whatever its size (4,000 models: a long
    answer every 30 s); it is paced as the whole job list is, 15 s more per 200 models."""
    from axom_tui.api.records import Model

    h = Harness()
    h.api.add_run("a", "running")
    h.api.models = [Model(id=f"m{i}") for i in range(4000)]
    async with h:
        await h.advance(5)
        assert len(h.store.models) == 4000
        mark = h.now
        await h.advance(600)
    assert h.api.count("list_models", since=mark) <= 600 / (4000 / 200 * 15) + 1


async def test_a_small_models_list_keeps_its_period():
    from axom_tui.api.records import Model

    h = Harness()
    h.api.add_run("a", "running")
    h.api.models = [Model(id=f"m{i}") for i in range(20)]
    async with h:
        await h.advance(5)
        mark = h.now
        await h.advance(300)
    assert h.api.count("list_models", since=mark) >= 300 / 30 - 1


async def test_an_account_of_whole_pages_is_not_said_to_be_cut_short():
    """5,000 runs are 25 full pages: the last one has no ``next`` because there is no more,
    not because the server cannot page (the list line said "a full page, and the server
    offered no next one")."""
    h = Harness()
    h.api.pages = h.api.filters = True
    for i in range(400):
        h.api.add_run(f"old{i:03d}", "completed")
    async with h:
        await h.advance(3)
    assert h.store.listing.complete and len(h.store.runs) == 400
    assert not h.store.listing.truncated
