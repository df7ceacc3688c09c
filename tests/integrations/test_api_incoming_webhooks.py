"""Incoming webhooks over HTTP: `POST /hooks/{id}` in every body form, and the
management API `/api/v4/hooks/incoming`."""

import json

import pytest
from django.test import Client

from apps.integrations.api.payload import HOOK_BODY_MAX_BYTES
from apps.posts.models import Post
from tests.channels.world import World, build_world

pytestmark = pytest.mark.django_db

HOOK_KEYS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "user_id",
    "channel_id",
    "team_id",
    "display_name",
    "description",
    "username",
    "icon_url",
    "channel_locked",
    "webhook_schema_translation",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def hook(api_as, world) -> dict:
    return api_as(world.alice).post(
        "hooks/incoming",
        {"channel_id": world.lobby.id, "display_name": "CI", "username": "ci-bot"},
        status=201,
    )


@pytest.fixture
def anonymous() -> Client:
    """No session, and CSRF enforced as for a browser: the hook URL needs neither."""
    return Client(enforce_csrf_checks=True)


def last_post(world: World) -> Post:
    return Post.objects.filter(channel=world.lobby).latest("create_at")


def assert_ok(response) -> None:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok"


def assert_app_error(response, status: int, error_id: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == error_id and body["status_code"] == status
    assert body["request_id"] == response["X-Request-ID"]
    return body


# --- POST /hooks/{id} ------------------------------------------------------------------------


def test_json_body_posts_and_answers_plain_ok(world, hook, anonymous):
    response = anonymous.post(
        f"/hooks/{hook['id']}",
        json.dumps({"text": "deployed"}),
        content_type="application/json",
    )

    assert_ok(response)
    post = last_post(world)
    assert (post.message, post.user_id, post.props["from_webhook"]) == (
        "deployed",
        world.alice.id,
        "true",
    )


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/json; charset=utf-8"])
def test_json_is_read_whatever_the_content_type(world, hook, anonymous, content_type):
    response = anonymous.generic(
        "POST",
        f"/hooks/{hook['id']}",
        json.dumps({"text": f"as {content_type!r}"}).encode(),
        content_type=content_type,
    )
    assert_ok(response)
    assert last_post(world).message == f"as {content_type!r}"


def test_raw_newlines_inside_json_strings_are_tolerated(world, hook, anonymous):
    body = b'{"text": "line one\nline two\tend"}'
    assert_ok(anonymous.generic("POST", f"/hooks/{hook['id']}", body, content_type=""))
    assert last_post(world).message == "line one\nline two\tend"


def test_form_body_carries_the_json_in_payload(world, hook, anonymous):
    response = anonymous.post(
        f"/hooks/{hook['id']}",
        f"payload={json.dumps({'text': 'from a form & more'})}".replace("&", "%26"),
        content_type="application/x-www-form-urlencoded",
    )
    assert_ok(response)
    assert last_post(world).message == "from a form & more"


def test_multipart_body_has_one_field_per_key(world, hook, anonymous):
    response = anonymous.post(
        f"/hooks/{hook['id']}", {"text": "from multipart", "channel": "town-square"}
    )
    assert_ok(response)
    post = Post.objects.filter(channel=world.town_square).latest("create_at")
    assert post.message == "from multipart"


def test_an_accept_header_asking_for_text_does_not_matter(world, hook, anonymous):
    response = anonymous.post(
        f"/hooks/{hook['id']}",
        json.dumps({"text": "hi"}),
        content_type="application/json",
        HTTP_ACCEPT="text/plain",
    )
    assert_ok(response)


def test_a_bearer_token_on_the_call_is_ignored(world, hook, anonymous):
    """mattermostdriver sends its Authorization header along, even a stale one."""
    response = anonymous.post(
        f"/hooks/{hook['id']}",
        json.dumps({"text": "hi"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    assert_ok(response)


@pytest.mark.parametrize("hook_id", ["a" * 26, "short", "x" * 200])
def test_an_unknown_hook_answers_400_with_mattermosts_error(world, anonymous, hook_id):
    response = anonymous.post(
        f"/hooks/{hook_id}", json.dumps({"text": "hi"}), content_type="application/json"
    )
    assert_app_error(response, 400, "web.incoming_webhook.invalid.app_error")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"", ""),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (b"other=1", "application/x-www-form-urlencoded"),
    ],
)
def test_unreadable_bodies_are_400(world, hook, anonymous, body, content_type):
    response = anonymous.generic("POST", f"/hooks/{hook['id']}", body, content_type=content_type)
    assert_app_error(response, 400, "web.incoming_webhook.parse.app_error")


def test_missing_text_is_400_and_a_locked_channel_403(world, api_as, anonymous):
    locked = api_as(world.alice).post(
        "hooks/incoming", {"channel_id": world.lobby.id, "channel_locked": True}, status=201
    )
    url = f"/hooks/{locked['id']}"

    no_text = anonymous.post(url, json.dumps({"username": "x"}), content_type="application/json")
    elsewhere = anonymous.post(
        url, json.dumps({"text": "x", "channel": "town-square"}), content_type="application/json"
    )

    assert_app_error(no_text, 400, "web.incoming_webhook.text.app_error")
    assert_app_error(elsewhere, 403, "web.incoming_webhook.channel_locked.app_error")


def test_a_body_over_one_mebibyte_is_413(world, hook, anonymous):
    big = json.dumps({"text": "x" * HOOK_BODY_MAX_BYTES})
    response = anonymous.post(f"/hooks/{hook['id']}", big, content_type="application/json")

    assert_app_error(response, 413, "web.incoming_webhook.request_body_too_large.app_error")
    assert not Post.objects.filter(channel=world.lobby, user=world.alice).exists()


def test_only_post_is_allowed_on_the_hook_url(world, hook, anonymous):
    response = anonymous.get(f"/hooks/{hook['id']}")
    assert_app_error(response, 405, "api.context.405.app_error")


# --- /api/v4/hooks/incoming --------------------------------------------------------------------


def test_create_answers_201_with_the_wire_hook(world, hook):
    assert set(hook) == HOOK_KEYS
    assert (hook["user_id"], hook["channel_id"], hook["team_id"]) == (
        world.alice.id,
        world.lobby.id,
        world.team.id,
    )
    assert (hook["display_name"], hook["username"], hook["channel_locked"]) == (
        "CI",
        "ci-bot",
        False,
    )


def test_create_refusals_follow_the_channel_rules(world, api_as):
    api_as(world.dave).post("hooks/incoming", {"channel_id": world.lobby.id}, status=403)
    api_as(world.carol).post("hooks/incoming", {"channel_id": world.secret.id}, status=404)
    api_as(world.alice).post("hooks/incoming", {"channel_id": "nope"}, status=400)
    api_as(world.alice).post(
        "hooks/incoming", {"channel_id": world.lobby.id, "display_name": "x" * 65}, status=400
    )
    api_as(None).post("hooks/incoming", {"channel_id": world.lobby.id}, status=401)


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("owner", 200), ("admin", 200), ("bob", 404), ("outsider", 404)],
)
def test_get_put_delete_are_for_the_creator_and_admins(world, hook, api_as, who, status):
    api = api_as(getattr(world, who))
    url = f"hooks/incoming/{hook['id']}"

    got = api.get(url, status=status)
    put = api.put(url, {"id": hook["id"], "display_name": "Renamed"}, status=status)
    deleted = api.delete(url, status=status)

    if status == 200:
        assert got["id"] == hook["id"]
        assert put["display_name"] == "Renamed" and put["username"] == "ci-bot"
        assert deleted == {"status": "OK"}
        api_as(world.alice).get(url, status=404)
    else:
        assert got["id"] == "app.webhooks.get_incoming.app_error"
        api_as(world.alice).get(url)


def test_a_deleted_hook_url_stops_working(world, hook, api_as, anonymous):
    api_as(world.alice).delete(f"hooks/incoming/{hook['id']}")
    response = anonymous.post(
        f"/hooks/{hook['id']}", json.dumps({"text": "hi"}), content_type="application/json"
    )
    assert_app_error(response, 400, "web.incoming_webhook.invalid.app_error")


def test_put_with_another_id_in_the_body_is_refused(world, hook, api_as):
    api_as(world.alice).put(
        f"hooks/incoming/{hook['id']}", {"id": "b" * 26, "display_name": "x"}, status=400
    )


def test_list_shows_only_hooks_the_caller_manages_with_paging(
    world, hook, api_as, django_assert_max_num_queries
):
    as_alice = api_as(world.alice)
    second = as_alice.post("hooks/incoming", {"channel_id": world.town_square.id}, status=201)
    api_as(world.outsider).post(
        "hooks/incoming",
        {"channel_id": world.other_team.channels.get(name="town-square").id},
        status=201,
    )

    with django_assert_max_num_queries(8):
        mine = as_alice.get("hooks/incoming", team_id=world.team.id)
    assert [h["id"] for h in mine] == [hook["id"], second["id"]]
    assert [h["id"] for h in as_alice.get("hooks/incoming", page=1, per_page=1)] == [second["id"]]
    assert as_alice.get("hooks/incoming", page=2, per_page=1) == []
    assert api_as(world.bob).get("hooks/incoming") == []
    assert len(api_as(world.admin).get("hooks/incoming")) == 3
    assert len(api_as(world.owner).get("hooks/incoming", team_id=world.team.id)) == 2


def test_a_users_own_post_cannot_pretend_to_come_from_a_webhook(world, api_as):
    post = api_as(world.bob).post(
        "posts",
        {
            "channel_id": world.lobby.id,
            "message": "totally a webhook",
            "props": {"from_webhook": "true", "override_username": "CI", "card": "kept"},
        },
        status=201,
    )
    assert post["props"] == {"card": "kept"}
