"""`post_list_for_console`: what the system console lists, and who may list it."""

import pytest

from apps.accounts.services.users import user_deactivate, user_update_roles
from apps.channels.services import channel_member_add
from apps.core.errors import NotAuthenticated, PermissionDenied
from apps.posts.selectors import post_list_for_console
from apps.posts.services import post_delete
from apps.teams.services import team_member_add
from tests.channels.world import World, say

pytestmark = pytest.mark.django_db


def test_console_lists_public_posts_but_never_others_private_direct_or_group(world: World):
    public = say(world.alice, world.lobby, "in the lobby")
    private = say(world.alice, world.secret, "in secret")
    direct = say(world.alice, world.dm, "just us two")
    group = say(world.alice, world.group, "just us three")

    listed = set(post_list_for_console(actor=world.admin).values_list("id", flat=True))

    assert public.id in listed
    assert private.id not in listed  # the admin is not in the private channel
    assert direct.id not in listed
    assert group.id not in listed


def test_console_lists_private_posts_of_channels_the_admin_belongs_to(world: World):
    team_member_add(actor=world.owner, team_id=world.team.id, user_id=world.admin.id)
    channel_member_add(actor=world.alice, channel_id=world.secret.id, user_id=world.admin.id)
    private = say(world.alice, world.secret, "admin is in here now")

    assert post_list_for_console(actor=world.admin).filter(id=private.id).exists()


def test_console_lists_deleted_posts_too(world: World):
    post = say(world.alice, world.lobby, "soon gone")
    post_delete(actor=world.alice, post_id=post.id)

    assert post_list_for_console(actor=world.admin).filter(id=post.id).exists()


def test_console_list_loads_author_and_channel_in_one_query(
    world: World, django_assert_num_queries
):
    say(world.alice, world.lobby, "one")
    say(world.bob, world.lobby, "two")

    with django_assert_num_queries(1):
        rows = [(p.user.username, p.channel.name) for p in post_list_for_console(actor=world.admin)]

    assert ("alice", "lobby") in rows
    assert ("bob", "lobby") in rows


@pytest.mark.parametrize("who", ["owner", "alice", "bob"])
def test_only_system_admins_may_list_posts_for_the_console(world: World, who: str):
    """Team and channel admins and plain members are refused, even for their own posts."""
    say(world.alice, world.lobby, "mine")

    with pytest.raises(PermissionDenied):
        post_list_for_console(actor=getattr(world, who))


def test_deactivated_system_admin_may_not_list_posts_for_the_console(world: World):
    user_update_roles(actor=world.admin, user=world.dave, roles=["system_admin"])
    user_deactivate(actor=world.admin, user=world.dave)
    world.dave.refresh_from_db()

    with pytest.raises(NotAuthenticated):
        post_list_for_console(actor=world.dave)
