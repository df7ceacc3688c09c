"""Slash commands over HTTP: `POST /commands/execute`, `GET /commands` and the team's
autocomplete list."""

import pytest

from apps.posts.models import Post
from tests.channels.world import World, build_world
from tests.integrations.helpers import COMMAND_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def test_execute_posts_and_answers_the_command_response(api_as, world):
    response = api_as(world.alice).post(
        "commands/execute",
        {"channel_id": world.lobby.id, "team_id": world.team.id, "command": "/me dances"},
    )

    assert response["response_type"] == "in_channel"
    assert (response["text"], response["type"]) == ("*dances*", "me")
    assert len(response["trigger_id"]) == 26
    post = Post.objects.filter(channel=world.lobby).latest("create_at", "id")
    assert (post.message, post.type, post.user_id) == ("*dances*", "me", world.alice.id)


def test_execute_returns_goto_location(api_as, world):
    response = api_as(world.dave).post(
        "commands/execute", {"channel_id": world.town_square.id, "command": "/join ~lobby"}
    )
    assert response["goto_location"].endswith("/acme/channels/lobby")


def test_a_refused_action_is_a_200_with_an_ephemeral_answer(api_as, world):
    response = api_as(world.bob).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/kick @carol"}
    )
    assert response["response_type"] == "ephemeral" and response["text"]


def test_execute_errors(api_as, world):
    alice = api_as(world.alice)
    error = alice.post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/nope"}, status=404
    )
    assert error["id"] == "api.command.execute_command.not_found.app_error"
    alice.post("commands/execute", {"channel_id": world.lobby.id, "command": "me"}, status=400)
    alice.post("commands/execute", {"channel_id": world.lobby.id}, status=400)
    alice.post("commands/execute", {"channel_id": "nope", "command": "/shrug"}, status=400)
    # A private channel the caller is not in is as missing as a channel that does not exist.
    api_as(world.carol).post(
        "commands/execute", {"channel_id": world.secret.id, "command": "/shrug"}, status=404
    )
    api_as(None).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/shrug"}, status=401
    )


def test_list_commands_gives_the_sanitized_builtins(api_as, world):
    alice = api_as(world.alice)
    commands = alice.get("commands", team_id=world.team.id)

    assert {"shrug", "me", "msg", "join", "away"} <= {c["trigger"] for c in commands}
    assert all(set(c) == COMMAND_KEYS for c in commands)
    assert all(c["id"] == "" and c["token"] == "" and c["url"] == "" for c in commands)
    assert alice.get("commands", team_id=world.team.id, custom_only="true") == []


def test_list_commands_needs_a_team_of_the_caller(api_as, world):
    api_as(world.outsider).get("commands", team_id=world.team.id, status=404)
    api_as(world.alice).get("commands", status=400)
    api_as(None).get("commands", team_id=world.team.id, status=401)


def test_autocomplete_lists_the_autocompleting_builtins(api_as, world):
    commands = api_as(world.bob).get(f"teams/{world.team.id}/commands/autocomplete")

    assert "shrug" in {c["trigger"] for c in commands}
    assert all(c["auto_complete"] for c in commands)
    api_as(world.outsider).get(f"teams/{world.team.id}/commands/autocomplete", status=404)
