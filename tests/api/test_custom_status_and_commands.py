"""The custom status (`PUT/DELETE /users/{id}/status/custom`, `/status`), the preview
preference commands (`/collapse`, `/expand`) and `/logout`, over HTTP."""

import json

import pytest

from apps.accounts.models import Preference, User
from apps.accounts.services.sessions import user_access_token_create
from tests.channels.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def custom_status(user: User) -> dict | None:
    user.refresh_from_db()
    raw = user.props.get("customStatus")
    return json.loads(raw) if raw else None


def execute(client, world: World, command: str) -> dict:
    return client.post("commands/execute", {"channel_id": world.lobby.id, "command": command})


def test_custom_status_set_read_and_cleared(api_as, world, capture_events):
    alice = api_as(world.alice)
    with capture_events() as events:
        alice.put("users/me/status/custom", {"emoji": "palm_tree", "text": "On holiday"})
    assert custom_status(world.alice) == {
        "emoji": "palm_tree",
        "text": "On holiday",
        "duration": "",
        "expires_at": "",
    }
    assert [e.data["user_id"] for e in events.named("user_updated")] == [world.alice.id]
    seen = api_as(world.bob).get(f"users/{world.alice.id}")
    assert json.loads(seen["props"]["customStatus"])["text"] == "On holiday"

    alice.delete("users/me/status/custom")
    assert custom_status(world.alice) is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"emoji": "", "text": "   "},
        {"text": "x" * 101},
        {"emoji": "not an emoji!", "text": "hi"},
        {"text": "hi", "duration": "forever"},
        {"text": 5},
        {"text": "hi", "expires_at": ["soon"]},
    ],
    ids=["empty", "blank", "too-long", "bad-emoji", "bad-duration", "not-text", "bad-expiry"],
)
def test_bad_custom_statuses_are_refused(api_as, world, body):
    api_as(world.alice).put("users/me/status/custom", body, status=400)
    assert custom_status(world.alice) is None


def test_nobody_sets_someone_elses_custom_status(api_as, world):
    api_as(world.bob).put(f"users/{world.alice.id}/status/custom", {"text": "hacked"}, status=403)
    api_as(world.admin).put(f"users/{world.alice.id}/status/custom", {"text": "by the admin"})
    assert custom_status(world.alice)["text"] == "by the admin"


def test_status_command_sets_and_clears_the_custom_status(api_as, world):
    alice = api_as(world.alice)
    answer = execute(alice, world, "/status :coffee: Back in 10")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == "Your custom status is now :coffee: Back in 10."
    assert custom_status(world.alice)["emoji"] == "coffee"
    execute(alice, world, "/status In a meeting")
    assert custom_status(world.alice) == {
        "emoji": "speech_balloon",
        "text": "In a meeting",
        "duration": "",
        "expires_at": "",
    }
    assert "cleared" in execute(alice, world, "/status clear")["text"]
    assert custom_status(world.alice) is None
    refused = execute(alice, world, "/status " + "x" * 150)
    assert "at most 100 characters" in refused["text"]


def test_collapse_and_expand_set_the_preview_preference(api_as, world):
    alice = api_as(world.alice)
    execute(alice, world, "/collapse")
    pref = Preference.objects.get(user=world.alice, category="display_settings")
    assert (pref.name, pref.value) == ("collapse_previews", "true")
    assert "expand" in execute(alice, world, "/expand")["text"]
    pref.refresh_from_db()
    assert pref.value == "false"


def test_logout_ends_the_calling_session_only(api_as, world):
    first, second = api_as(world.alice), api_as(world.alice)
    answer = execute(first, world, "/logout")
    assert answer["goto_location"] == "/login"
    first.get("users/me", status=401)
    assert second.get("users/me")["id"] == world.alice.id


def test_logout_with_an_access_token_is_refused_gently(world):
    from django.test import Client

    from tests.conftest import ApiClient

    token = user_access_token_create(actor=world.alice, user=world.alice, description="ci")[1]
    client = ApiClient(Client(), token)
    answer = execute(client, world, "/logout")
    assert answer["goto_location"] == ""
    assert "revoke it instead" in answer["text"]
    assert client.get("users/me")["id"] == world.alice.id
