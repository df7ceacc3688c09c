"""A creator who leaves the team keeps no hold on the integrations they made: its commands
and hooks are no longer theirs to read or change, and their command no longer runs."""

import pytest

from apps.integrations.services import incoming_webhook_create
from apps.teams.services import team_member_remove
from tests.channels.world import World, build_world
from tests.integrations.helpers import Integration, make_hook

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def integration(server_factory, allow_loopback) -> Integration:
    return Integration(server_factory)


def leave_team(world: World, user) -> None:
    team_member_remove(actor=world.owner, team_id=world.team.id, user_id=user.id)


def test_a_creator_who_left_the_team_no_longer_manages_its_command(api_as, world, integration):
    bob = api_as(world.bob)
    command = bob.post(
        "commands",
        {"team_id": world.team.id, "trigger": "deploy", "url": integration.url, "method": "P"},
        status=201,
    )
    leave_team(world, world.bob)
    bob.get(f"commands/{command['id']}", status=404)
    bob.put(f"commands/{command['id']}", {"url": "https://evil.example/x"}, status=404)
    bob.put(f"commands/{command['id']}/regen_token", status=404)
    # The team's admin still manages it, with the URL unchanged.
    seen = api_as(world.owner).get(f"commands/{command['id']}")
    assert seen["url"] == integration.url

    # And it no longer runs: nothing reaches the URL its creator chose.
    integration.answer_json({"response_type": "in_channel", "text": "deployed"})
    refused = api_as(world.alice).post(
        "commands/execute", {"channel_id": world.lobby.id, "command": "/deploy now"}, status=404
    )
    assert "left the team" in refused["message"]
    assert integration.calls == []


def test_a_creator_who_left_the_team_no_longer_manages_its_hooks(api_as, world):
    outgoing = make_hook(world, ["https://example.com/out"], actor=world.carol)
    incoming = incoming_webhook_create(actor=world.carol, channel_id=world.lobby.id)
    leave_team(world, world.carol)
    carol = api_as(world.carol)
    carol.get(f"hooks/outgoing/{outgoing.id}", status=404)
    carol.put(
        f"hooks/outgoing/{outgoing.id}", {"callback_urls": ["https://evil.example/"]}, status=404
    )
    carol.get(f"hooks/incoming/{incoming.id}", status=404)
    assert [h["id"] for h in carol.get("hooks/outgoing")] == []
    owner = api_as(world.owner)
    assert owner.get(f"hooks/outgoing/{outgoing.id}")["callback_urls"] == [
        "https://example.com/out"
    ]
