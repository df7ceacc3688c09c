"""Built-in slash commands run through `command_execute`: what each one changes, what it
answers, and how a refused action becomes an ephemeral error instead of a failure."""

import json

import pytest

from apps.accounts.models import Status
from apps.channels.models import CHANNEL_GROUP, Channel
from apps.core.errors import InvalidInput, NotFound
from apps.integrations.services_commands import command_execute
from apps.posts.models import Post
from apps.realtime.publish import Broadcast
from tests.channels.world import World, fresh, member, say

pytestmark = pytest.mark.django_db

RESPONSE_KEYS = {
    "response_type",
    "text",
    "username",
    "channel_id",
    "icon_url",
    "type",
    "props",
    "goto_location",
    "trigger_id",
    "skip_slack_parsing",
    "attachments",
    "extra_responses",
}


def run(world: World, command: str, *, actor=None, channel=None, root_id: str = "", team_id=""):
    return command_execute(
        actor=actor or world.alice,
        channel_id=(channel or world.lobby).id,
        team_id=team_id,
        root_id=root_id,
        command=command,
    )


def newest(channel: Channel) -> Post:
    return Post.objects.filter(channel=channel).latest("create_at", "id")


def ephemerals(events) -> list[dict]:
    return [json.loads(e.data["post"]) for e in events.named("ephemeral_message")]


# --- posting commands -------------------------------------------------------------------------


def test_me_posts_an_action_message_in_the_channel(world):
    response = run(world, "/me waves")

    assert set(response) == RESPONSE_KEYS
    assert (response["response_type"], response["text"], response["type"]) == (
        "in_channel",
        "*waves*",
        "me",
    )
    assert len(response["trigger_id"]) == 26
    post = newest(world.lobby)
    assert (post.message, post.type, post.user_id) == ("*waves*", "me", world.alice.id)


def test_shrug_appends_the_shrug_and_honours_the_thread(world):
    root = say(world.alice, world.lobby, "a question")

    run(world, "/shrug no idea", actor=world.bob, root_id=root.id)

    post = newest(world.lobby)
    assert post.message == "no idea ¯\\\\\\_(ツ)\\_/¯"
    assert (post.user_id, post.root_id) == (world.bob.id, root.id)


def test_code_indents_every_line(world):
    response = run(world, "/code a = 1\nb = 2")

    assert response["skip_slack_parsing"] is True
    assert newest(world.lobby).message == "    a = 1\n    b = 2"


def test_echo_reposts_quoted_text_and_refuses_a_delay(world, capture_events):
    run(world, '/echo "hello there"')
    assert newest(world.lobby).message == "hello there"

    with capture_events() as events:
        response = run(world, '/echo "later" 5')
    assert response["response_type"] == "ephemeral" and "not supported" in response["text"]
    assert newest(world.lobby).message == "hello there"
    assert [p["message"] for p in ephemerals(events)] == [response["text"]]


def test_an_empty_me_is_answered_with_usage(world):
    before = Post.objects.count()
    response = run(world, "/me")
    assert response["response_type"] == "ephemeral" and "/me" in response["text"]
    assert Post.objects.count() == before


# --- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["away", "online", "dnd", "offline"])
def test_status_commands_set_the_callers_manual_status(world, status, capture_events):
    with capture_events() as events:
        response = run(world, f"/{status}")

    row = Status.objects.get(user=world.alice)
    assert (row.status, row.manual) == (status, True)
    assert response["response_type"] == "ephemeral" and response["text"]
    [shown] = ephemerals(events)
    assert (shown["user_id"], shown["channel_id"], shown["type"]) == (
        world.alice.id,
        world.lobby.id,
        "system_ephemeral",
    )
    [event] = events.named("ephemeral_message")
    assert event.broadcast.user_id == world.alice.id
    # The change itself reaches the caller and their team, as an observed one does.
    assert {e.broadcast for e in events.named("status_change")} == {
        Broadcast(user_id=world.alice.id),
        Broadcast(team_id=world.team.id, omit_users=frozenset({world.alice.id})),
    }


# --- channel properties ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "field"),
    [("header", "header"), ("purpose", "purpose"), ("rename", "display_name")],
)
def test_property_commands_update_the_channel(world, trigger, field):
    response = run(world, f"/{trigger} New value", actor=world.bob)

    assert getattr(fresh(world.lobby), field) == "New value"
    assert response["text"] == ""
    assert newest(world.lobby).type.startswith("system_")


def test_a_direct_message_has_no_purpose_and_says_so(world, capture_events):
    with capture_events() as events:
        response = run(world, "/purpose nope", channel=world.dm)

    assert response["response_type"] == "ephemeral" and response["text"]
    assert fresh(world.dm).purpose == ""
    assert len(ephemerals(events)) == 1


# --- membership ------------------------------------------------------------------------------


def test_join_joins_a_public_channel_and_navigates_there(world):
    response = run(world, "/join ~lobby", actor=world.dave, channel=world.town_square)

    assert member(world.dave, world.lobby) is not None
    assert response["goto_location"].endswith("/acme/channels/lobby")


def test_open_is_join(world):
    response = run(world, "/open lobby", actor=world.dave, channel=world.town_square)
    assert member(world.dave, world.lobby) is not None
    assert response["goto_location"].endswith("/acme/channels/lobby")


def test_join_cannot_find_a_private_channel(world):
    response = run(world, "/join ~secret", actor=world.carol)

    assert response["response_type"] == "ephemeral" and "not found" in response["text"]
    assert member(world.carol, world.secret) is None


def test_leave_leaves_and_goes_to_town_square(world):
    response = run(world, "/leave", actor=world.carol)

    assert member(world.carol, world.lobby) is None
    assert response["goto_location"].endswith("/acme/channels/town-square")


def test_nobody_leaves_town_square(world):
    response = run(world, "/leave", actor=world.dave, channel=world.town_square)

    assert response["response_type"] == "ephemeral" and "Town Square" in response["text"]
    assert member(world.dave, world.town_square) is not None


def test_invite_adds_a_user_here_or_to_the_named_channel(world):
    run(world, "/invite @dave")
    assert member(world.dave, world.lobby) is not None

    response = run(world, "/invite @carol ~secret")
    assert member(world.carol, world.secret) is not None
    assert response["response_type"] == "ephemeral" and "~secret" in response["text"]


def test_kick_and_remove_need_a_channel_admin(world):
    refused = run(world, "/kick @carol", actor=world.bob)
    assert refused["response_type"] == "ephemeral" and refused["text"]
    assert member(world.carol, world.lobby) is not None

    run(world, "/kick @carol")
    assert member(world.carol, world.lobby) is None
    run(world, "/remove bob")
    assert member(world.bob, world.lobby) is None


def test_an_unknown_user_is_an_ephemeral_error(world):
    response = run(world, "/invite @nobody")
    assert response["response_type"] == "ephemeral" and "not found" in response["text"].lower()


def test_mute_toggles_the_members_mark_unread(world):
    first = run(world, "/mute", actor=world.bob)
    assert member(world.bob, world.lobby).notify_props["mark_unread"] == "mention"
    assert "muted" in first["text"]

    run(world, "/mute ~lobby", actor=world.bob, channel=world.town_square)
    assert member(world.bob, world.lobby).notify_props["mark_unread"] == "all"


# --- direct and group messages -----------------------------------------------------------------


def test_msg_opens_a_direct_channel_and_posts_the_text(world):
    response = run(world, "/msg @dave hi Dave", actor=world.carol)

    assert response["goto_location"].endswith("/acme/messages/@dave")
    dm = Channel.objects.get(type="D", members__user=world.carol, name__contains=world.dave.id)
    assert newest(dm).message == "hi Dave"


def test_groupmsg_opens_a_group_and_posts_the_text(world):
    response = run(world, "/groupmsg @bob, @dave hello all", actor=world.carol)

    group = Channel.objects.filter(type=CHANNEL_GROUP, members__user=world.dave).get()
    assert set(group.members.values_list("user_id", flat=True)) == {
        world.bob.id,
        world.carol.id,
        world.dave.id,
    }
    assert newest(group).message == "hello all"
    assert response["goto_location"].endswith(f"/acme/messages/{group.name}")


def test_msg_from_a_direct_channel_uses_the_team_the_client_names(world):
    response = run(world, "/msg @carol", channel=world.dm, team_id=world.team.id)
    assert response["goto_location"].endswith("/acme/messages/@carol")
    assert run(world, "/msg @carol", channel=world.dm)["goto_location"] == ""


# --- client-side, help -------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", ["search", "settings", "shortcuts"])
def test_client_side_commands_are_answered_as_unsupported(world, trigger):
    response = run(world, f"/{trigger} anything")
    assert response["response_type"] == "ephemeral" and "not supported" in response["text"]


def test_help_lists_the_builtins(world):
    text = run(world, "/help")["text"]
    assert "/shrug" in text and "/msg" in text


# --- refusals ----------------------------------------------------------------------------------


def test_posting_where_the_caller_may_not_is_an_ephemeral_error(world, capture_events):
    """A team member who is not in a public channel may read it, not post in it."""
    before = Post.objects.count()
    with capture_events() as events:
        response = run(world, "/shrug", actor=world.dave)

    assert response["response_type"] == "in_channel"
    assert Post.objects.count() == before
    [shown] = ephemerals(events)
    assert "Join the channel" in shown["message"]


def test_an_unknown_trigger_is_not_found(world):
    with pytest.raises(NotFound) as excinfo:
        run(world, "/nosuchcommand hi")
    assert excinfo.value.error_id == "api.command.execute_command.not_found.app_error"


def test_a_command_must_start_with_a_slash(world):
    with pytest.raises(InvalidInput):
        run(world, "shrug")


def test_a_hidden_channel_is_not_found(world):
    with pytest.raises(NotFound):
        run(world, "/shrug", actor=world.carol, channel=world.secret)
