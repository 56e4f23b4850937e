"""Fuzz, round two (issue 17): one bad item, or one bad field, spoils only itself.

A list answer of the contract (jobs, metric points, log lines, events, models) with one
item mutated at random (a field replaced by any JSON value, deleted, the item replaced
whole, the server's own spoils from ``sim/body_faults.py``): through AxomClient and an
httpx.MockTransport, every *other* item must come out exactly as it does from the clean
answer, the mutated one must be kept (a field left empty) or skipped, and whatever was
left out must be counted. Single records (a job, a result, the overview) likewise: a
field mutated leaves the other fields as they were. Examples are derandomized.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
from hypothesis import given, strategies as st

from axom_tui.api import AxomClient
from axom_tui.api.errors import AxomError
from axom_tui.sim.body_faults import EVENT_SPOILS, JOB_SPOILS, LINE_SPOILS, POINT_SPOILS
from contract_examples import EVENTS, JOB, JOB_ID, LINE, MODEL, OVERVIEW, POINT, RESULT
from rel_helpers import KEY, figure, repeatable

EXAMPLES = 250
BASE = "https://console.axomlabs.ai/api"
# list endpoint -> (client call, valid body, path to its items, the server's spoils)
LISTS: dict[str, tuple[Any, Any, tuple[str, ...], list[tuple[str, Any]]]] = {
    "jobs": (
        lambda c: c.list_jobs(),
        {"jobs": [dict(JOB, id=f"j{i}", latest_step=100 * i) for i in range(5)]},
        ("jobs",),
        JOB_SPOILS,
    ),
    "metrics": (
        lambda c: c.get_metrics(JOB_ID),
        {
            "job_id": JOB_ID,
            "latest_step": 700,
            "points": [dict(POINT, step=s) for s in range(600, 700, 20)],
        },
        ("points",),
        POINT_SPOILS,
    ),
    "logs": (
        lambda c: c.get_logs(JOB_ID),
        {
            "job_id": JOB_ID,
            "latest_seq": 5,
            "lines": [dict(LINE, seq=i, text=f"l{i}") for i in range(1, 6)],
        },
        ("lines",),
        LINE_SPOILS,
    ),
    "events": (
        lambda c: c.get_events(JOB_ID),
        [copy.deepcopy(e) for e in EVENTS * 3],
        (),
        EVENT_SPOILS,
    ),
    "models": (
        lambda c: c.list_models(),
        [dict(MODEL, id=f"m{i}") for i in range(4)],
        (),
        [("id", None), ("params", "2B"), ("lineage", "x"), ("created_at", "soon")],
    ),
}
RECORDS: dict[str, tuple[Any, Any, str]] = {
    "job": (lambda c: c.get_job(JOB_ID), JOB, "id status"),
    "result": (lambda c: c.get_result(JOB_ID), RESULT, "job_id"),
    "overview": (lambda c: c.overview(), OVERVIEW, ""),
}
VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday", "12", "NaN"])
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
SEEN = {"cases": 0, "kept": 0, "skipped": 0, "refused": 0}


def _serve(body: Any) -> AxomClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    return AxomClient(BASE, KEY, transport=httpx.MockTransport(handler), retries=0)


def _items(body: Any, path: tuple[str, ...]) -> list[Any]:
    for key in path:
        body = body[key]
    return body


def _parsed_items(answer: Any) -> list[Any]:
    if isinstance(answer, list):
        return list(answer)
    return list(getattr(answer, "points", None) or getattr(answer, "lines", None) or [])


def _call(call: Any, body: Any) -> Any:
    async def go() -> Any:
        async with _serve(body) as client:
            return await call(client)

    return asyncio.run(go())


@st.composite
def one_bad_item(draw: Any, name: str) -> tuple[Any, int, bool]:
    """(the body, the index of the mutated item, whether it surely got a value of a wrong
    type: a spoil of the server's, other than a missing field or the zero time)."""
    _, valid, path, spoils = LISTS[name]
    body = copy.deepcopy(valid)
    items = _items(body, path)
    index = draw(st.integers(0, len(items) - 1))
    item = items[index]
    how = draw(st.sampled_from(["spoil", "replace", "delete", "whole"]))
    wrong_type = False
    if how == "spoil":
        field, value = draw(st.sampled_from(spoils))
        if value is None:
            item.pop(field, None)
        elif value != "+2h":
            item[field] = value
            wrong_type = not str(value).startswith("0001-01-01")
    elif how == "replace":
        item[draw(st.sampled_from(sorted(item)))] = draw(VALUES)
    elif how == "delete":
        item.pop(draw(st.sampled_from(sorted(item))), None)
    else:
        items[index] = draw(VALUES)
    return body, index, wrong_type


@repeatable(EXAMPLES)
@given(data=st.data())
def test_one_bad_item_in_a_list_spoils_only_itself(data: Any) -> None:
    name = data.draw(st.sampled_from(sorted(LISTS)))
    call, valid, path, _ = LISTS[name]
    body, index, wrong_type = data.draw(one_bad_item(name))
    clean = _parsed_items(_call(call, valid))
    SEEN["cases"] += 1
    try:
        answer = _call(call, body)
    except AxomError:
        raise AssertionError(f"{name}: one bad item made the whole answer unreadable") from None
    got = _parsed_items(answer)
    others = [item for i, item in enumerate(clean) if i != index]
    if len(got) == len(clean):
        SEEN["kept"] += 1
        assert [g for i, g in enumerate(got) if i != index] == others
        if wrong_type:  # a field of the wrong type was left empty, and counted
            assert answer.issues.emptied == 1 and answer.issues.first
    else:
        SEEN["skipped"] += 1
        assert got == others, f"{name}: the other items changed"
        assert answer.issues.skipped == 1 and answer.issues.items == len(clean)
    figure("fuzz items: one-bad-item answers checked", 1)


@repeatable(EXAMPLES // 2)
@given(data=st.data())
def test_one_bad_field_of_a_record_spoils_only_that_field(data: Any) -> None:
    name = data.draw(st.sampled_from(sorted(RECORDS)))
    call, valid, required = RECORDS[name]
    body = copy.deepcopy(valid)
    field = data.draw(st.sampled_from(sorted(body)))
    body[field] = data.draw(VALUES)
    clean = _call(call, valid)
    try:
        answer = _call(call, body)
    except AxomError:
        SEEN["refused"] += 1
        assert field in required.split(), f"{name}: a bad {field!r} refused the whole record"
        return
    for other in sorted(valid):
        if other != field and hasattr(clean, other):
            assert getattr(answer, other) == getattr(clean, other), (name, field, other)
    figure("fuzz items: one-bad-field records checked", 1)


def test_zz_the_item_fuzz_ran() -> None:
    figure("fuzz items: answers with one item kept (a field left empty)", SEEN["kept"])
    figure("fuzz items: answers with one item skipped", SEEN["skipped"])
    assert SEEN["cases"] >= EXAMPLES * 0.9 and SEEN["kept"] and SEEN["skipped"]
