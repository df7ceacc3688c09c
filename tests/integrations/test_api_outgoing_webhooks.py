"""Outgoing webhooks over HTTP: `/api/v4/hooks/outgoing` as Mattermost clients call it, a
post made through the API reaching a callback, and mattermostdriver against a live server."""

import json
from urllib.parse import parse_qs

import pytest

from apps.core.ids import new_id
from apps.posts.models import Post
from tests.channels.world import World, build_world
from tests.clients.conftest import make_driver, wait_for
from tests.factories import UserFactory
from tests.loopback import reply
from tests.openapi import Checked, _generate

pytestmark = pytest.mark.django_db

HOOK_KEYS = {
    "id",
    "token",
    "create_at",
    "update_at",
    "delete_at",
    "creator_id",
    "channel_id",
    "team_id",
    "trigger_words",
    "trigger_when",
    "callback_urls",
    "display_name",
    "description",
    "content_type",
    "username",
    "icon_url",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


def new_hook(world: World, **fields) -> dict:
    return {
        "team_id": world.team.id,
        "display_name": "Deployer",
        "trigger_words": ["deploy"],
        "callback_urls": ["https://ci.example.com/hook"],
        **fields,
    }


@pytest.fixture
def hook(api_as, world) -> dict:
    return api_as(world.alice).post("hooks/outgoing", new_hook(world), status=201)


# --- create ------------------------------------------------------------------------------------


def test_create_answers_201_with_the_wire_hook(world, hook):
    assert set(hook) == HOOK_KEYS
    assert (hook["creator_id"], hook["team_id"], hook["channel_id"]) == (
        world.alice.id,
        world.team.id,
        "",
    )
    assert (hook["trigger_words"], hook["trigger_when"], hook["callback_urls"]) == (
        ["deploy"],
        0,
        ["https://ci.example.com/hook"],
    )
    assert hook["content_type"] == "application/x-www-form-urlencoded"
    assert (hook["display_name"], hook["description"], hook["username"], hook["icon_url"]) == (
        "Deployer",
        "",
        "",
        "",
    )
    assert len(hook["token"]) == 26 and hook["delete_at"] == 0
    assert hook["create_at"] == hook["update_at"] > 0


def test_create_with_every_field(world, api_as):
    body = new_hook(
        world,
        channel_id=world.lobby.id,
        trigger_words=[],
        trigger_when=1,
        content_type="application/json",
        description="Ships it",
        username="shipper",
        icon_url="https://ci.example.com/i.png",
    )
    hook = api_as(world.bob).post("hooks/outgoing", body, status=201)
    assert {k: hook[k] for k in body} == body


@pytest.mark.parametrize(
    ("who", "fields", "status", "error_id"),
    [
        ("outsider", {}, 403, "api.context.permissions.app_error"),
        ("alice", {"channel_id": "SECRET"}, 403, "api.webhook.create_outgoing.not_open.app_error"),
        ("alice", {"channel_id": "DM"}, 403, "api.webhook.create_outgoing.not_open.app_error"),
        ("carol", {"channel_id": "SECRET"}, 404, "app.channel.get.existing.app_error"),
        ("alice", {"team_id": new_id()}, 404, "app.team.get.find.app_error"),
        ("alice", {"trigger_words": []}, 400, "api.webhook.create_outgoing.triggers.app_error"),
        (
            "alice",
            {"trigger_words": ["two words"]},
            400,
            "model.outgoing_hook.is_valid.trigger_words.app_error",
        ),
        ("alice", {"callback_urls": []}, 400, "model.outgoing_hook.is_valid.callback.app_error"),
        (
            "alice",
            {"callback_urls": ["javascript:x"]},
            400,
            "model.outgoing_hook.is_valid.url.app_error",
        ),
        ("alice", {"trigger_when": 3}, 400, "model.outgoing_hook.is_valid.trigger_when.app_error"),
        (
            "alice",
            {"content_type": "text/xml"},
            400,
            "model.outgoing_hook.is_valid.content_type.app_error",
        ),
        (
            "alice",
            {"display_name": "x" * 65},
            400,
            "model.outgoing_hook.is_valid.display_name.app_error",
        ),
    ],
)
def test_create_refusals_answer_an_app_error(world, api_as, who, fields, status, error_id):
    names = {"SECRET": world.secret.id, "DM": world.dm.id}
    fields = {k: names.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}

    error = api_as(getattr(world, who)).post(
        "hooks/outgoing", new_hook(world, **fields), status=status
    )

    assert error["id"] == error_id and error["message"]
    assert api_as(world.admin).get("hooks/outgoing") == []


def test_create_needs_a_session_and_an_object_body(world, api_as):
    api_as(None).post("hooks/outgoing", new_hook(world), status=401)
    error = api_as(world.alice).post("hooks/outgoing", ["not", "an", "object"], status=400)
    assert error["id"] == "api.context.invalid_body_param.app_error"


# --- read, update, delete, regen_token ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("owner", 200), ("admin", 200), ("bob", 404), ("outsider", 404)],
)
def test_get_put_regen_delete_are_for_the_creator_and_admins(world, hook, api_as, who, status):
    api = api_as(getattr(world, who))
    url = f"hooks/outgoing/{hook['id']}"

    got = api.get(url, status=status)
    put = api.put(url, {"id": hook["id"], "display_name": "Renamed"}, status=status)
    regen = api.post(f"{url}/regen_token", status=status)
    deleted = api.delete(url, status=status)

    if status == 200:
        assert got == hook
        assert put["display_name"] == "Renamed" and put["trigger_words"] == ["deploy"]
        assert regen["token"] != hook["token"]
        assert deleted == {"status": "OK"}
        api_as(world.alice).get(url, status=404)
    else:
        assert got["id"] == "app.webhooks.get_outgoing.app_error"
        unchanged = api_as(world.alice).get(url)
        assert (unchanged["display_name"], unchanged["token"]) == ("Deployer", hook["token"])


def test_regen_token_works_with_post_and_put(world, hook, api_as):
    api = api_as(world.alice)
    url = f"hooks/outgoing/{hook['id']}/regen_token"

    by_post = api.post(url)
    by_put = api.put(url)

    assert len({hook["token"], by_post["token"], by_put["token"]}) == 3
    assert api.get(f"hooks/outgoing/{hook['id']}")["token"] == by_put["token"]
    assert {k: v for k, v in by_put.items() if k not in ("token", "update_at")} == {
        k: v for k, v in hook.items() if k not in ("token", "update_at")
    }
    api.post(f"hooks/outgoing/{new_id()}/regen_token", status=404)


def test_put_of_the_whole_hook_as_clients_send_it(world, hook, api_as):
    """Clients GET the hook, change it and PUT it all back, read-only fields included."""
    api = api_as(world.alice)
    url = f"hooks/outgoing/{hook['id']}"
    bound = api.put(url, {**hook, "channel_id": world.lobby.id, "trigger_words": []})
    assert (bound["channel_id"], bound["trigger_words"]) == (world.lobby.id, [])

    unbound = api.put(url, {**bound, "channel_id": ""}, status=400)
    assert unbound["id"] == "api.webhook.create_outgoing.triggers.app_error"
    again = api.put(url, {**bound, "channel_id": "", "trigger_words": ["ship", "deploy"]})
    assert (again["channel_id"], again["trigger_words"]) == ("", ["ship", "deploy"])
    assert (again["token"], again["creator_id"], again["create_at"]) == (
        hook["token"],
        hook["creator_id"],
        hook["create_at"],
    )


@pytest.mark.parametrize(
    ("body", "status", "error_id"),
    [
        ({"id": "b" * 26}, 400, "api.context.invalid_param.app_error"),
        ({"team_id": "b" * 26}, 400, "api.webhook.team_mismatch.app_error"),
        ({"channel_id": "SECRET"}, 403, "api.webhook.create_outgoing.not_open.app_error"),
        ({"callback_urls": ["ftp://x"]}, 400, "model.outgoing_hook.is_valid.url.app_error"),
    ],
)
def test_put_refusals_change_nothing(world, hook, api_as, body, status, error_id):
    body = {k: world.secret.id if v == "SECRET" else v for k, v in body.items()}
    api = api_as(world.alice)
    url = f"hooks/outgoing/{hook['id']}"

    assert api.put(url, body, status=status)["id"] == error_id
    assert api.get(url) == hook


def test_list_shows_only_hooks_the_caller_manages_with_filters_and_paging(
    world, hook, api_as, django_assert_max_num_queries
):
    as_alice = api_as(world.alice)
    second = as_alice.post(
        "hooks/outgoing", new_hook(world, channel_id=world.lobby.id, trigger_words=[]), status=201
    )
    bobs = api_as(world.bob).post(
        "hooks/outgoing", new_hook(world, trigger_words=["ship"]), status=201
    )
    api_as(world.outsider).post(
        "hooks/outgoing", new_hook(world, team_id=world.other_team.id), status=201
    )

    with django_assert_max_num_queries(8):
        mine = as_alice.get("hooks/outgoing", team_id=world.team.id)
    assert [h["id"] for h in mine] == [hook["id"], second["id"]]
    assert [h["id"] for h in as_alice.get("hooks/outgoing", channel_id=world.lobby.id)] == [
        second["id"]
    ]
    assert [h["id"] for h in as_alice.get("hooks/outgoing", page=1, per_page=1)] == [second["id"]]
    assert as_alice.get("hooks/outgoing", page=2, per_page=1) == []
    assert [h["id"] for h in api_as(world.bob).get("hooks/outgoing")] == [bobs["id"]]
    assert len(api_as(world.owner).get("hooks/outgoing", team_id=world.team.id)) == 3
    assert len(api_as(world.admin).get("hooks/outgoing")) == 4
    assert as_alice.get("hooks/outgoing", channel_id="nope", status=400)["status_code"] == 400


def test_answers_match_the_documented_schema(world, api_as, tmp_path):
    schema = _generate(tmp_path / "schema.json")
    api = Checked(schema, api_as(world.alice))

    hook = api("post", "hooks/outgoing", new_hook(world), status=201)
    api("get", "hooks/outgoing", team_id=world.team.id)
    api("get", "hooks/outgoing/{hook_id}", hook_id=hook["id"])
    api("put", "hooks/outgoing/{hook_id}", {"description": "d"}, hook_id=hook["id"])
    api("post", "hooks/outgoing/{hook_id}/regen_token", hook_id=hook["id"])
    api("put", "hooks/outgoing/{hook_id}/regen_token", hook_id=hook["id"])
    api("post", "hooks/outgoing", new_hook(world, trigger_words=[]), status=400)
    api("delete", "hooks/outgoing/{hook_id}", hook_id=hook["id"])
    api("get", "hooks/outgoing/{hook_id}", status=404, hook_id=hook["id"])


# --- firing, end to end through the API --------------------------------------------------------


def test_a_post_made_over_the_api_reaches_the_callback_and_its_answer_is_posted(
    world, api_as, server_factory, allow_loopback, django_capture_on_commit_callbacks
):
    answer = json.dumps({"text": "deploying", "response_type": "comment"}).encode()
    server = server_factory(lambda h: reply(h, 200, answer, {"Content-Type": "application/json"}))
    hook = api_as(world.alice).post(
        "hooks/outgoing", new_hook(world, callback_urls=[f"{server.url}/cb"]), status=201
    )

    with django_capture_on_commit_callbacks(execute=True):
        post = api_as(world.bob).post(
            "posts", {"channel_id": world.lobby.id, "message": "deploy prod"}, status=201
        )

    (request,) = server.requests
    fields = parse_qs(request["body"].decode())
    assert (fields["token"], fields["post_id"], fields["trigger_word"]) == (
        [hook["token"]],
        [post["id"]],
        ["deploy"],
    )
    thread = api_as(world.bob).get(f"posts/{post['id']}/thread")
    replies = [p for p in thread["posts"].values() if p["id"] != post["id"]]
    assert [(p["message"], p["user_id"], p["root_id"]) for p in replies] == [
        ("deploying", world.alice.id, post["id"])
    ]
    assert replies[0]["props"]["from_webhook"] == "true"


# --- mattermostdriver, unmodified, against a live server --------------------------------------

PASSWORD = "Correct-Horse-7"


@pytest.mark.slow
def test_mattermostdriver_manages_an_outgoing_webhook_that_fires(
    allow_loopback, server_factory, live_server_url
):
    answer = json.dumps({"text": "on it"}).encode()
    server = server_factory(lambda h: reply(h, 200, answer, {"Content-Type": "application/json"}))
    UserFactory(username="alice")
    UserFactory(username="bob")
    alice = make_driver(live_server_url, login_id="alice", password=PASSWORD)
    bob = make_driver(live_server_url, login_id="bob", password=PASSWORD)
    alice.login()
    bob_me = bob.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bob_me["id"]})
    channel = alice.channels.create_channel(
        {"team_id": team["id"], "name": "ops", "display_name": "Ops", "type": "O"}
    )
    alice.channels.add_user(channel["id"], {"user_id": bob_me["id"]})

    hook = alice.webhooks.create_outgoing_hook(
        {
            "team_id": team["id"],
            "display_name": "Deployer",
            "trigger_words": ["deploy"],
            "callback_urls": [f"{server.url}/cb"],
            "content_type": "application/json",
        }
    )
    assert set(hook) == HOOK_KEYS and hook["creator_id"] != bob_me["id"]
    assert [h["id"] for h in alice.webhooks.list_outgoing_hooks({"team_id": team["id"]})] == [
        hook["id"]
    ]
    assert alice.webhooks.get_outgoing_hook(hook["id"])["token"] == hook["token"]
    updated = alice.webhooks.update_outgoing_hook(
        hook["id"], {**hook, "trigger_words": ["deploy", "ship"]}
    )
    assert updated["trigger_words"] == ["deploy", "ship"]
    token = alice.webhooks.regenerate_token_outgoing_hook(hook["id"])["token"]
    assert token != hook["token"]

    trigger = bob.posts.create_post({"channel_id": channel["id"], "message": "ship it"})
    (request,) = wait_for(lambda: server.requests)
    payload = json.loads(request["body"])
    assert (payload["token"], payload["post_id"], payload["trigger_word"]) == (
        token,
        trigger["id"],
        "ship",
    )
    assert payload["user_name"] == "bob" and payload["channel_name"] == "ops"

    def answered():
        posts = bob.posts.get_posts_for_channel(channel["id"])
        return [p for p in posts["posts"].values() if p["message"] == "on it"]

    (posted,) = wait_for(answered)
    assert posted["props"]["from_webhook"] == "true"

    assert alice.webhooks.delete_outgoing_hook(hook["id"]) == {"status": "OK"}
    assert alice.webhooks.list_outgoing_hooks({"team_id": team["id"]}) == []
    assert not Post.objects.filter(message="on it").exclude(id=posted["id"]).exists()
