import pytest

from apps.integrations.services import incoming_webhook_create
from tests.channels.world import World, build_world


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
