import pytest

from tests.channels.world import World, build_world

# The keys of a channel on the wire (Mattermost's model.Channel).
CHANNEL_KEYS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "team_id",
    "type",
    "display_name",
    "name",
    "header",
    "purpose",
    "last_post_at",
    "last_root_post_at",
    "total_msg_count",
    "total_msg_count_root",
    "extra_update_at",
    "creator_id",
    "scheme_id",
    "policy_id",
    "props",
    "group_constrained",
    "shared",
}


@pytest.fixture
def world(db) -> World:
    return build_world()
