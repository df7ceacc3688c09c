"""Slash commands that change the caller's own account, over HTTP: `/status` (the custom
status), `/collapse` and `/expand` (the preview preference) and `/logout`."""

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
