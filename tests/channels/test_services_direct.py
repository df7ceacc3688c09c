"""Direct and group channels: found or created, never duplicated."""

import json

import pytest

from apps.accounts.services.users import user_deactivate
from apps.channels.models import CHANNEL_DIRECT, CHANNEL_GROUP, Channel
from apps.channels.services import channel_get_or_create_direct, channel_get_or_create_group
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import new_id
from tests.channels.world import World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_direct_channel_is_the_same_from_both_sides_and_never_duplicated(
    world: World, capture_events
) -> None:
    carol, dave = world.carol, world.dave
    before = Channel.objects.count()
    with capture_events() as events:
        first = channel_get_or_create_direct(actor=carol, other_user_id=dave.id)
        again = channel_get_or_create_direct(actor=carol, other_user_id=dave.id)
        reverse = channel_get_or_create_direct(actor=dave, other_user_id=carol.id)
    assert first.id == again.id == reverse.id
    assert Channel.objects.count() == before + 1
    assert first.type == CHANNEL_DIRECT and first.team_id is None
    assert first.name == "__".join(sorted((carol.id, dave.id)))
    assert {m.user_id for m in first.members.all()} == {carol.id, dave.id}
    added = events.named("direct_added")
    assert sorted(e.broadcast.user_id for e in added) == sorted((carol.id, dave.id))


def test_a_self_direct_channel_has_one_member(world: World) -> None:
    channel = channel_get_or_create_direct(actor=world.dave, other_user_id=world.dave.id)
    assert channel.name == f"{world.dave.id}__{world.dave.id}"
    assert [m.user_id for m in channel.members.all()] == [world.dave.id]
    again = channel_get_or_create_direct(actor=world.dave, other_user_id=world.dave.id)
    assert again.id == channel.id


def test_a_new_direct_channel_with_a_deactivated_user_is_refused(world: World) -> None:
    user_deactivate(actor=world.admin, user=world.dave)
    before = Channel.objects.count()
    with pytest.raises(PermissionDenied):
        channel_get_or_create_direct(actor=world.carol, other_user_id=world.dave.id)
    assert Channel.objects.count() == before


def test_an_existing_direct_channel_with_a_since_deactivated_user_is_still_found(
    world: World,
) -> None:
    user_deactivate(actor=world.admin, user=world.bob)
    assert channel_get_or_create_direct(actor=world.alice, other_user_id=world.bob.id) == world.dm


@pytest.mark.parametrize("other_user_id", ["ybndrfg8ejkmcpqxot1uwisza3", "nope", ""])
def test_a_direct_channel_with_an_unknown_user_is_refused(world: World, other_user_id) -> None:
    before = Channel.objects.count()
    with pytest.raises(NotFound):
        channel_get_or_create_direct(actor=world.alice, other_user_id=other_user_id)
    assert Channel.objects.count() == before


def test_a_group_is_found_by_its_set_of_members(world: World, capture_events) -> None:
    w = world
    before = Channel.objects.count()
    with capture_events() as events:
        group = channel_get_or_create_group(actor=w.carol, user_ids=[w.dave.id, w.owner.id])
        same = channel_get_or_create_group(actor=w.dave, user_ids=[w.owner.id, w.carol.id])
        with_self = channel_get_or_create_group(
            actor=w.owner, user_ids=[w.owner.id, w.carol.id, w.dave.id, w.dave.id]
        )
    assert group.id == same.id == with_self.id
    assert Channel.objects.count() == before + 1
    assert group.type == CHANNEL_GROUP and group.team_id is None
    assert group.display_name == "carol, dave, owner"
    assert {m.user_id for m in group.members.all()} == {w.carol.id, w.dave.id, w.owner.id}
    added = events.named("group_added")
    assert len(added) == 3
    to_carol = next(e for e in added if e.broadcast.user_id == w.carol.id)
    # Mattermost sends teammate_ids as a JSON string, like the other list-valued fields.
    assert sorted(json.loads(to_carol.data["teammate_ids"])) == sorted((w.dave.id, w.owner.id))


def test_the_group_of_the_world_is_found_again(world: World) -> None:
    w = world
    found = channel_get_or_create_group(actor=w.carol, user_ids=[w.alice.id, w.bob.id])
    assert found.id == w.group.id


def test_a_group_of_eight_is_allowed_but_nine_is_too_many(world: World) -> None:
    extra = [UserFactory() for _ in range(6)]
    eight = [world.bob.id, *(u.id for u in extra)]
    assert channel_get_or_create_group(actor=world.alice, user_ids=eight).members.count() == 8
    before = Channel.objects.count()
    with pytest.raises(InvalidInput):
        channel_get_or_create_group(actor=world.alice, user_ids=[*eight, world.carol.id])
    assert Channel.objects.count() == before


@pytest.mark.parametrize("others", [[], ["bob"], ["bob", "bob"], ["bob", "alice"]])
def test_a_group_needs_three_people(world: World, others: list[str]) -> None:
    ids = [getattr(world, name).id for name in others]
    before = Channel.objects.count()
    with pytest.raises(InvalidInput):
        channel_get_or_create_group(actor=world.alice, user_ids=ids)
    assert Channel.objects.count() == before


def test_a_group_with_unknown_or_malformed_ids_is_refused(world: World) -> None:
    with pytest.raises(NotFound):
        channel_get_or_create_group(actor=world.alice, user_ids=[world.bob.id, new_id()])
    with pytest.raises(InvalidInput):
        channel_get_or_create_group(actor=world.alice, user_ids=[world.bob.id, "x"])
    with pytest.raises(InvalidInput):
        channel_get_or_create_group(actor=world.alice, user_ids=world.bob.id)


def test_a_new_group_with_a_deactivated_user_is_refused(world: World) -> None:
    user_deactivate(actor=world.admin, user=world.dave)
    before = Channel.objects.count()
    with pytest.raises(PermissionDenied):
        channel_get_or_create_group(actor=world.alice, user_ids=[world.bob.id, world.dave.id])
    assert Channel.objects.count() == before
