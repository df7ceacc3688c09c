import pytest

from apps.integrations.models import Command
from apps.integrations.services import incoming_webhook_create
from apps.integrations.services_custom_commands import command_create
from tests.channels.world import World, build_world
from tests.integrations.helpers import Integration


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def hook(world):
    """alice's hook into the lobby (public: alice, bob, carol)."""
    return incoming_webhook_create(
        actor=world.alice,
        channel_id=world.lobby.id,
        display_name="CI",
        description="Build results",
        username="ci-bot",
        icon_url="https://example.com/ci.png",
    )


@pytest.fixture
def integration(server_factory, allow_loopback) -> Integration:
    return Integration(server_factory)


@pytest.fixture
def deploy(world, integration) -> Command:
    """bob's `/deploy` in acme, POSTing to the loopback integration."""
    return command_create(
        actor=world.bob,
        team_id=world.team.id,
        trigger="deploy",
        url=integration.url,
        method="P",
        display_name="Deploy",
    )
