"""The API key goes to the API origin only, and never into reprs, messages or logs."""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest

from api_helpers import KEY, Router, json_response, raw_response
from axom_tui.api import ApiKey, AxomClient, AxomError, mask_key
from axom_tui.config.connection import resolve_connection
from contract_examples import BASE


def _auth(request: httpx.Request) -> str | None:
    return request.headers.get("Authorization")


async def test_bearer_key_sent_to_the_api_origin(client: AxomClient, router: Router) -> None:
    router.json("/jobs", [])
    router.json("/models", [])
    await client.list_jobs()
    await client.list_models()
    assert [_auth(r) for r in router.requests] == [f"Bearer {KEY}"] * 2
    assert router.requests[0].headers["Accept"] == "application/json"
    assert router.requests[0].headers["User-Agent"].startswith("axom-tui/")


async def test_key_is_stripped_of_whitespace(make_client, router: Router) -> None:
    router.json("/jobs", [])
    client = make_client(router, key=f"  {KEY}\n")
    await client.list_jobs()
    assert _auth(router.requests[0]) == f"Bearer {KEY}"


async def test_no_authorization_header_without_a_key(make_client, router: Router) -> None:
    router.json("/jobs", [])
    client = make_client(router, key="")
    await client.list_jobs()
    assert "Authorization" not in router.requests[0].headers


class Redirector:
    """First request (to the API) is redirected to ``target``; everything else gets ``[]``."""

    def __init__(self, target: str, status: int = 302) -> None:
        self.target = target
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) == 1:
            return httpx.Response(self.status, headers={"Location": self.target})
        return json_response([])


@pytest.mark.parametrize(
    "base, target",
    [
        (BASE, "https://evil.example/x"),  # another host
        (BASE, "https://console.axomlabs.ai:8443/api/jobs"),  # another port
        (BASE, "http://console.axomlabs.ai/api/jobs"),  # another scheme (downgrade)
        (
            "http://localhost/api",
            "https://localhost/api/jobs",
        ),  # another scheme (httpx keeps auth here)
        ("http://127.0.0.1:8000/api", "http://127.0.0.1:8001/api/jobs"),
        (BASE, "https://console.axomlabs.ai.evil.example/api/jobs"),  # look-alike host
        (BASE, "//evil.example/x"),  # scheme-relative Location
    ],
)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_key_not_sent_on_redirect_to_another_origin(
    make_client, base: str, target: str, status: int
) -> None:
    handler = Redirector(target, status)
    client = make_client(handler, base_url=base)
    assert await client.list_jobs() == []
    first, second = handler.requests
    assert _auth(first) == f"Bearer {KEY}"
    assert (second.url.scheme, second.url.host, second.url.port) != (
        first.url.scheme,
        first.url.host,
        first.url.port,
    )
    assert "Authorization" not in second.headers
    assert KEY not in str(second.url)


async def test_key_kept_on_same_origin_redirect(make_client) -> None:
    handler = Redirector(BASE + "/jobs/")
    client = make_client(handler)
    await client.list_jobs()
    assert [_auth(r) for r in handler.requests] == [f"Bearer {KEY}"] * 2


async def test_redirect_chain_back_to_api_after_foreign_hop(make_client) -> None:
    """API → evil → API: only the API hops carry the key."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(302, headers={"Location": "https://evil.example/hop"})
        if len(seen) == 2:
            return httpx.Response(302, headers={"Location": BASE + "/jobs"})
        return json_response([])

    client = make_client(handler)
    await client.list_jobs()
    assert _auth(seen[0]) == f"Bearer {KEY}"
    assert "Authorization" not in seen[1].headers


def _echo_key_responses() -> dict[str, httpx.Response]:
    return {
        "401-detail": json_response({"detail": f"invalid API key {KEY}"}, 401),
        "403-detail": json_response({"detail": f"key {KEY} lacks scope read"}, 403),
        "404-detail": json_response({"detail": f"no job for {KEY}"}, 404),
        "422-list": json_response(
            {"detail": [{"loc": ["header"], "msg": f"bad key {KEY}", "type": "x"}]}, 422
        ),
        "500-text": raw_response(f"internal error for Bearer {KEY}", 500, "text/plain"),
        "200-not-json": raw_response(f"{KEY} {KEY}", 200, "text/plain"),
        "200-bad-type": json_response({"id": "j1", "status": {"echo": KEY}}),
        "429": json_response({"detail": KEY}, 429, {"Retry-After": KEY}),
    }


@pytest.mark.parametrize("name", list(_echo_key_responses()))
async def test_key_never_in_error_messages_even_when_the_server_echoes_it(
    make_client, name: str
) -> None:
    response = _echo_key_responses()[name]
    client = make_client(lambda request: response, retries=0)
    with pytest.raises(AxomError) as info:
        await client.get_job("j1")
    exc = info.value
    for text in (str(exc), repr(exc), exc.message, *map(str, exc.args)):
        assert KEY not in text
        assert KEY[len("axom_live_") :] not in text


@pytest.mark.parametrize(
    "body",
    [
        {"id": "j1", "status": "running", "created_at": KEY},
        {"id": "j1", "status": "running", "created_at": f"x{KEY}"},
        {"id": "j1", "status": "running", "started_at": KEY[len("axom_live_") :]},
    ],
    ids=["whole", "inside", "tail"],
)
async def test_key_never_in_what_a_parse_left_out(make_client, body) -> None:
    """A field left empty is described to the user (the field, why): a server that echoes
    the key into that field must not get it on screen."""
    client = make_client(lambda request: json_response(body), retries=0)
    job = await client.get_job("j1")
    assert job.issues.emptied == 1
    text = job.issues.describe()
    secret = KEY[len("axom_live_") :]
    # not even a cut-off piece of it (the value is quoted shortened)
    assert not any(secret[i : i + 8] in text for i in range(len(secret) - 7)), text
    assert "…" in job.issues.first  # masked, not dropped: the user still sees what went wrong


async def test_key_never_in_transport_errors(make_client) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            f"cannot connect with headers {dict(request.headers)}", request=request
        )

    client = make_client(handler, retries=1)
    with pytest.raises(AxomError) as info:
        await client.list_jobs()
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


async def test_key_never_logged(
    make_client, router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    router.json("/jobs", [])
    router.json("/models", {"detail": "boom"}, status=500)
    client = make_client(router, retries=1)
    with caplog.at_level(logging.DEBUG):
        await client.list_jobs()
        with pytest.raises(AxomError):
            await client.list_models()
    assert caplog.records  # httpx does log requests at this level
    assert KEY not in caplog.text


async def test_client_repr_masks_the_key(make_client, router: Router) -> None:
    client = make_client(router)
    text = repr(client)
    assert KEY not in text and "axom_live_…ABCD" in text and BASE in text
    assert KEY not in str(client) and KEY not in f"{client}"


def test_api_key_never_reveals_itself_by_accident() -> None:
    key = ApiKey(KEY)
    renderings = [
        repr(key),
        str(key),
        f"{key}",
        f"{key!r}",
        f"{key!s}",
        f"{key:>60}",
        "%s" % key,
        "%r" % (key,),
        "{}".format(key),
        repr([key]),
        repr({"key": key}),
    ]
    for text in renderings:
        assert KEY not in text, text
        assert "axom_live_…ABCD" in text
    assert key.reveal() == KEY
    assert key == ApiKey(f" {KEY} ") and key != ApiKey("axom_live_other") and key != KEY
    assert bool(key) and not ApiKey("")
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_connection_settings_repr_masks_the_key() -> None:
    settings = resolve_connection(env={"AXOM_KEY": KEY})
    assert KEY not in repr(settings) and KEY not in str(settings)
    assert settings.key.reveal() == KEY


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("axom_live_0123456789abcdefabcd", "axom_live_…abcd"),
        ("axom_live_" + "x" * 40 + "abcd", "axom_live_…abcd"),
        ("axom_live_0123456789a", "axom_live_…"),  # 11 random chars: too short to show a tail
        ("axom_live_", "axom_live_…"),
        ("axom_live_ab", "axom_live_…"),
        ("shortkey", "…"),
        ("sk-0123456789abcdefwxyz", "…wxyz"),
        ("", "(none)"),
    ],
)
def test_mask_key(raw: str, masked: str) -> None:
    assert mask_key(raw) == masked
    if len(raw) > 14:
        assert raw not in mask_key(raw)
    assert ApiKey(raw).masked == masked


def test_mask_key_never_shows_more_than_four_secret_chars() -> None:
    for n in range(0, 40):
        rest = "".join(chr(ord("A") + i % 26) for i in range(n))
        shown = mask_key("axom_live_" + rest).removeprefix("axom_live_").replace("…", "")
        assert len(shown) <= 4
        assert len(shown) == 0 or n >= 12
