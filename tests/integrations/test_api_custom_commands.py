"""Custom slash commands over HTTP: `/api/v4/commands` (create, list, get, update, delete,
regen_token, autocomplete), running one with `/commands/execute` against a loopback
integration, `POST /hooks/commands/{id}` (its response URL), and mattermostdriver against a
live server."""

import json

import pytest
import requests
from django.db.models import F
from django.test import Client

from apps.integrations.api.payload import HOOK_BODY_MAX_BYTES
from apps.integrations.models import COMMAND_WEBHOOK_LIFETIME_MS, Command, CommandWebhook
from apps.posts.models import Post
from tests.channels.world import World, build_world
from tests.clients.conftest import make_driver
from tests.factories import UserFactory
from tests.integrations.helpers import COMMAND_KEYS, Integration
from tests.openapi import Checked, _generate

pytestmark = pytest.mark.django_db

SANITIZED = ("token", "creator_id", "method", "url", "username", "icon_url")


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def integration(server_factory, allow_loopback) -> Integration:
    return Integration(server_factory)


@pytest.fixture
def anonymous() -> Client:
    """No session, and CSRF enforced as for a browser: a response URL needs neither."""
    return Client(enforce_csrf_checks=True)


def new_command(api, world: World, integration: Integration | None = None, **fields) -> dict:
    body = {
        "team_id": world.team.id,
        "trigger": "deploy",
        "url": integration.url if integration else "https://ci.example.com/slash",
        "method": "P",
        "display_name": "Deploy",
        "description": "Ship it",
        "username": "deployer",
        "icon_url": "https://ci.example.com/icon.png",
        "auto_complete": True,
        "auto_complete_desc": "Deploy a branch",
        "auto_complete_hint": "[branch]",
        **fields,
    }
    return api.post("commands", body, status=201)


@pytest.fixture
def command(api_as, world) -> dict:
    """bob's `/deploy` in acme (bob is a plain member)."""
    return new_command(api_as(world.bob), world)


def last_post(channel) -> Post:
    return Post.objects.filter(channel=channel).latest("create_at", "id")


def assert_ok(response) -> None:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok"


def assert_app_error(response, status: int, error_id: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == error_id and body["status_code"] == status
    return body


# --- managing ---------------------------------------------------------------------------------


def test_create_answers_201_with_the_whole_command(world, command):
    assert set(command) == COMMAND_KEYS
    assert len(command["id"]) == 26 and len(command["token"]) == 26
    assert {k: command[k] for k in ("trigger", "method", "creator_id", "team_id")} == {
        "trigger": "deploy",
        "method": "P",
        "creator_id": world.bob.id,
        "team_id": world.team.id,
    }
    assert command["url"] == "https://ci.example.com/slash"
    assert (command["auto_complete_hint"], command["plugin_id"], command["delete_at"]) == (
        "[branch]",
        "",
        0,
    )
    assert command["create_at"] == command["update_at"] > 0


def test_get_gives_managers_the_whole_command(world, command, api_as):
    for manager in (world.bob, world.owner, world.admin):
        assert api_as(manager).get(f"commands/{command['id']}") == command


def test_non_managers_cannot_get_change_or_delete_a_command(world, command, api_as):
    """carol is in the team (403: she sees it listed); outsider is not (404)."""
    for user, status in ((world.carol, 403), (world.outsider, 404)):
        api = api_as(user)
        api.get(f"commands/{command['id']}", status=status)
        api.put(f"commands/{command['id']}", {"description": "mine"}, status=status)
        api.put(f"commands/{command['id']}/regen_token", status=status)
        api.delete(f"commands/{command['id']}", status=status)
    api_as(None).get(f"commands/{command['id']}", status=401)
    api_as(world.bob).get(f"commands/{'a' * 26}", status=404)
    stored = Command.objects.get(id=command["id"])
    assert (stored.description, stored.token, stored.delete_at) == ("Ship it", command["token"], 0)


def test_the_list_sanitizes_commands_the_caller_does_not_manage(world, command, api_as):
    mine = new_command(api_as(world.carol), world, trigger="weather", auto_complete=False)

    as_carol = api_as(world.carol).get("commands", team_id=world.team.id, custom_only="true")
    as_owner = api_as(world.owner).get("commands", team_id=world.team.id, custom_only="true")

    assert [c["trigger"] for c in as_carol] == ["deploy", "weather"]
    assert all(set(c) == COMMAND_KEYS for c in as_carol)
    bobs = as_carol[0]
    assert all(bobs[k] == "" for k in SANITIZED)
    assert (bobs["id"], bobs["display_name"], bobs["auto_complete_hint"]) == (
        command["id"],
        "Deploy",
        "[branch]",
    )
    assert as_carol[1] == mine  # her own, in full
    assert as_owner == [command, mine]  # a team admin manages every command


def test_the_full_list_has_the_builtins_then_the_custom_commands(world, command, api_as):
    listed = api_as(world.bob).get("commands", team_id=world.team.id)
    assert {"shrug", "me", "join"} <= {c["trigger"] for c in listed if c["id"] == ""}
    assert listed[-1] == command
    api_as(world.outsider).get("commands", team_id=world.team.id, custom_only="true", status=404)


def test_autocomplete_offers_the_autocompleting_custom_commands_sanitized(world, command, api_as):
    new_command(api_as(world.bob), world, trigger="hidden", auto_complete=False)

    offered = api_as(world.carol).get(f"teams/{world.team.id}/commands/autocomplete")

    custom = [c for c in offered if c["id"]]
    assert [c["trigger"] for c in custom] == ["deploy"]
    assert all(custom[0][k] == "" for k in SANITIZED)
    assert "shrug" in {c["trigger"] for c in offered}


def test_put_replaces_the_given_fields(world, command, api_as):
    body = {**command, "trigger": "Ship", "method": "G", "description": "Ship faster"}
    body.pop("auto_complete_desc")

    updated = api_as(world.owner).put(f"commands/{command['id']}", body)

    assert set(updated) == COMMAND_KEYS
    assert (updated["trigger"], updated["method"], updated["description"]) == (
        "ship",
        "G",
        "Ship faster",
    )
    assert updated["auto_complete_desc"] == "Deploy a branch"  # left out: kept
    assert (updated["token"], updated["creator_id"]) == (command["token"], world.bob.id)
    assert updated["update_at"] >= command["update_at"]


def test_regen_token_answers_the_new_token(world, command, api_as):
    bob = api_as(world.bob)
    answer = bob.put(f"commands/{command['id']}/regen_token")
    assert set(answer) == {"token"} and answer["token"] not in ("", command["token"])
    assert bob.get(f"commands/{command['id']}")["token"] == answer["token"]


def test_delete_answers_ok_and_the_command_is_gone(world, command, api_as, integration):
    owner = api_as(world.owner)
    assert owner.delete(f"commands/{command['id']}") == {"status": "OK"}
    owner.get(f"commands/{command['id']}", status=404)
    assert owner.get("commands", team_id=world.team.id, custom_only="true") == []
    error = api_as(world.alice).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"}, status=404
    )
    assert error["id"] == "api.command.execute_command.not_found.app_error"


@pytest.mark.parametrize(
    ("fields", "error_id", "words"),
    [
        ({"trigger": "/deploy"}, "model.command.is_valid.trigger.app_error", 'start with "/"'),
        ({"trigger": "de ploy"}, "model.command.is_valid.trigger.app_error", "spaces"),
        ({"trigger": "de\tploy"}, "model.command.is_valid.trigger.app_error", "spaces"),
        ({"trigger": ""}, "model.command.is_valid.trigger.app_error", "required"),
        ({"trigger": "t" * 129}, "model.command.is_valid.trigger.app_error", "128"),
        ({"trigger": "Open"}, "api.command.duplicate_trigger.app_error", "built-in"),
        ({"trigger": "me"}, "api.command.duplicate_trigger.app_error", "built-in"),
        ({"url": "ftp://ci.example.com"}, "model.command.is_valid.url_http.app_error", "http"),
        ({"url": "not a url"}, "model.command.is_valid.url_http.app_error", "http"),
        ({"url": None}, "model.command.is_valid.url.app_error", "required"),
        ({"method": "POST"}, "model.command.is_valid.method.app_error", '"P"'),
        ({"method": None}, "model.command.is_valid.method.app_error", '"G"'),
        ({"display_name": "d" * 65}, "model.command.is_valid.display_name.app_error", "64"),
        ({"description": "d" * 129}, "model.command.is_valid.description.app_error", "128"),
        ({"username": "u" * 65}, "model.command.is_valid.username.app_error", "64"),
        ({"icon_url": "i" * 1025}, "model.command.is_valid.icon_url.app_error", "1024"),
        ({"auto_complete": "yes"}, "model.command.is_valid.auto_complete.app_error", "true"),
        ({"team_id": "nope"}, "model.command.is_valid.team_id.app_error", "team"),
        ({"team_id": None}, "model.command.is_valid.team_id.app_error", "team"),
        ({"url": "http://x.io/" + "p" * 1014}, "model.command.is_valid.url.app_error", "1024"),
        (
            {"auto_complete_desc": "a" * 1025},
            "model.command.is_valid.auto_complete_desc.app_error",
            "1024",
        ),
    ],
)
def test_create_refusals_are_app_errors(world, api_as, fields, error_id, words):
    error = api_as(world.bob).post(
        "commands",
        {
            "team_id": world.team.id,
            "trigger": "deploy",
            "url": "http://x.io",
            "method": "P",
            **fields,
        },
        status=400,
    )
    assert error["id"] == error_id
    assert words in error["message"]
    assert not Command.objects.exists()


def test_a_duplicate_trigger_is_a_400_not_a_500(world, command, api_as):
    error = api_as(world.carol).post(
        "commands",
        {"team_id": world.team.id, "trigger": "DEPLOY", "url": "http://x.io", "method": "G"},
        status=400,
    )
    assert error["id"] == "api.command.duplicate_trigger.app_error"
    assert error["message"] == "The team already has a /deploy command."


def test_only_team_members_create(world, api_as):
    body = {"team_id": world.team.id, "trigger": "x", "url": "http://x.io", "method": "P"}
    api_as(world.outsider).post("commands", body, status=404)
    api_as(None).post("commands", body, status=401)


# --- executing ---------------------------------------------------------------------------------


def test_execute_calls_the_integration_and_posts_its_answer(world, api_as, integration):
    command = new_command(api_as(world.bob), world, integration)
    integration.answer_json({"response_type": "in_channel", "text": "Deploying main"})

    response = api_as(world.alice).post(
        "commands/execute",
        {"channel_id": world.lobby.id, "team_id": world.team.id, "command": "/deploy main"},
    )

    assert response["response_type"] == "in_channel" and response["text"] == "Deploying main"
    fields = integration.fields()
    assert (fields["token"], fields["user_name"], fields["text"]) == (
        command["token"],
        "alice",
        "main",
    )
    assert response["trigger_id"] == fields["trigger_id"]
    post = last_post(world.lobby)
    assert (post.message, post.user_id, post.props) == (
        "Deploying main",
        world.alice.id,
        {"from_webhook": "true"},
    )


def test_a_failing_integration_is_a_500_app_error(world, api_as, integration):
    new_command(api_as(world.bob), world, integration)
    integration.answer(503, b"down", "text/plain")

    error = api_as(world.alice).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"}, status=500
    )

    assert error["id"] == "api.command.execute_command.failed_resp.app_error"
    assert error["message"] == "Command with a trigger of '/deploy' failed."
    assert error["detailed_error"] == ""  # the integration's answer is not shown


def test_a_forbidden_address_is_a_400(world, api_as, server_factory):
    integration = Integration(server_factory)  # reachable only with allow_loopback
    new_command(api_as(world.bob), world, integration)
    error = api_as(world.alice).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"}, status=400
    )
    assert error["id"] == "app.outbound.refused.app_error"
    assert integration.calls == []


# --- POST /hooks/commands/{id} -----------------------------------------------------------------


@pytest.fixture
def response_url(world, api_as, integration) -> str:
    """The response URL of alice's `/deploy` in the lobby."""
    new_command(api_as(world.bob), world, integration)
    api_as(world.alice).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"}
    )
    return "/hooks/commands/" + integration.fields()["response_url"].rsplit("/", 1)[1]


def test_a_json_response_posts_as_the_caller_and_answers_ok(world, response_url, anonymous):
    body = {"response_type": "in_channel", "text": "Deployed!", "props": {"build": 42}}

    assert_ok(anonymous.post(response_url, json.dumps(body), content_type="application/json"))

    post = last_post(world.lobby)
    assert (post.message, post.user_id) == ("Deployed!", world.alice.id)
    assert (post.props["build"], post.props["from_webhook"]) == (42, "true")


def test_a_plain_text_response_is_shown_to_the_caller(
    world, response_url, anonymous, capture_events
):
    with capture_events() as events:
        assert_ok(anonymous.post(response_url, "Still going", content_type="text/plain"))
    [event] = events.named("ephemeral_message")
    assert json.loads(event.data["post"])["message"] == "Still going"
    assert event.broadcast.user_id == world.alice.id


def test_the_response_url_is_refused_after_five_uses_and_after_expiry(
    world, response_url, anonymous
):
    def send():
        return anonymous.post(response_url, '{"text": "x"}', content_type="application/json")

    for _ in range(5):
        assert_ok(send())
    body = assert_app_error(send(), 400, "web.command_webhook.invalid.app_error")
    assert "used 5 times" in body["message"]

    CommandWebhook.objects.update(
        use_count=0, create_at=F("create_at") - COMMAND_WEBHOOK_LIFETIME_MS - 1
    )
    body = assert_app_error(send(), 400, "web.command_webhook.invalid.app_error")
    assert "expired" in body["message"]


def test_response_url_errors(world, response_url, anonymous):
    assert_app_error(
        anonymous.post("/hooks/commands/" + "a" * 26, "x", content_type="text/plain"),
        400,
        "web.command_webhook.invalid.app_error",
    )
    assert_app_error(
        anonymous.post(response_url, "{oops", content_type="application/json"),
        400,
        "web.command_webhook.parse.app_error",
    )
    too_big = b"x" * (HOOK_BODY_MAX_BYTES + 1)
    assert_app_error(
        anonymous.generic("POST", response_url, too_big, content_type="text/plain"),
        413,
        "web.incoming_webhook.request_body_too_large.app_error",
    )
    assert CommandWebhook.objects.get().use_count == 0
    assert anonymous.get(response_url).status_code == 405


# --- the documented shapes -----------------------------------------------------------------------


def test_answers_match_the_documented_schema(world, api_as, integration, tmp_path):
    schema = _generate(tmp_path / "schema.json")
    bob = Checked(schema, api_as(world.bob))
    carol = Checked(schema, api_as(world.carol))
    body = {"team_id": world.team.id, "trigger": "deploy", "url": integration.url, "method": "P"}
    created = bob("post", "commands", body, status=201)
    cid = created["id"]
    bob("get", "commands/{command_id}", command_id=cid)
    bob("put", "commands/{command_id}", {"auto_complete": True}, command_id=cid)
    bob("put", "commands/{command_id}/regen_token", command_id=cid)
    carol("get", "commands", team_id=world.team.id)
    carol("get", "teams/{team_id}/commands/autocomplete", team_id=world.team.id)
    carol("get", "commands/{command_id}", status=403, command_id=cid)
    bob("post", "commands", body, status=400)
    integration.answer_json(
        {"response_type": "in_channel", "text": "hi", "extra_responses": [{"text": "x"}]}
    )
    carol("post", "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"})
    integration.answer(500, b"", "text/plain")
    carol(
        "post", "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"}, status=500
    )
    bob("delete", "commands/{command_id}", command_id=cid)


# --- mattermostdriver against a live server ------------------------------------------------------


@pytest.fixture
def live_server_reaching_loopback(allow_loopback, live_server_url) -> str:
    """The live server runs in a process forked when it starts, so it inherits the settings
    changed before that: `allow_loopback` comes first, letting it call the test's loopback
    integrations (a setting changed after the fork would not reach it)."""
    return live_server_url


@pytest.mark.slow
def test_a_script_creates_lists_and_runs_a_custom_command(
    live_server_reaching_loopback, server_factory, api_as
):
    url = live_server_reaching_loopback
    alice_user = UserFactory(username="alice")
    UserFactory(username="bob")
    alice = make_driver(url, login_id="alice", password="Correct-Horse-7")
    bob = make_driver(url, login_id="bob", password="Correct-Horse-7")
    alice.login()
    bob_me = bob.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bob_me["id"]})
    channel = alice.channels.create_channel(
        {"team_id": team["id"], "name": "ops", "display_name": "Ops", "type": "O"}
    )
    alice.channels.add_user(channel["id"], {"user_id": bob_me["id"]})
    integration = Integration(server_factory)
    integration.answer_json({"response_type": "in_channel", "text": "Sunny in Paris"})

    created = alice.commands.create_command(
        {
            "team_id": team["id"],
            "trigger": "weather",
            "url": integration.url,
            "method": "P",
            "auto_complete": True,
        }
    )
    assert set(created) == COMMAND_KEYS and len(created["token"]) == 26
    [listed] = bob.commands.list_commands_for_team({"team_id": team["id"], "custom_only": "true"})
    assert (listed["id"], listed["token"], listed["url"]) == (created["id"], "", "")

    answer = bob.commands.execute_command(
        {"channel_id": channel["id"], "team_id": team["id"], "command": "/weather Paris"}
    )

    assert (answer["response_type"], answer["text"]) == ("in_channel", "Sunny in Paris")
    fields = integration.fields()
    assert (fields["token"], fields["user_id"], fields["text"]) == (
        created["token"],
        bob_me["id"],
        "Paris",
    )
    posts = bob.posts.get_posts_for_channel(channel["id"])
    newest = posts["posts"][posts["order"][0]]
    assert (newest["message"], newest["user_id"]) == ("Sunny in Paris", bob_me["id"])
    assert newest["props"]["from_webhook"] == "true"

    # The integration answers again later, through the live server's response URL.
    hook_id = fields["response_url"].rsplit("/", 1)[1]
    later = requests.post(
        f"{url}/hooks/commands/{hook_id}",
        json={"response_type": "in_channel", "text": "Rain at 5"},
        timeout=10,
    )
    assert (later.status_code, later.headers["Content-Type"], later.text) == (
        200,
        "text/plain",
        "ok",
    )
    posts = bob.posts.get_posts_for_channel(channel["id"])
    assert posts["posts"][posts["order"][0]]["message"] == "Rain at 5"

    # mattermostdriver builds broken paths for these three; the routes themselves work.
    as_alice = api_as(alice_user)
    token = as_alice.put(f"commands/{created['id']}/regen_token")["token"]
    assert as_alice.put(f"commands/{created['id']}", {"description": "Forecast"})["token"] == token
    assert as_alice.delete(f"commands/{created['id']}") == {"status": "OK"}
    assert bob.commands.list_commands_for_team({"team_id": team["id"], "custom_only": "true"}) == []
