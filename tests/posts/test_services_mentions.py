"""Who a post mentions, and how it moves everyone's unread and mention counters."""

import json

import pytest

from apps.accounts.services.users import user_update_profile
from apps.channels.models import Channel
from apps.channels.selectors import channel_unread
from apps.channels.services import (
    channel_get_or_create_direct,
    channel_join,
    channel_member_add,
    channel_member_remove,
    channel_member_update_notify_props,
    channel_set_muted,
    channel_update,
    channel_view,
)
from apps.core.errors import PermissionDenied
from apps.realtime.services import user_status_set
from apps.teams.services import team_member_add
from tests.channels.world import World, member, say
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _mentioned(capture_events, actor, channel: Channel, message: str, **kwargs) -> set[str]:
    """Post, and return the ids the `posted` event names as mentioned."""
    with capture_events() as events:
        say(actor, channel, message, **kwargs)
    (posted,) = events.named("posted")
    return set(json.loads(posted.data["mentions"])) if "mentions" in posted.data else set()


def _counts(user, channel: Channel) -> tuple[int, int]:
    """(unread messages, mentions) of the user in the channel."""
    unread = channel_unread(actor=user, channel_id=channel.id)
    return unread["msg_count"], unread["mention_count"]


@pytest.fixture
def viewed(world: World) -> World:
    """Everyone has read everything in the lobby, secret, DM and group so far."""
    for channel, users in (
        (world.lobby, (world.alice, world.bob, world.carol)),
        (world.secret, (world.alice, world.bob)),
        (world.dm, (world.alice, world.bob)),
        (world.group, (world.alice, world.bob, world.carol)),
    ):
        for user in users:
            channel_view(actor=user, channel_id=channel.id)
    return world


def test_a_username_mention_counts_for_that_member_only(viewed: World, capture_events) -> None:
    w = viewed
    assert _mentioned(capture_events, w.alice, w.lobby, "ping @bob") == {w.bob.id}
    assert _counts(w.bob, w.lobby) == (1, 1)
    assert _counts(w.carol, w.lobby) == (1, 0)


@pytest.mark.parametrize(
    "message",
    ["@BOB hi", "hi @Bob.", "@bob, look", "@bob: look", "really @bob?", "(@bob)", "@bob!!!"],
)
def test_mentions_ignore_case_and_trailing_punctuation(
    viewed: World, capture_events, message: str
) -> None:
    assert _mentioned(capture_events, viewed.alice, viewed.lobby, message) == {viewed.bob.id}


def test_a_username_ending_in_punctuation_can_be_mentioned(world: World, capture_events) -> None:
    dotted = UserFactory(username="bobby.", email="dotted@example.com")
    plain = UserFactory(username="bobby")
    for user in (dotted, plain):
        team_member_add(actor=world.owner, team_id=world.team.id, user_id=user.id)
        channel_join(actor=user, channel_id=world.lobby.id)
    assert _mentioned(capture_events, world.alice, world.lobby, "hi @bobby.") == {dotted.id}
    assert _mentioned(capture_events, world.alice, world.lobby, "hi @bobby") == {plain.id}
    assert _mentioned(capture_events, world.alice, world.lobby, "hi @bobby..") == {dotted.id}
    channel_member_remove(actor=dotted, channel_id=world.lobby.id, user_id=dotted.id)
    assert _mentioned(capture_events, world.alice, world.lobby, "thanks @bobby.") == {plain.id}


def test_channel_wide_mentions_reach_every_member_but_the_author(
    viewed: World, capture_events
) -> None:
    w = viewed
    for word in ("@channel", "@all"):
        assert _mentioned(capture_events, w.alice, w.lobby, f"{word} lunch?") == {
            w.bob.id,
            w.carol.id,
        }
    assert _counts(w.bob, w.lobby) == (2, 2)
    assert _counts(w.alice, w.lobby) == (0, 0)


def test_here_reaches_only_members_who_are_online(viewed: World, capture_events) -> None:
    w = viewed
    user_status_set(actor=w.bob, user=w.bob, status="online")
    user_status_set(actor=w.carol, user=w.carol, status="away")
    assert _mentioned(capture_events, w.alice, w.lobby, "@here standup") == {w.bob.id}
    assert _counts(w.carol, w.lobby) == (1, 0)


def test_nobody_online_means_here_mentions_nobody(viewed: World, capture_events) -> None:
    assert _mentioned(capture_events, viewed.alice, viewed.lobby, "@here anyone?") == set()


def test_mention_keys_and_first_name_count_as_mentions(viewed: World, capture_events) -> None:
    w = viewed
    user_update_profile(
        actor=w.alice,
        user=w.alice,
        data={"notify_props": {"mention_keys": "deploy,Release Train", "first_name": "true"}},
    )
    assert _mentioned(capture_events, w.bob, w.lobby, "the DEPLOY is done") == {w.alice.id}
    assert _mentioned(capture_events, w.bob, w.lobby, "board the release train") == {w.alice.id}
    assert _mentioned(capture_events, w.bob, w.lobby, "ask alice") == {w.alice.id}
    assert _mentioned(capture_events, w.bob, w.lobby, "redeployment") == set()
    assert _counts(w.alice, w.lobby) == (4, 3)


def test_the_other_side_of_a_direct_channel_is_always_mentioned(
    viewed: World, capture_events
) -> None:
    w = viewed
    assert _mentioned(capture_events, w.alice, w.dm, "no at-sign at all") == {w.bob.id}
    assert _counts(w.bob, w.dm) == (1, 1)
    assert _counts(w.alice, w.dm) == (0, 0)


def test_a_self_direct_message_mentions_nobody(world: World, capture_events) -> None:
    notes = channel_get_or_create_direct(actor=world.dave, other_user_id=world.dave.id)
    assert _mentioned(capture_events, world.dave, notes, "note to @dave") == set()
    assert _counts(world.dave, notes) == (0, 0)


def test_authors_never_count_their_own_mentions_or_messages(viewed: World, capture_events) -> None:
    w = viewed
    assert _mentioned(capture_events, w.alice, w.lobby, "@alice @channel @all") == {
        w.bob.id,
        w.carol.id,
    }
    assert _counts(w.alice, w.lobby) == (0, 0)


def test_people_outside_the_channel_are_not_counted(viewed: World, capture_events) -> None:
    w = viewed
    assert _mentioned(capture_events, w.alice, w.lobby, "@dave @outsider @admin") == set()
    assert member(w.dave, w.lobby) is None
    assert _mentioned(capture_events, w.alice, w.secret, "@channel @carol") == {w.bob.id}
    assert member(w.carol, w.secret) is None


def test_a_muted_channel_still_counts_mentions(viewed: World, capture_events) -> None:
    w = viewed
    channel_set_muted(actor=w.bob, channel_id=w.lobby.id, muted=True)
    say(w.alice, w.lobby, "chatter")
    assert _mentioned(capture_events, w.alice, w.lobby, "@bob you there?") == {w.bob.id}
    assert _mentioned(capture_events, w.alice, w.lobby, "@channel fire drill") >= {w.bob.id}
    assert _counts(w.bob, w.lobby) == (3, 2)


def test_ignoring_channel_mentions_skips_channel_and_here_but_not_your_name(
    viewed: World, capture_events
) -> None:
    w = viewed
    channel_member_update_notify_props(
        actor=w.bob, channel_id=w.lobby.id, props={"ignore_channel_mentions": "on"}
    )
    user_status_set(actor=w.bob, user=w.bob, status="online")
    assert _mentioned(capture_events, w.alice, w.lobby, "@channel hi") == {w.carol.id}
    assert _mentioned(capture_events, w.alice, w.lobby, "@all hi") == {w.carol.id}
    assert _mentioned(capture_events, w.alice, w.lobby, "@here hi") == set()
    assert _mentioned(capture_events, w.alice, w.lobby, "@bob hi") == {w.bob.id}
    assert _counts(w.bob, w.lobby) == (4, 1)


def test_turning_off_channel_mentions_for_the_account_skips_channel(
    viewed: World, capture_events
) -> None:
    w = viewed
    user_update_profile(actor=w.carol, user=w.carol, data={"notify_props": {"channel": "false"}})
    assert _mentioned(capture_events, w.alice, w.lobby, "@channel hi") == {w.bob.id}


def test_a_mention_in_a_reply_counts_but_not_as_a_root_mention(viewed: World) -> None:
    w = viewed
    root = say(w.alice, w.lobby, "thread")
    say(w.alice, w.lobby, "@bob in the thread", root_id=root.id)
    unread = channel_unread(actor=w.bob, channel_id=w.lobby.id)
    assert (unread["msg_count"], unread["msg_count_root"]) == (2, 1)
    assert (unread["mention_count"], unread["mention_count_root"]) == (1, 0)


def test_mentions_in_code_do_not_count(viewed: World, capture_events) -> None:
    assert _mentioned(capture_events, viewed.alice, viewed.lobby, "run `@bob --help`") == set()


def test_joining_and_leaving_do_not_make_a_channel_unread(viewed: World) -> None:
    w = viewed
    total = Channel.objects.get(id=w.lobby.id).total_msg_count
    channel_join(actor=w.dave, channel_id=w.lobby.id)
    channel_member_add(actor=w.alice, channel_id=w.lobby.id, user_id=w.owner.id)
    channel_member_remove(actor=w.dave, channel_id=w.lobby.id, user_id=w.dave.id)
    channel_member_remove(actor=w.alice, channel_id=w.lobby.id, user_id=w.owner.id)
    assert Channel.objects.get(id=w.lobby.id).total_msg_count == total
    assert _counts(w.bob, w.lobby) == (0, 0)
    assert _counts(w.alice, w.lobby) == (0, 0)


def test_a_new_member_starts_with_nothing_unread(viewed: World) -> None:
    w = viewed
    say(w.alice, w.lobby, "before dave")
    channel_join(actor=w.dave, channel_id=w.lobby.id)
    assert _counts(w.dave, w.lobby) == (0, 0)
    say(w.alice, w.lobby, "after dave")
    assert _counts(w.dave, w.lobby) == (1, 0)


def test_channel_changes_other_than_membership_are_unread(viewed: World) -> None:
    w = viewed
    channel_update(actor=w.alice, channel_id=w.lobby.id, patch={"header": "new rules"})
    assert _counts(w.bob, w.lobby) == (1, 0)
    assert _counts(w.alice, w.lobby) == (0, 0)


def test_viewing_a_channel_resets_messages_and_mentions(viewed: World, capture_events) -> None:
    w = viewed
    say(w.alice, w.lobby, "@bob one")
    say(w.alice, w.lobby, "@channel two")
    assert _counts(w.bob, w.lobby) == (2, 2)
    with capture_events() as events:
        viewed_at = channel_view(actor=w.bob, channel_id=w.lobby.id)
    assert _counts(w.bob, w.lobby) == (0, 0)
    stored = member(w.bob, w.lobby)
    assert (
        stored.mention_count_root == 0
        and stored.msg_count_root == stored.channel.total_msg_count_root
    )
    assert stored.last_viewed_at == viewed_at
    (event,) = events.named("channel_viewed")
    assert event.broadcast.user_id == w.bob.id
    assert event.data == {"channel_id": w.lobby.id}
    assert _counts(w.carol, w.lobby) == (2, 1)  # only the viewer's counters move


def test_viewing_needs_a_membership(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_view(actor=world.dave, channel_id=world.lobby.id)


def test_answering_a_direct_message_clears_your_own_unread_and_mention_badge(world: World):
    say(world.alice, world.dm, "are you there?")
    assert _counts(world.bob, world.dm) == (1, 1)

    say(world.bob, world.dm, "yes")

    assert _counts(world.bob, world.dm) == (0, 0)
    assert _counts(world.alice, world.dm) == (1, 1)
