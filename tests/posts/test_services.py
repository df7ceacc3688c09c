"""Post writes: create, threads, edit, delete, pins, reactions and saved posts."""

import json

import pytest
from django.conf import settings

from apps.accounts.models import Preference
from apps.accounts.services.users import user_deactivate
from apps.channels.services import channel_archive, channel_member_remove
from apps.core.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from apps.core.ids import new_id
from apps.files.models import FileInfo
from apps.posts import models as post_types
from apps.posts.models import FLAGGED_POST_CATEGORY, Post, PostEdit, Reaction
from apps.posts.selectors import post_list_flagged
from apps.posts.services import (
    post_create,
    post_delete,
    post_edit,
    post_flag,
    post_set_pinned,
    post_unflag,
    reaction_add,
    reaction_remove,
)
from tests.channels.world import World, fresh, say
from tests.files.helpers import upload

pytestmark = pytest.mark.django_db


def _stored(post: Post) -> Post:
    return Post.objects.get(id=post.id)


# --- create ----------------------------------------------------------------------------------


def test_a_post_is_stored_counted_and_announced_to_the_channel(
    world: World, capture_events
) -> None:
    before = fresh(world.lobby)
    with capture_events() as events:
        post = say(world.alice, world.lobby, "shipping #release today")
    stored = _stored(post)
    assert (stored.user_id, stored.channel_id, stored.message) == (
        world.alice.id,
        world.lobby.id,
        "shipping #release today",
    )
    assert stored.hashtags == "#release"
    assert stored.root_id is None and stored.delete_at == 0 and stored.edit_at == 0
    assert stored.create_at == stored.update_at
    channel = fresh(world.lobby)
    assert channel.total_msg_count == before.total_msg_count + 1
    assert channel.total_msg_count_root == before.total_msg_count_root + 1
    assert channel.last_post_at == channel.last_root_post_at == stored.create_at
    (posted,) = events.named("posted")
    assert posted.broadcast.channel_id == world.lobby.id
    assert isinstance(posted.data["post"], str)
    wire = json.loads(posted.data["post"])
    assert (wire["id"], wire["root_id"], wire["message"]) == (post.id, "", stored.message)
    assert posted.data["sender_name"] == "@alice"
    assert posted.data["channel_type"] == "O"
    assert posted.data["channel_name"] == "lobby"
    assert posted.data["channel_display_name"] == "Lobby"
    assert posted.data["team_id"] == world.team.id
    assert posted.data["set_online"] is True
    assert "mentions" not in posted.data  # nobody was mentioned


def test_a_direct_message_is_announced_with_the_senders_name(world: World, capture_events) -> None:
    with capture_events() as events:
        say(world.alice, world.dm, "psst")
    (posted,) = events.named("posted")
    assert posted.data["channel_display_name"] == "@alice"
    assert posted.data["channel_type"] == "D"
    assert posted.data["team_id"] == ""
    assert json.loads(posted.data["mentions"]) == [world.bob.id]


def test_system_posts_are_announced_as_system(world: World, capture_events) -> None:
    with capture_events() as events:
        channel_member_remove(actor=world.bob, channel_id=world.lobby.id, user_id=world.bob.id)
    (posted,) = events.named("posted")
    assert posted.data["sender_name"] == "System"
    assert posted.data["set_online"] is False
    assert json.loads(posted.data["post"])["type"] == post_types.POST_TYPE_LEAVE_CHANNEL


def test_a_message_of_exactly_the_limit_is_accepted(world: World) -> None:
    post = say(world.alice, world.lobby, "x" * settings.CONFAB_POST_MAX_RUNES)
    assert len(_stored(post).message) == settings.CONFAB_POST_MAX_RUNES


@pytest.mark.parametrize(
    ("message", "kwargs"),
    [
        ("x" * (settings.CONFAB_POST_MAX_RUNES + 1), {}),
        ("é" * (settings.CONFAB_POST_MAX_RUNES + 1), {}),
        ("", {}),
        ("   \n\t", {}),
        (None, {}),
        (42, {}),
        ("hi", {"post_type": "system_join_channel"}),
        ("hi", {"post_type": "system_header_change"}),
        ("hi", {"post_type": "bogus"}),
        ("hi", {"post_type": 7}),
        ("hi", {"props": ["not", "an", "object"]}),
        ("hi", {"props": {"blob": "x" * 800_001}}),
        ("hi", {"file_ids": "abc"}),
        ("hi", {"file_ids": ["short"]}),
        ("hi", {"file_ids": [new_id() for _ in range(11)]}),
        ("hi", {"root_id": new_id()}),
        ("hi", {"root_id": "not-an-id"}),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    world: World, capture_events, message, kwargs
) -> None:
    posts, total = Post.objects.count(), fresh(world.lobby).total_msg_count
    with capture_events() as events, pytest.raises(InvalidInput):
        say(world.alice, world.lobby, message, **kwargs)
    assert Post.objects.count() == posts
    assert fresh(world.lobby).total_msg_count == total
    assert events == []


def test_the_message_limit_error_says_what_the_limit_is(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        say(world.alice, world.lobby, "x" * (settings.CONFAB_POST_MAX_RUNES + 1))
    assert str(settings.CONFAB_POST_MAX_RUNES) in str(error.value)
    assert error.value.error_id == "model.post.is_valid.msg.app_error"


@pytest.mark.parametrize("post_type", ["", None, "me", "custom_poll"])
def test_user_post_types_are_accepted(world: World, post_type) -> None:
    assert _stored(say(world.alice, world.lobby, "hi", post_type=post_type)).type == (
        post_type or ""
    )


def test_a_post_with_files_needs_no_text_and_lists_each_file_once(world: World) -> None:
    file_id = upload(world.alice, world.lobby).id
    post = say(world.alice, world.lobby, "", file_ids=[file_id, file_id])
    assert _stored(post).file_ids == [file_id]
    assert FileInfo.objects.get(id=file_id).post_id == post.id


def test_a_repeated_pending_post_id_returns_the_first_post(world: World, capture_events) -> None:
    first = say(world.alice, world.lobby, "once", pending_post_id="client-1")
    posts = Post.objects.count()
    with capture_events() as events:
        again = say(world.alice, world.lobby, "once", pending_post_id="client-1")
    assert again.id == first.id
    assert Post.objects.count() == posts
    assert events.named("posted") == []
    other = say(world.bob, world.lobby, "once", pending_post_id="client-1")
    assert other.id != first.id and other.pending_post_id == "client-1"


@pytest.mark.parametrize(
    ("actor_name", "channel_name", "error"),
    [
        ("dave", "lobby", PermissionDenied),  # may read, has not joined
        ("admin", "lobby", PermissionDenied),  # may read a public channel, has not joined
        ("admin", "secret", NotFound),  # a private channel is for its members only
        ("dave", "secret", NotFound),
        ("dave", "dm", NotFound),
        ("carol", "dm", NotFound),
        ("dave", "group", NotFound),
        ("outsider", "lobby", NotFound),
        ("admin", "dm", NotFound),
    ],
)
def test_who_may_not_post(world: World, actor_name: str, channel_name: str, error) -> None:
    channel = getattr(world, channel_name)
    posts = Post.objects.count()
    with pytest.raises(error):
        say(getattr(world, actor_name), channel, "let me in")
    assert Post.objects.count() == posts


def test_nobody_posts_in_an_archived_channel(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(PermissionDenied):
        say(world.alice, world.lobby, "anyone?")


def test_a_deactivated_user_cannot_post_and_cannot_be_direct_messaged(world: World) -> None:
    user_deactivate(actor=world.admin, user=world.bob)
    with pytest.raises(PermissionDenied):
        say(world.alice, world.dm, "are you there?")
    with pytest.raises(NotAuthenticated):
        post_create(actor=world.bob, channel=world.lobby, message="I am back")
    assert say(world.alice, world.group, "the group still works").id


# --- threads ---------------------------------------------------------------------------------


def test_a_reply_to_a_reply_joins_the_root_thread(world: World, clock) -> None:
    root = say(world.alice, world.lobby, "root")
    reply = say(world.bob, world.lobby, "reply", root_id=root.id)
    nested = say(world.carol, world.lobby, "reply to the reply", root_id=reply.id)
    assert _stored(reply).root_id == root.id
    assert _stored(nested).root_id == root.id
    stored_root = _stored(root)
    assert stored_root.reply_count == 2
    assert stored_root.last_reply_at == _stored(nested).create_at
    channel = fresh(world.lobby)
    assert channel.last_root_post_at == stored_root.create_at
    assert channel.last_post_at == _stored(nested).create_at


def test_replies_count_as_messages_but_not_as_root_messages(world: World) -> None:
    root = say(world.alice, world.lobby, "root")
    before = fresh(world.lobby)
    say(world.bob, world.lobby, "reply", root_id=root.id)
    after = fresh(world.lobby)
    assert after.total_msg_count == before.total_msg_count + 1
    assert after.total_msg_count_root == before.total_msg_count_root


def test_a_reply_must_be_in_the_channel_of_its_root(world: World) -> None:
    root = say(world.alice, world.secret, "elsewhere")
    posts = Post.objects.count()
    with pytest.raises(InvalidInput) as error:
        say(world.alice, world.lobby, "wrong channel", root_id=root.id)
    assert error.value.error_id == "api.post.create_post.channel_root_id.app_error"
    assert Post.objects.count() == posts
    assert _stored(root).reply_count == 0


def test_a_reply_to_a_deleted_root_is_refused(world: World) -> None:
    root = say(world.alice, world.lobby, "soon gone")
    reply = say(world.bob, world.lobby, "reply", root_id=root.id)
    post_delete(actor=world.alice, post_id=root.id)
    for parent in (root, reply):
        with pytest.raises(InvalidInput):
            say(world.carol, world.lobby, "too late", root_id=parent.id)
    assert Post.objects.filter(root_id=root.id).count() == 1


def test_reply_count_drops_when_a_reply_is_deleted(world: World) -> None:
    root = say(world.alice, world.lobby, "root")
    first = say(world.bob, world.lobby, "one", root_id=root.id)
    say(world.bob, world.lobby, "two", root_id=root.id)
    post_delete(actor=world.bob, post_id=first.id)
    assert _stored(root).reply_count == 1


# --- edit ----------------------------------------------------------------------------------


def test_editing_keeps_the_previous_version_and_announces_the_change(
    world: World, capture_events, clock
) -> None:
    post = say(world.alice, world.lobby, "first #draft")
    with capture_events() as events:
        edited = post_edit(actor=world.alice, post_id=post.id, message="second #final")
    stored = _stored(post)
    assert stored.message == "second #final" and stored.hashtags == "#final"
    assert stored.edit_at == stored.update_at and stored.edit_at > stored.create_at
    assert edited.edit_at == stored.edit_at
    (history,) = PostEdit.objects.filter(post=post)
    assert (history.message, history.create_at) == ("first #draft", stored.create_at)
    (event,) = events.named("post_edited")
    assert event.broadcast.channel_id == world.lobby.id
    assert json.loads(event.data["post"])["message"] == "second #final"


def test_each_edit_adds_one_version_newest_first(world: World, clock) -> None:
    post = say(world.alice, world.lobby, "v1")
    post_edit(actor=world.alice, post_id=post.id, message="v2")
    first_edit_at = _stored(post).edit_at
    post_edit(actor=world.alice, post_id=post.id, message="v3")
    versions = list(PostEdit.objects.filter(post=post).order_by("-replaced_at", "-id"))
    assert [v.message for v in versions] == ["v2", "v1"]
    assert versions[0].create_at == first_edit_at


def test_an_edit_that_changes_nothing_records_nothing(world: World, capture_events) -> None:
    post = say(world.alice, world.lobby, "same")
    with capture_events() as events:
        post_edit(actor=world.alice, post_id=post.id, message="same")
    assert _stored(post).edit_at == 0
    assert not PostEdit.objects.filter(post=post).exists()
    assert events == []


@pytest.mark.parametrize("editor_name", ["bob", "carol"])
def test_members_cannot_edit_each_others_posts(world: World, editor_name: str) -> None:
    post = say(world.alice, world.lobby, "mine")
    with pytest.raises(PermissionDenied):
        post_edit(actor=getattr(world, editor_name), post_id=post.id, message="yours now")
    assert _stored(post).message == "mine"
    assert not PostEdit.objects.filter(post=post).exists()


@pytest.mark.parametrize("editor_name", ["owner", "admin"])
def test_team_and_system_admins_may_edit_others_posts(world: World, editor_name: str) -> None:
    post = say(world.alice, world.lobby, "rude words")
    post_edit(actor=getattr(world, editor_name), post_id=post.id, message="[removed]")
    assert _stored(post).message == "[removed]"


def test_authors_who_left_a_public_channel_cannot_edit_their_posts_there(world: World) -> None:
    post = say(world.bob, world.lobby, "before I left")
    channel_member_remove(actor=world.bob, channel_id=world.lobby.id, user_id=world.bob.id)
    with pytest.raises(PermissionDenied):
        post_edit(actor=world.bob, post_id=post.id, message="rewritten from outside")
    assert _stored(post).message == "before I left"


def test_system_posts_are_not_editable(world: World) -> None:
    channel_member_remove(actor=world.bob, channel_id=world.lobby.id, user_id=world.bob.id)
    system_post = Post.objects.filter(channel=world.lobby).latest("create_at")
    assert system_post.is_system
    for editor in (world.bob, world.admin):
        with pytest.raises(PermissionDenied):
            post_edit(actor=editor, post_id=system_post.id, message="I never left")
    assert _stored(system_post).message == "@bob left the channel."


def test_bad_edits_are_refused_and_change_nothing(world: World) -> None:
    post = say(world.alice, world.lobby, "keep me")
    for message in ("x" * (settings.CONFAB_POST_MAX_RUNES + 1), "", "   "):
        with pytest.raises(InvalidInput):
            post_edit(actor=world.alice, post_id=post.id, message=message)
    with pytest.raises(InvalidInput):
        post_edit(actor=world.alice, post_id=post.id, props="nope")
    stored = _stored(post)
    assert (stored.message, stored.edit_at) == ("keep me", 0)
    assert not PostEdit.objects.filter(post=post).exists()


def test_deleted_unknown_and_hidden_posts_cannot_be_edited(world: World) -> None:
    deleted = say(world.alice, world.lobby, "gone")
    post_delete(actor=world.alice, post_id=deleted.id)
    hidden = say(world.alice, world.secret, "secret")
    with pytest.raises(NotFound):
        post_edit(actor=world.alice, post_id=deleted.id, message="back")
    with pytest.raises(NotFound):
        post_edit(actor=world.alice, post_id=new_id(), message="who")
    with pytest.raises(NotFound):
        post_edit(actor=world.dave, post_id=hidden.id, message="peek")


def test_posts_in_an_archived_channel_are_not_editable(world: World) -> None:
    post = say(world.alice, world.lobby, "frozen")
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(PermissionDenied):
        post_edit(actor=world.alice, post_id=post.id, message="thawed")


# --- delete ----------------------------------------------------------------------------------


def test_deleting_marks_the_post_and_keeps_the_row(world: World, capture_events) -> None:
    post = say(world.alice, world.lobby, "oops")
    with capture_events() as events:
        deleted = post_delete(actor=world.alice, post_id=post.id)
    stored = _stored(post)
    assert stored.delete_at != 0 and stored.delete_at == deleted.delete_at
    assert stored.message == "oops"
    (event,) = events.named("post_deleted")
    assert json.loads(event.data["post"])["delete_at"] == stored.delete_at


def test_deleting_a_root_deletes_its_replies(world: World) -> None:
    root = say(world.alice, world.lobby, "root")
    replies = [say(world.bob, world.lobby, f"r{i}", root_id=root.id) for i in range(2)]
    other = say(world.bob, world.lobby, "unrelated")
    post_delete(actor=world.alice, post_id=root.id)
    assert all(_stored(p).delete_at for p in (root, *replies))
    assert _stored(other).delete_at == 0


def test_a_member_cannot_delete_anothers_post(world: World) -> None:
    post = say(world.alice, world.lobby, "mine")
    with pytest.raises(PermissionDenied):
        post_delete(actor=world.bob, post_id=post.id)
    assert _stored(post).delete_at == 0


@pytest.mark.parametrize("deleter_name", ["alice", "owner", "admin"])
def test_channel_team_and_system_admins_delete_any_post(world: World, deleter_name: str) -> None:
    post = say(world.bob, world.lobby, "spam")
    post_delete(actor=getattr(world, deleter_name), post_id=post.id)
    assert _stored(post).delete_at != 0


def test_deleting_twice_is_not_found(world: World) -> None:
    post = say(world.alice, world.lobby, "once")
    post_delete(actor=world.alice, post_id=post.id)
    with pytest.raises(NotFound):
        post_delete(actor=world.alice, post_id=post.id)


# --- pins --------------------------------------------------------------------------------


def test_members_pin_and_unpin(world: World, capture_events) -> None:
    post = say(world.alice, world.lobby, "important")
    with capture_events() as events:
        post_set_pinned(actor=world.bob, post_id=post.id, pinned=True)
        post_set_pinned(actor=world.bob, post_id=post.id, pinned=True)
    assert _stored(post).is_pinned
    (event,) = events.named("post_edited")
    assert json.loads(event.data["post"])["is_pinned"] is True
    post_set_pinned(actor=world.alice, post_id=post.id, pinned=False)
    assert not _stored(post).is_pinned


def test_non_members_and_archived_channels_cannot_pin(world: World) -> None:
    post = say(world.alice, world.lobby, "important")
    with pytest.raises(PermissionDenied):
        post_set_pinned(actor=world.dave, post_id=post.id, pinned=True)
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(PermissionDenied):
        post_set_pinned(actor=world.alice, post_id=post.id, pinned=True)
    assert not _stored(post).is_pinned


# --- reactions -----------------------------------------------------------------------------


def test_reacting_is_idempotent_and_marks_the_post(world: World, capture_events) -> None:
    post = say(world.alice, world.lobby, "react to me")
    with capture_events() as events:
        first = reaction_add(actor=world.bob, post_id=post.id, emoji_name="ThumbsUp")
        again = reaction_add(actor=world.bob, post_id=post.id, emoji_name="thumbsup")
    assert first.id == again.id and first.emoji_name == "thumbsup"
    assert Reaction.objects.filter(post=post).count() == 1
    assert _stored(post).has_reactions
    (event,) = events.named("reaction_added")
    reaction = json.loads(event.data["reaction"])
    assert (reaction["user_id"], reaction["emoji_name"]) == (world.bob.id, "thumbsup")
    assert reaction["channel_id"] == world.lobby.id


@pytest.mark.parametrize("emoji_name", ["", "thumbs up", ":smile:", "x" * 65, "smile!", None])
def test_invalid_emoji_names_are_refused(world: World, emoji_name) -> None:
    post = say(world.alice, world.lobby, "react to me")
    with pytest.raises(InvalidInput):
        reaction_add(actor=world.bob, post_id=post.id, emoji_name=emoji_name)
    assert not Reaction.objects.filter(post=post).exists()
    assert not _stored(post).has_reactions


def test_removing_the_last_reaction_clears_the_mark(world: World, capture_events) -> None:
    post = say(world.alice, world.lobby, "react to me")
    reaction_add(actor=world.bob, post_id=post.id, emoji_name="+1")
    reaction_add(actor=world.carol, post_id=post.id, emoji_name="+1")
    reaction_remove(actor=world.bob, post_id=post.id, emoji_name="+1")
    assert _stored(post).has_reactions
    with capture_events() as events:
        reaction_remove(actor=world.carol, post_id=post.id, emoji_name="+1")
    assert not _stored(post).has_reactions
    assert not Reaction.objects.filter(post=post).exists()
    (event,) = events.named("reaction_removed")
    assert json.loads(event.data["reaction"])["user_id"] == world.carol.id


def test_members_remove_only_their_own_reactions(world: World) -> None:
    post = say(world.alice, world.lobby, "react to me")
    reaction_add(actor=world.bob, post_id=post.id, emoji_name="smile")
    with pytest.raises(PermissionDenied):
        reaction_remove(actor=world.alice, post_id=post.id, emoji_name="smile", user=world.bob)
    assert Reaction.objects.filter(post=post, user=world.bob).exists()
    reaction_remove(actor=world.admin, post_id=post.id, emoji_name="smile", user=world.bob)
    assert not Reaction.objects.filter(post=post, user=world.bob).exists()


def test_removing_a_reaction_that_is_not_there_changes_nothing(
    world: World, capture_events
) -> None:
    post = say(world.alice, world.lobby, "react to me")
    with capture_events() as events:
        reaction_remove(actor=world.bob, post_id=post.id, emoji_name="smile")
    assert events == []


def test_who_may_not_react(world: World) -> None:
    public = say(world.alice, world.lobby, "public")
    private = say(world.alice, world.secret, "private")
    deleted = say(world.alice, world.lobby, "deleted")
    post_delete(actor=world.alice, post_id=deleted.id)
    with pytest.raises(PermissionDenied):
        reaction_add(actor=world.dave, post_id=public.id, emoji_name="smile")
    with pytest.raises(NotFound):
        reaction_add(actor=world.dave, post_id=private.id, emoji_name="smile")
    with pytest.raises(NotFound):
        reaction_add(actor=world.alice, post_id=deleted.id, emoji_name="smile")
    assert not Reaction.objects.exists()


# --- saved posts ---------------------------------------------------------------------------


def test_saving_and_unsaving_a_post(world: World) -> None:
    post = say(world.alice, world.lobby, "keep this")
    post_flag(actor=world.bob, post_id=post.id)
    post_flag(actor=world.bob, post_id=post.id)
    assert Preference.objects.filter(
        user=world.bob, category=FLAGGED_POST_CATEGORY, name=post.id, value="true"
    ).exists()
    assert [p.id for p in post_list_flagged(actor=world.bob)] == [post.id]
    assert post_list_flagged(actor=world.alice) == []
    post_unflag(actor=world.bob, post_id=post.id)
    assert post_list_flagged(actor=world.bob) == []


def test_saved_posts_of_a_channel_the_user_left_are_not_listed(world: World) -> None:
    kept = say(world.alice, world.lobby, "still here")
    left = say(world.alice, world.secret, "left behind")
    post_flag(actor=world.bob, post_id=kept.id)
    post_flag(actor=world.bob, post_id=left.id)
    channel_member_remove(actor=world.bob, channel_id=world.secret.id, user_id=world.bob.id)
    assert [p.id for p in post_list_flagged(actor=world.bob)] == [kept.id]


def test_hidden_and_unknown_posts_cannot_be_saved(world: World) -> None:
    hidden = say(world.alice, world.secret, "secret")
    with pytest.raises(NotFound):
        post_flag(actor=world.dave, post_id=hidden.id)
    with pytest.raises(NotFound):
        post_flag(actor=world.dave, post_id=new_id())
    with pytest.raises(InvalidInput):
        post_unflag(actor=world.dave, post_id="nope")
    assert not Preference.objects.filter(user=world.dave, category=FLAGGED_POST_CATEGORY).exists()


def test_users_cannot_claim_integration_only_props(world: World) -> None:
    post = say(
        world.alice,
        world.lobby,
        "totally from a webhook",
        props={
            "from_webhook": "true",
            "override_username": "ceo",
            "override_icon_url": "http://evil.example/x.png",
            "card": "kept",
        },
    )
    assert _stored(post).props == {"card": "kept"}
