"""Malformed and hostile input gets a clear AppError, never a 500 or an HTML page."""

import json

import pytest
from django.test import Client

from apps.accounts.services.sessions import session_create
from tests.channels.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _bearer(user) -> dict[str, str]:
    _session, token = session_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_deeply_nested_json_is_a_400_even_unauthenticated(client: Client):
    response = client.post("/api/v4/users/login", "[" * 50_000, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["status_code"] == 400


@pytest.mark.parametrize("path", ["posts/ids", "posts/ids/reactions"])
@pytest.mark.parametrize("body", [[{"a": 1}], [["x"]], [None]])
def test_post_id_lists_with_non_string_items_are_a_400(client, world, path, body):
    response = client.post(
        f"/api/v4/{path}", json.dumps(body), content_type="application/json", **_bearer(world.bob)
    )
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "path", ["users", "users/me/posts/flagged", "teams", "channels/{lobby}/posts"]
)
def test_absurd_page_numbers_answer_an_empty_page(client, world, path):
    url = "/api/v4/" + path.format(lobby=world.lobby.id)
    response = client.get(url, {"page": "9" * 30}, **_bearer(world.bob))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == [] or body.get("order") == []


def test_a_dnd_end_time_beyond_any_clock_is_a_400(client, world):
    response = client.put(
        "/api/v4/users/me/status",
        json.dumps({"user_id": world.bob.id, "status": "dnd", "dnd_end_time": 10**30}),
        content_type="application/json",
        **_bearer(world.bob),
    )
    assert response.status_code == 400, response.content


def test_a_body_over_the_request_limit_is_a_json_413(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/api/v4/posts",
        json.dumps({"channel_id": world.lobby.id, "message": "x" * 4000}),
        content_type="application/json",
        **_bearer(world.bob),
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["status_code"] == 413
