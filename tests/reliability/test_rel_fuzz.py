"""Promise 2 (defined in conftest.py): malformed bodies never crash (endpoint parsers).

Every endpoint parser is fed, through AxomClient and an httpx.MockTransport, random and
adversarial responses: arbitrary JSON, the contract's payloads with fields mutated
(wrong types, missing and extra fields, NaN/±Inf, huge numbers and strings, deep
nesting), raw bytes (non-UTF-8, empty, truncated, HTML error pages), odd statuses and
headers (redirect loops, bogus Content-Encoding, garbage Retry-After). Each case must
give a typed ``AxomError`` or a record of the right type that the store accepts; nothing
else may escape. Out-of-range integers and timestamps at the edge of time are checked
as concrete cases.

The store-level half (bad polls after good ones leave held data intact) is in
test_rel_fuzz_store.py. Examples are derandomized (the same cases on every run, so CI is
stable) and the number of cases run is reported.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import math
import zlib
from typing import Any

import httpx
import pytest
from hypothesis import given, strategies as st

from axom_tui.api import AxomClient, records as rec
from axom_tui.api.errors import AxomError
from axom_tui.base.units import human_bytes
from axom_tui.store import RunStore
from axom_tui.view import format as fmt
from contract_examples import (
    BASE,
    EVENTS,
    JOB,
    JOB_ID,
    LINE,
    MODEL,
    MODEL_ID,
    OVERVIEW,
    POINT,
    RESULT,
    TS,
)
from rel_helpers import KEY, figure, repeatable, streamed_response

# endpoint name -> (client call, a valid body, the record type a success must have)
ENDPOINTS: dict[str, tuple[Any, Any, Any]] = {
    "jobs": (lambda c: c.list_jobs(), [JOB, dict(JOB, id="2")], list),
    "job": (lambda c: c.get_job(JOB_ID), JOB, rec.Job),
    "metrics": (
        lambda c: c.get_metrics(JOB_ID, since_step=600),
        {
            "job_id": JOB_ID,
            "count": 2,
            "latest_step": 1000,
            "points": [POINT, dict(POINT, step=630)],
        },
        rec.MetricsPage,
    ),
    "logs": (
        lambda c: c.get_logs(JOB_ID, since=1840),
        {"job_id": JOB_ID, "latest_seq": 1862, "lines": [LINE, dict(LINE, seq=1842)]},
        rec.LogsPage,
    ),
    "events": (lambda c: c.get_events(JOB_ID), EVENTS, list),
    "result": (lambda c: c.get_result(JOB_ID), RESULT, (rec.Result, type(None))),
    "models": (lambda c: c.list_models(), [MODEL], list),
    "manifest": (
        lambda c: c.get_manifest(MODEL_ID),
        {
            "model_id": MODEL_ID,
            "name": "m",
            "version": "v1",
            "files": [{"rel": "config.json", "size": 1024, "url": "https://s.example/c?sig=00"}],
        },
        rec.Manifest,
    ),
    "overview": (lambda c: c.overview(), OVERVIEW, rec.Overview),
    "usage": (
        lambda c: c.usage(),
        {
            "period_days": 14,
            "unit": "day",
            "total_gpu_minutes": 6.5,
            "total_tokens": 4,
            "total_cost_usd": 8.4,
            "total_jobs": 5,
            "buckets": [
                {"date": "2026-06-03", "gpu_minutes": 3.25, "tokens": 2, "cost_usd": 4.4, "jobs": 2}
            ],
        },
        rec.Usage,
    ),
    "base-models": (lambda c: c.base_models(), [{"id": "b", "name": "falcon", "params": 1}], list),
    "datasets": (lambda c: c.datasets(), [{"id": "d", "name": "fineweb", "rows": 1}], list),
}
NAMES = sorted(ENDPOINTS)

CASES = {"run": 0, "errors": 0, "records": 0}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


FIELD_NAMES = sorted(
    {k for _, body, _ in ENDPOINTS.values() for k in _keys(body)}
    | {"jobs", "items", "data", "detail", "message"}
)

# ---------------------------------------------------------------- strategies

HUGE_INTS = st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**30, 10**308, 10**400, -(10**400)])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE_INTS
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324])
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "",
            "NaN",
            "Infinity",
            "-inf",
            "null",
            TS,
            "2026-13-45T99:99:99Z",
            "x" * 100_000,
            "\x1b]0;pwned\x07",
            "\ud800",
            "\u202e",
            "🚀" * 50,
            "0" * 5000,
        ]
    )
)
KEYS = st.sampled_from(FIELD_NAMES) | st.text(max_size=8)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=10,
)


@st.composite
def mutated(draw, name: str) -> Any:
    """The endpoint's valid body with a few paths replaced, deleted or added to."""
    body = copy.deepcopy(ENDPOINTS[name][1])
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(body))
        path = draw(st.sampled_from(paths))
        parent, key = _locate(body, path)
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "nest", "huge"]))
        if parent is None:
            body = draw(JSON)
            continue
        if action == "replace":
            parent[key] = draw(JSON)
        elif action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(KEYS)] = draw(JSON)
        elif action == "nest":
            parent[key] = _deep(draw(st.integers(50, 600)))
        elif action == "huge":
            parent[key] = draw(HUGE_INTS)
    return body


def _paths(value: Any, at: tuple = ()):
    yield at
    if len(at) >= 4:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, at + (i,))


def _locate(body: Any, path: tuple):
    if not path:
        return None, None
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    return parent, path[-1]


def _deep(depth: int) -> Any:
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"points": value}
    return value


def encode(value: Any, how: str) -> bytes:
    text = json.dumps(value, allow_nan=True, ensure_ascii=how == "ascii")
    data = text.encode("utf-8", "surrogatepass")
    if how == "truncated":
        data = data[: max(0, len(data) // 2)]
    elif how == "latin1-junk":
        data = data[:-1] + b"\xff\xfe" + data[-1:]
    elif how == "utf16":
        data = text.encode("utf-16", "surrogatepass")
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


RAW = st.sampled_from(
    [
        b"",
        b" ",
        b"null",
        b"{",
        b"[",
        b'{"a":',
        b"\xff\xfe\xfd",
        b"\x00" * 64,
        b"NaN",
        b"-Infinity",
        b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
        b"<!DOCTYPE html><html><body>Cloudflare: Attention Required!</body></html>",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b"1" * 5000,
        b"1e999999",
        b"-1e999999",
        b'"' + b"x" * 1_000_000 + b'"',
        b'{"detail": "' + b"\x1b[2J" * 100 + b'"}',
        b"\xc3\x28",
        b"\xed\xa0\x80",
        b'{"points": [{"step": 1e400}]}',
        b'{"step": 12345678901234567890123}',
    ]
) | st.binary(max_size=300)

STATUS = st.sampled_from(
    [200] * 12
    + [
        201,
        202,
        204,
        206,
        300,
        301,
        302,
        304,
        307,
        400,
        401,
        403,
        404,
        409,
        418,
        422,
        429,
        500,
        502,
        503,
        504,
        599,
    ]
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(
            [
                "application/json",
                "text/html",
                "application/xml",
                "application/json; charset=latin-1",
                "",
                "\x7f",
            ]
        ),
        "Content-Encoding": st.sampled_from(
            ["gzip", "deflate", "br", "zstd", "identity", "x-junk", "gzip, gzip"]
        ),
        "Retry-After": st.sampled_from(
            [
                "1",
                "-5",
                "NaN",
                "inf",
                "1e309",
                "soon",
                "",
                "Wed, 21 Oct 2015 07:28:00 GMT",
                "99999999999999999999",
            ]
        ),
        "Location": st.sampled_from(
            [
                "/api/jobs",
                "https://console.axomlabs.ai/api/loop",
                "https://evil.example/steal",
                "ftp://x/y",
                "http://[::1",
                "//",
            ]
        ),
    },
)


@st.composite
def responses(draw, name: str) -> tuple[int, dict[str, str], bytes]:
    kind = draw(st.sampled_from(["json", "mutated", "mutated", "raw"]))
    if kind == "raw":
        body = draw(RAW)
    else:
        value = draw(JSON) if kind == "json" else draw(mutated(name))
        body = encode(
            value,
            draw(
                st.sampled_from(
                    ["utf8", "utf8", "ascii", "truncated", "latin1-junk", "utf16", "bom"]
                )
            ),
        )
    status = draw(STATUS)
    headers = draw(HEADERS)
    if headers.get("Content-Encoding") == "gzip" and draw(st.booleans()):
        body = zlib.compress(body)  # zlib, not gzip framing: a broken gzip body
    return status, headers, body


# ---------------------------------------------------------------- the check


class Serve:
    """MockTransport handler: answers every request with the current case."""

    def __init__(self) -> None:
        self.case: tuple[int, dict[str, str], bytes] = (200, {}, b"")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        status, headers, body = self.case
        return streamed_response(status, headers, body)


def _numbers(value: Any):
    """Every int/float inside a record (dataclasses, lists, dicts)."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _numbers(getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers(item)


def _check_record(name: str, value: Any) -> None:
    """A tolerated record is of the promised type, the store accepts it whole, and the
    UI's number formatting can show every number in it."""
    expected = ENDPOINTS[name][2]
    assert isinstance(value, expected), (name, type(value))
    for number in _numbers(value):
        if isinstance(number, int):
            # beyond int64 the store cannot hold it and the UI's float maths overflows
            assert -(2**63) <= number < 2**63, (name, "integer beyond int64 reached a record")
        for show in (fmt.si, fmt.metric, fmt.money, fmt.percent, fmt.duration, human_bytes):
            show(number)
    store = RunStore(clock=lambda: 0.0)
    if name == "jobs":
        assert all(isinstance(j, rec.Job) for j in value)
        store.apply_jobs(value)
    elif name == "job":
        store.apply_job(value)
    elif name == "metrics":
        assert all(isinstance(p.step, int) for p in value.points)
        store.apply_metrics(JOB_ID, value)
        series = store.runs[JOB_ID].metrics
        assert all(len(series.column(c)) == len(series.steps) for c in ("loss", "lr", "vram_gb"))
    elif name == "logs":
        assert all(isinstance(x.seq, int) and isinstance(x.text, str) for x in value.lines)
        store.apply_logs(JOB_ID, value)
    elif name == "events":
        assert all(isinstance(e, rec.Event) and isinstance(e.payload, dict) for e in value)
        store.apply_events(JOB_ID, value)
    elif name == "result" and value is not None:
        store.apply_result(JOB_ID, value)
    elif name == "models":
        assert all(isinstance(m, rec.Model) for m in value)
        store.apply_models(value)
    elif name == "overview":
        store.apply_overview(value)
    elif name == "manifest":
        assert all(
            isinstance(f.rel, str) and isinstance(f.size, int) and f.size >= 0 for f in value.files
        )
    elif name in ("base-models", "datasets"):
        assert all(isinstance(item, dict) for item in value)


async def _one(
    client: AxomClient, serve: Serve, name: str, case: tuple[int, dict[str, str], bytes]
) -> None:
    serve.case = case
    CASES["run"] += 1
    try:
        value = await ENDPOINTS[name][0](client)
    except AxomError as exc:
        CASES["errors"] += 1
        assert type(exc) is not AxomError, "a typed subclass"
        assert str(exc) and exc.endpoint  # a readable message naming the endpoint
        return
    CASES["records"] += 1
    _check_record(name, value)


FUZZ_EXAMPLES = 110  # per endpoint
RAW_EXAMPLES = 30  # per endpoint, raw bytes only


@pytest.fixture
def harness():
    loop = asyncio.new_event_loop()
    serve = Serve()
    client = AxomClient(BASE, KEY, transport=httpx.MockTransport(serve), retries=0)
    yield loop, client, serve
    loop.run_until_complete(client.aclose())
    loop.close()


@pytest.mark.parametrize("name", NAMES)
def test_every_endpoint_survives_random_and_mutated_bodies(name, harness):
    loop, client, serve = harness
    before = CASES["run"]

    @repeatable(FUZZ_EXAMPLES)
    @given(case=responses(name))
    def check(case):
        loop.run_until_complete(_one(client, serve, name, case))

    check()
    figure("fuzz: cases run (endpoint parsers)", CASES["run"] - before)
    figure("fuzz: max_examples configured", FUZZ_EXAMPLES)


@pytest.mark.parametrize("name", NAMES)
def test_every_endpoint_survives_raw_bytes(name, harness):
    loop, client, serve = harness
    before = CASES["run"]

    @repeatable(RAW_EXAMPLES)
    @given(body=RAW, status=st.sampled_from([200, 200, 200, 404, 429, 500, 502]))
    def check(body, status):
        loop.run_until_complete(_one(client, serve, name, (status, {}, body)))

    check()
    figure("fuzz: cases run (endpoint parsers)", CASES["run"] - before)
    figure("fuzz: max_examples configured", RAW_EXAMPLES)


def test_the_fuzz_reached_both_outcomes():
    """Sanity: the corpus is not all-errors (mutations keep many bodies valid)."""
    loop = asyncio.new_event_loop()
    serve = Serve()
    client = AxomClient(BASE, KEY, transport=httpx.MockTransport(serve), retries=0)
    try:
        for name in NAMES:
            body = json.dumps(ENDPOINTS[name][1]).encode()
            loop.run_until_complete(_one(client, serve, name, (200, {}, body)))
        assert CASES["records"] >= len(NAMES)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    figure("fuzz: typed errors seen", CASES["errors"])
    figure("fuzz: tolerated records seen", CASES["records"])


@pytest.mark.parametrize(
    "name, body",
    [
        (
            "metrics",
            '{"points": [{"step": 10, "loss": 1}, {"step": 9223372036854775808, "loss": 2}]}',
        ),
        ("metrics", '{"points": [{"step": 10, "loss": 1}, {"step": 1e300, "loss": 2}]}'),
        ("overview", '{"active_runs": 1%s}' % ("0" * 400)),
        (
            "job",
            '{"id": "j", "status": "running", "total_steps": 3, "latest_step": 1%s}' % ("0" * 400),
        ),
        ("logs", '{"lines": [{"seq": 1%s, "text": "x"}]}' % ("0" * 30)),
    ],
)
def test_out_of_range_integers_never_reach_the_store_or_the_screen(name, body, harness):
    """Concrete harms of an integer too big for int64: a half-merged metrics page (steps and
    columns out of step), OverflowError in the header's or the table's number formatting."""
    from axom_tui.view.derive import progress_of

    loop, client, serve = harness
    serve.case = (200, {}, body.encode())
    try:
        value = loop.run_until_complete(ENDPOINTS[name][0](client))
    except AxomError:
        return  # refused as a bad payload: fine
    store = RunStore(clock=lambda: 0.0)
    if name == "metrics":
        store.apply_metrics(JOB_ID, value)
        series = store.runs[JOB_ID].metrics
        assert len(series.column("loss")) == len(series.steps)
    elif name == "overview":
        fmt.si(value.active_runs)
    elif name == "job":
        progress_of(value, None).label()
    elif name == "logs":
        store.apply_logs(JOB_ID, value)


@pytest.mark.parametrize(
    "stamp",
    [
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
    ],
)
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_timestamps_at_the_edge_of_time_never_crash_the_clock(stamp, zone, harness, monkeypatch):
    """The timeline and the log view show server times in the local zone: a timestamp at
    the end of the datetime range must be left out (or the answer refused), not overflow
    there."""
    import time

    loop, client, serve = harness
    serve.case = (
        200,
        {},
        json.dumps([{"ts": stamp, "kind": "checkpoint", "payload": {}}]).encode(),
    )
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        try:
            events = loop.run_until_complete(client.get_events(JOB_ID))
        except AxomError:
            return  # refused as a bad payload: fine
        for event in events:
            fmt.clock_time(event.ts)
            if event.ts is None:  # left empty: counted, unless it was the zero time ("unset")
                assert events.issues.emptied == 1 or stamp.startswith("0001-01-01")
                continue
            event.ts.astimezone().strftime("%H:%M:%S")  # as the log view does
    finally:
        monkeypatch.undo()
        time.tzset()
