"""Interactive message buttons over HTTP: a command's answer never shows the integration
behind its buttons (the post keeps it on the server), and the buttons of an archived
channel call nothing."""

import json

import pytest

from apps.posts.models import Post
from tests.channels.world import World, build_world
from tests.integrations.helpers import Integration
from tests.loopback import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def integration(server_factory, allow_loopback) -> Integration:
    return Integration(server_factory)


def test_a_command_answer_never_shows_its_buttons_integrations(api_as, world, integration):
    api_as(world.bob).post(
        "commands",
        {"team_id": world.team.id, "trigger": "deploy", "url": integration.url, "method": "P"},
        status=201,
    )
    button = {
        "id": "go",
        "name": "Go",
        "integration": {"url": "https://ci.example/hook?key=SECRETKEY", "context": {"k": "CTX"}},
    }
    integration.answer_json(
        {
            "response_type": "in_channel",
            "text": "Ready?",
            "attachments": [{"text": "Deploy", "actions": [button]}],
            "props": {"attachments": [{"actions": [button]}]},
            "extra_responses": [{"text": "again", "attachments": [{"actions": [button]}]}],
        }
    )
    answer = api_as(world.carol).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy"}
    )
    shown = json.dumps(answer)
    assert "SECRETKEY" not in shown and "CTX" not in shown
    assert answer["attachments"][0]["actions"][0]["name"] == "Go"
    # The post keeps the integration on the server, so the button still works.
    post = Post.objects.filter(channel=world.lobby).latest("create_at")
    stored = post.props["attachments"][0]["actions"][0]["integration"]
    assert stored["url"].endswith("SECRETKEY")


def test_buttons_in_an_archived_channel_call_nothing(api_as, world, server_factory, allow_loopback):
    calls = []

    def behaviour(handler):
        calls.append(handler.path)
        reply(handler, 200, b"{}", {"Content-Type": "application/json"})

    server = server_factory(behaviour)
    alice = api_as(world.alice)
    created = alice.post(
        "posts",
        {
            "channel_id": world.lobby.id,
            "message": "Ship it?",
            "props": {
                "attachments": [
                    {
                        "actions": [
                            {"id": "ship", "name": "Ship", "integration": {"url": server.url}}
                        ]
                    }
                ]
            },
        },
        status=201,
    )
    alice.delete(f"channels/{world.lobby.id}")
    refused = api_as(world.bob).post(f"posts/{created['id']}/actions/ship", {}, status=403)
    assert refused["id"] == "api.post.do_action.archived.app_error"
    assert calls == []
