"""HTTP status → typed error, retry policy with recorded backoff, and malformed payloads."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from api_helpers import FakeSleep, Router, json_response, raw_response
from axom_tui.api import (
    AuthError,
    AxomClient,
    AxomError,
    BadPayloadError,
    ClientError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from contract_examples import JOB, METRICS

EP_JOB = "GET /jobs/{id}"


# ---------------------------------------------------------------- status codes


@pytest.mark.parametrize(
    "status, cls", [(401, AuthError), (403, ForbiddenError), (404, NotFoundError)]
)
async def test_auth_scope_and_not_found_are_typed_and_not_retried(
    client: AxomClient, router: Router, sleeper: FakeSleep, status: int, cls: type
) -> None:
    router.json("/jobs/j1", {"detail": "nope"}, status=status)
    with pytest.raises(cls) as info:
        await client.get_job("j1")
    assert router.calls("/jobs/j1") == 1
    assert sleeper.delays == []
    assert info.value.endpoint == EP_JOB and str(info.value).startswith(EP_JOB)
    assert "nope" in str(info.value) and str(status) in str(info.value)
    assert not info.value.transient


@pytest.mark.parametrize("status", [400, 409, 422])
async def test_other_4xx_are_client_errors_not_retried(
    client: AxomClient, router: Router, sleeper: FakeSleep, status: int
) -> None:
    router.json("/jobs", {"detail": "idempotency key reused"}, status=status)
    with pytest.raises(ClientError) as info:
        await client.list_jobs()
    assert info.value.status == status
    assert "idempotency key reused" in str(info.value)
    assert router.calls("/jobs") == 1 and sleeper.delays == []


async def test_422_list_detail_is_joined(client: AxomClient, router: Router) -> None:
    router.json(
        "/jobs",
        {
            "detail": [
                {
                    "loc": ["query", "limit"],
                    "msg": "ensure this value is less than or equal to 200",
                    "type": "x",
                },
                {"loc": ["query", "status"], "msg": "unknown status", "type": "y"},
                "not an object",
            ]
        },
        status=422,
    )
    with pytest.raises(ClientError) as info:
        await client.list_jobs(limit=500)
    assert info.value.status == 422
    assert "ensure this value is less than or equal to 200; unknown status" in str(info.value)


async def test_error_detail_is_bounded_and_html_pages_are_not_quoted(
    client: AxomClient, router: Router
) -> None:
    router.json("/jobs", {"detail": "x" * 5000}, status=400)
    router.add(
        "/models",
        raw_response("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "text/html"),
    )
    with pytest.raises(ClientError) as info:
        await client.list_jobs()
    assert len(str(info.value)) < 400
    with pytest.raises(ServerError) as info:
        await client.list_models()
    assert "<html" not in str(info.value) and info.value.status == 502


@pytest.mark.parametrize(
    "header, expected",
    [
        ("7", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("999999", 600.0),
        (None, 5.0),
        ("soon", 5.0),
        ("nan", 5.0),
    ],
)
async def test_429_retry_after_seconds_and_default(
    client: AxomClient, router: Router, sleeper: FakeSleep, header: str | None, expected: float
) -> None:
    headers = {} if header is None else {"Retry-After": header}
    router.add("/jobs", json_response({"detail": "slow down"}, 429, headers))
    with pytest.raises(RateLimitedError) as info:
        await client.list_jobs()
    assert info.value.retry_after == expected
    assert router.calls("/jobs") == 1 and sleeper.delays == []  # raised at once, never retried here
    assert info.value.transient


async def test_429_retry_after_http_date(
    client: AxomClient, router: Router, sleeper: FakeSleep
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    router.add("/jobs", json_response({}, 429, {"Retry-After": format_datetime(when, usegmt=True)}))
    with pytest.raises(RateLimitedError) as info:
        await client.list_jobs()
    assert 85 <= info.value.retry_after <= 90
    assert router.calls("/jobs") == 1 and sleeper.delays == []


async def test_429_retry_after_date_in_the_past_is_zero(client: AxomClient, router: Router) -> None:
    router.add("/jobs", json_response({}, 429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    with pytest.raises(RateLimitedError) as info:
        await client.list_jobs()
    assert info.value.retry_after == 0.0


# ---------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_retried_then_raised(
    make_client, router: Router, sleeper: FakeSleep, status: int
) -> None:
    client = make_client(router, retries=3)
    router.json("/jobs/j1", {"detail": "upstream"}, status=status)
    with pytest.raises(ServerError) as info:
        await client.get_job("j1")
    assert info.value.status == status and info.value.endpoint == EP_JOB
    assert router.calls("/jobs/j1") == 4
    assert len(sleeper.delays) == 3
    assert client.requests_sent == 4


async def test_5xx_then_success_returns_the_record(
    client: AxomClient, router: Router, sleeper: FakeSleep
) -> None:
    router.add(
        "/jobs/j1",
        json_response({}, 503),
        json_response({}, 502),
        json_response(dict(JOB, id="j1")),
    )
    assert (await client.get_job("j1")).id == "j1"
    assert router.calls("/jobs/j1") == 3 and len(sleeper.delays) == 2


async def test_retries_zero_means_one_attempt(
    make_client, router: Router, sleeper: FakeSleep
) -> None:
    client = make_client(router, retries=0)
    router.json("/jobs", {}, status=500)
    with pytest.raises(ServerError):
        await client.list_jobs()
    assert router.calls("/jobs") == 1 and sleeper.delays == []


def _nominal(attempt: int, base: float, cap: float) -> float:
    return min(cap, base * 2**attempt)


async def test_backoff_grows_is_capped_and_jittered(
    make_client, router: Router, sleeper: FakeSleep
) -> None:
    base, cap, retries = 0.25, 2.0, 12
    client = make_client(router, retries=retries, backoff_base=base, backoff_cap=cap)
    router.json("/jobs", {}, status=503)
    with pytest.raises(ServerError):
        await client.list_jobs()
    delays = sleeper.delays
    assert len(delays) == retries
    for attempt, delay in enumerate(delays):
        nominal = _nominal(attempt, base, cap)
        assert 0.5 * nominal <= delay <= 1.5 * nominal, (attempt, delay)
    # growing: the jitter band two attempts later lies wholly above this one (until the cap)
    assert delays[2] > delays[0] and delays[3] > delays[1]
    # capped: nothing beyond the cap's jitter band, however many attempts
    assert max(delays) <= 1.5 * cap
    # jittered: the capped attempts are not all the same delay
    capped = delays[4:]
    assert len(set(capped)) > 1


async def test_backoff_nominal_sequence_with_fixed_jitter(
    make_client, router: Router, sleeper: FakeSleep
) -> None:
    client = make_client(router, retries=6, backoff_base=0.25, backoff_cap=4.0)

    class Half(random.Random):
        def random(self) -> float:  # jitter factor 0.5 + 0.5 == 1: the nominal delay
            return 0.5

    client._rng = Half()
    router.json("/jobs", {}, status=500)
    with pytest.raises(ServerError):
        await client.list_jobs()
    assert sleeper.delays == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]


@pytest.mark.parametrize(
    "exc_type",
    [
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.RemoteProtocolError,
        httpx.ReadError,
        httpx.ConnectTimeout,
    ],
)
async def test_transport_errors_retried_then_raised(
    sleeper: FakeSleep, make_client, exc_type: type
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise exc_type("boom", request=request)

    client = make_client(handler, retries=2)
    with pytest.raises(TransportError) as info:
        await client.get_job("j1")
    assert len(calls) == 3 and len(sleeper.delays) == 2
    assert info.value.endpoint == EP_JOB and info.value.transient
    assert isinstance(info.value, AxomError)


async def test_transport_error_then_success(make_client, sleeper: FakeSleep) -> None:
    state = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        if state["n"] == 1:
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return json_response(dict(JOB, id="j1"))

    client = make_client(handler)
    assert (await client.get_job("j1")).id == "j1"
    assert state["n"] == 2 and len(sleeper.delays) == 1


async def test_timeout_message_says_timed_out(make_client) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    client = make_client(handler, retries=0)
    with pytest.raises(TransportError, match="timed out"):
        await client.list_jobs()


# ---------------------------------------------------------------- malformed bodies


BAD_BODIES = {
    "malformed-json": raw_response('{"id": "j1", "status": '),
    "html-200": raw_response("<!DOCTYPE html><html><body>Sign in</body></html>", 200, "text/html"),
    "empty": raw_response(b""),
    "204": httpx.Response(204),
    "non-utf8": raw_response(b'{"id": "j1", "status": "\xff\xfe\xfa"}'),
    "deeply-nested": raw_response("[" * 100_000 + "]" * 100_000),
    "huge-int": raw_response("1" * 5000),
    "huge-int-in-field": raw_response(
        '{"id": "j1", "status": "running", "latest_step": ' + "9" * 5000 + "}"
    ),
    "top-level-array": raw_response('[{"id": "j1", "status": "running"}]'),
    "top-level-string": raw_response('"running"'),
    "top-level-null": raw_response("null"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
async def test_bad_bodies_raise_bad_payload_naming_the_endpoint(
    client: AxomClient, router: Router, sleeper: FakeSleep, name: str
) -> None:
    router.add("/jobs/j1", BAD_BODIES[name])
    with pytest.raises(BadPayloadError) as info:
        await client.get_job("j1")
    assert info.value.endpoint == EP_JOB
    assert str(info.value).startswith(EP_JOB + ": bad payload")
    assert router.calls("/jobs/j1") == 1 and sleeper.delays == []  # the poll fails; no blind retry


async def test_deeply_nested_field_value(client: AxomClient, router: Router) -> None:
    router.add(
        "/jobs/j1",
        raw_response(
            '{"id": "j1", "status": "running", "hyperparams": '
            + "[" * 100_000
            + "]" * 100_000
            + "}"
        ),
    )
    with pytest.raises(BadPayloadError):
        await client.get_job("j1")


async def test_list_endpoint_with_an_object_that_holds_no_list(
    client: AxomClient, router: Router
) -> None:
    router.json("/jobs", {"jobs": "none", "count": 0})
    router.json("/models", 42)
    with pytest.raises(BadPayloadError, match="GET /jobs"):
        await client.list_jobs()
    with pytest.raises(BadPayloadError, match="GET /models"):
        await client.list_models()


# Answers that cannot be used at all: a record without what identifies it, a list that
# is not a list, a manifest with a bad file (all or nothing: a model missing a file is not
# a model). Each is an error of that poll, naming the field.
UNREADABLE = [
    # (path, body, call, expected field)
    ("/jobs/j1", {"id": "j1", "status": 5}, "get_job", "status"),
    ("/jobs/j1", {"id": "j1"}, "get_job", "status"),
    ("/jobs/j1", {"id": "j1", "status": None}, "get_job", "status"),
    ("/jobs/j1", {"status": "running"}, "get_job", "id"),
    ("/jobs/j1", {"id": ["j1"], "status": "running"}, "get_job", "id"),
    ("/jobs/j1/metrics", {"points": "x"}, "get_metrics", "points"),
    ("/jobs/j1/logs", {"lines": {"seq": 1}}, "get_logs", "lines"),
    ("/models/m/download", {"name": "x"}, "get_manifest", "files"),
    (
        "/models/m/download",
        {"files": [{"rel": "a", "size": -1, "url": "u"}]},
        "get_manifest",
        "files[0].size",
    ),
    (
        "/models/m/download",
        {"files": [{"rel": "a", "size": "1", "url": "u"}]},
        "get_manifest",
        "files[0].size",
    ),
    ("/models/m/download", {"files": [{"size": 1, "url": "u"}]}, "get_manifest", "files[0].rel"),
    ("/models/m/download", {"files": [{"rel": "a", "size": 1}]}, "get_manifest", "files[0].url"),
]


def _call_args(call: str) -> tuple[str, ...]:
    return ("m",) if call == "get_manifest" else ("j1",) if call.startswith("get_") else ()


@pytest.mark.parametrize(
    "path, body, call, field", UNREADABLE, ids=[f"{c}:{f}" for _, _, c, f in UNREADABLE]
)
async def test_unreadable_answers_name_the_field(
    client: AxomClient, router: Router, path: str, body, call: str, field: str
) -> None:
    router.json(path, body)
    with pytest.raises(BadPayloadError) as info:
        await getattr(client, call)(*_call_args(call))
    assert info.value.field == field
    assert repr(field) in str(info.value)
    assert str(info.value).startswith("GET /")


# One bad field or item spoils only itself: the answer is used, the field left empty or
# the item skipped, and the answer's ``issues`` count it and name the first.
# (path, body, call, the field named, items skipped, fields left empty)
SPOILS_ONLY_ITSELF = [
    ("/jobs/j1", {"id": "j1", "status": "running", "retries": "1"}, "get_job", "retries", 0, 1),
    ("/jobs/j1", {"id": "j1", "status": "running", "retries": True}, "get_job", "retries", 0, 1),
    (
        "/jobs/j1",
        {"id": "j1", "status": "running", "latest_step": 1.5},
        "get_job",
        "latest_step",
        0,
        1,
    ),
    (
        "/jobs/j1",
        {"id": "j1", "status": "running", "latest_step": float("nan")},
        "get_job",
        "latest_step",
        0,
        1,
    ),
    (
        "/jobs/j1",
        {"id": "j1", "status": "running", "hyperparams": [1]},
        "get_job",
        "hyperparams",
        0,
        1,
    ),
    (
        "/jobs/j1",
        {"id": "j1", "status": "running", "created_at": 1717469120},
        "get_job",
        "created_at",
        0,
        1,
    ),
    (
        "/jobs/j1",
        {"id": "j1", "status": "running", "created_at": "yesterday"},
        "get_job",
        "created_at",
        0,
        1,
    ),
    ("/jobs/j1", {"id": "j1", "status": "running", "name": {"a": 1}}, "get_job", "name", 0, 1),
    (
        "/jobs",
        [{"id": "a", "status": "running"}, {"id": "b", "status": 5}],
        "list_jobs",
        "[1].status",
        1,
        0,
    ),
    (
        "/jobs",
        {"jobs": ["not-an-object", {"id": "a", "status": "queued"}]},
        "list_jobs",
        "[0]",
        1,
        0,
    ),
    (
        "/jobs/j1/metrics",
        {"points": [{"step": "a"}, {"step": 2}]},
        "get_metrics",
        "points[0].step",
        1,
        0,
    ),
    (
        "/jobs/j1/metrics",
        {"points": [{"loss": 1.0}, {"step": 2}]},
        "get_metrics",
        "points[0].step",
        1,
        0,
    ),
    (
        "/jobs/j1/metrics",
        {"points": [{"step": 1}, {"step": 2, "loss": "low"}]},
        "get_metrics",
        "points[1].loss",
        0,
        1,
    ),
    (
        "/jobs/j1/metrics",
        {"points": [{"step": 1, "loss": True}]},
        "get_metrics",
        "points[0].loss",
        0,
        1,
    ),
    ("/jobs/j1/metrics", {"points": [7, {"step": 2}]}, "get_metrics", "points[0]", 1, 0),
    ("/jobs/j1/metrics", {"latest_step": "10", "points": []}, "get_metrics", "latest_step", 0, 1),
    (
        "/jobs/j1/logs",
        {"lines": [{"seq": "a", "text": "x"}, {"seq": 2}]},
        "get_logs",
        "lines[0].seq",
        1,
        0,
    ),
    ("/jobs/j1/logs", {"lines": [{"seq": 1, "text": 5}]}, "get_logs", "lines[0].text", 0, 1),
    ("/jobs/j1/events", [{"kind": 3}], "get_events", "[0].kind", 0, 1),
    ("/jobs/j1/events", [{"kind": "status", "ts": "not a time"}], "get_events", "[0].ts", 0, 1),
    ("/jobs/j1/result", {"ppl_final": "324", "cost_usd": 1}, "get_result", "ppl_final", 0, 1),
    ("/jobs/j1/result", {"params_delta": 1.5, "cost_usd": 2.5}, "get_result", "params_delta", 0, 1),
    ("/models", [{"id": "m", "lineage": "j1"}], "list_models", "[0].lineage", 0, 1),
    (
        "/models",
        [{"id": "m", "lineage": {"job_id": []}}],
        "list_models",
        "[0].lineage.job_id",
        0,
        1,
    ),
    ("/models", [{"id": "m", "params": "2B"}], "list_models", "[0].params", 0, 1),
    ("/overview", {"active_runs": "3", "models": 2}, "overview", "active_runs", 0, 1),
    ("/usage", {"buckets": [{"date": "d", "tokens": "x"}]}, "usage", "buckets[0].tokens", 0, 1),
    ("/datasets", [{"id": "d"}, "raw"], "datasets", "[1]", 1, 0),
]


@pytest.mark.parametrize(
    "path, body, call, field, skipped, emptied",
    SPOILS_ONLY_ITSELF,
    ids=[f"{c}:{f}" for _, _, c, f, _, _ in SPOILS_ONLY_ITSELF],
)
async def test_a_bad_field_or_item_spoils_only_itself(
    client: AxomClient,
    router: Router,
    path: str,
    body,
    call: str,
    field: str,
    skipped: int,
    emptied: int,
) -> None:
    router.json(path, body)
    answer = await getattr(client, call)(*_call_args(call))
    issues = answer.issues
    assert (issues.skipped, issues.emptied) == (skipped, emptied)
    assert issues.first.startswith(field + ":")
    items = (
        body
        if isinstance(body, list)
        else body.get("jobs") or body.get("points") or body.get("lines")
    )
    if isinstance(items, list):  # what is left of a list: every item but the skipped ones
        kept = (
            answer
            if isinstance(answer, list)
            else getattr(answer, "points", None) or getattr(answer, "lines", None) or []
        )
        assert len(kept) == len(items) - skipped


async def test_result_bad_payload_is_not_none(client: AxomClient, router: Router) -> None:
    router.add("/jobs/j1/result", raw_response("<html>oops</html>", 200, "text/html"))
    with pytest.raises(BadPayloadError, match=r"GET /jobs/\{id\}/result"):
        await client.get_result("j1")


async def test_result_server_error_is_not_none(client: AxomClient, router: Router) -> None:
    router.json("/jobs/j1/result", {}, status=500)
    with pytest.raises(ServerError):
        await client.get_result("j1")


async def test_result_404_then_job_lookup_fails_with_5xx(
    client: AxomClient, router: Router
) -> None:
    router.json("/jobs/j1/result", {"detail": "not yet"}, status=404)
    router.json("/jobs/j1", {}, status=503)
    with pytest.raises(ServerError):
        await client.get_result("j1")


async def test_metrics_good_after_bad_poll(client: AxomClient, router: Router) -> None:
    """A bad poll is an error for that poll only: the next good one parses normally."""
    router.add("/jobs/j1/metrics", raw_response("{"), json_response(METRICS))
    with pytest.raises(BadPayloadError):
        await client.get_metrics("j1")
    assert (await client.get_metrics("j1")).points[0].step == 620
