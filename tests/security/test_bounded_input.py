"""Hostile JSON and absurd paging through a live daphne (issue 12, findings 2 and 3).

Every JSON body (API, incoming and command webhooks, WebSocket frames) is decoded by the one
bounded parser, so nesting past its depth is a 400 AppError rather than a RecursionError's
500; and a search page far past the end is an empty page, not an integer overflow's 500.
"""

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect

from apps.accounts.services.sessions import session_create
from apps.core.ids import new_id
from apps.core.jsonbody import JSON_MAX_DEPTH
from tests.channels.world import World, build_world, say

pytestmark = [pytest.mark.slow]

DEEP = "[" * 100_000


@pytest.fixture
def world(live_daphne) -> World:
    return build_world()


def _bearer(user) -> dict[str, str]:
    _session, token = session_create(user=user)
    return {"Authorization": f"Bearer {token}"}


def _post(url: str, body: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body.encode(), headers=headers, timeout=30)


def _assert_app_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status_code"] == status
    assert body["id"] and body["message"]


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/hooks/{id}", "application/json", DEEP),
        ("/hooks/{id}", None, DEEP),
        ("/hooks/{id}", "application/x-www-form-urlencoded", "payload=" + DEEP),
        ("/hooks/{id}", "multipart/form-data; boundary=b", None),
        ("/hooks/commands/{id}", "application/json", DEEP),
    ],
)
def test_deeply_nested_json_to_a_webhook_is_a_400_without_signing_in(
    live_daphne, path, content_type, body
):
    if body is None:  # the JSON in a multipart `payload` field
        body = (
            '--b\r\nContent-Disposition: form-data; name="payload"\r\n\r\n' + DEEP + "\r\n--b--\r\n"
        )
    headers = {"Content-Type": content_type} if content_type else {}
    response = _post(live_daphne.url + path.format(id=new_id()), body, headers)
    _assert_app_error(response, 400)


def test_deeply_nested_json_to_the_api_is_a_400_signed_in_or_not(live_daphne, world):
    json_type = {"Content-Type": "application/json"}
    _assert_app_error(_post(live_daphne.url + "/api/v4/users/login", DEEP, json_type), 400)
    _assert_app_error(
        _post(live_daphne.url + "/api/v4/posts", DEEP, {**json_type, **_bearer(world.bob)}), 400
    )


def test_json_nested_past_the_limit_is_refused_before_it_reaches_a_service(live_daphne, world):
    """Shallow enough for the interpreter, too deep to store and walk later."""
    props: object = "bottom"
    for _ in range(JSON_MAX_DEPTH + 1):
        props = {"k": props}
    body = json.dumps({"channel_id": world.lobby.id, "message": "deep", "props": props})
    headers = {"Content-Type": "application/json", **_bearer(world.bob)}

    _assert_app_error(_post(live_daphne.url + "/api/v4/posts", body, headers), 400)
    assert not world.lobby.posts.filter(message="deep").exists()


def test_a_deeply_nested_websocket_frame_is_a_400_and_the_socket_lives_on(live_daphne):
    async def scenario() -> tuple[dict, dict]:
        async with connect(live_daphne.ws_url, proxy=None, open_timeout=10) as ws:
            await ws.send("[" * 60_000)  # under the frame limit (64 KB)
            nested = json.loads(await asyncio.wait_for(ws.recv(), 10))
            await ws.send(json.dumps({"action": "ping"}))  # no seq: the socket still answers
            after = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return nested, after

    nested, after = asyncio.run(scenario())
    assert nested["status"] == "FAIL"
    assert nested["error"]["status_code"] == 400
    assert after["error"]["id"] == "api.web_socket_router.bad_seq.app_error"


@pytest.mark.parametrize("route", ["/api/v4/posts/search", "/api/v4/teams/{team}/posts/search"])
def test_an_absurd_search_page_is_an_empty_page(live_daphne, world, route):
    say(world.bob, world.lobby, "a needle in the haystack")
    url = live_daphne.url + route.format(team=world.team.id)
    headers = {"Content-Type": "application/json", **_bearer(world.bob)}

    first = _post(url, json.dumps({"terms": "needle"}), headers)
    assert first.status_code == 200, first.text
    assert len(first.json()["order"]) == 1  # a post matches, so the page is really read

    far = _post(url, json.dumps({"terms": "needle", "page": 200_000_000_000_000_000}), headers)
    assert far.status_code == 200, far.text
    assert far.json()["order"] == []


@pytest.mark.parametrize(
    "paging",
    [{"page": 10**30}, {"page": -1}, {"page": "2"}, {"per_page": 0}, {"per_page": 1.5}],
)
def test_search_paging_a_decoder_would_refuse_is_a_400(live_daphne, world, paging):
    """Mattermost decodes page and per_page into Go ints: other types and numbers past
    64 bits fail its body decoding."""
    headers = {"Content-Type": "application/json", **_bearer(world.bob)}
    body = json.dumps({"terms": "needle", **paging})
    _assert_app_error(_post(live_daphne.url + "/api/v4/posts/search", body, headers), 400)
