"""Post reads: history paging, threads, pins, reactions, edit history and saved posts,
always limited to what the actor may read now."""

import pytest

from apps.channels.services import channel_member_remove
from apps.core.errors import InvalidInput, NotFound
from apps.core.ids import new_id
from apps.core.paging import PER_PAGE_DEFAULT, PER_PAGE_MAX, clamp_paging
from apps.posts.models import Post
from apps.posts.selectors import (
    post_edit_history,
    post_get,
    post_get_thread,
    post_list_flagged,
    post_list_pinned,
    post_page_in_channel,
    reaction_list_for_post,
)
from apps.posts.services import (
    post_delete,
    post_edit,
    post_flag,
    post_set_pinned,
    reaction_add,
)
from tests.channels.world import World, say
from tests.factories import make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world: World, clock) -> list[Post]:
    """Ten posts in a fresh channel, oldest first, one millisecond apart."""
    channel = make_channel(world.alice, world.team, "history")
    return [say(world.alice, channel, f"m{i}") for i in range(10)]


def _messages(posts) -> list[str]:
    return [p.message for p in posts]


def _list(world: World, history: list[Post], **kwargs) -> list[str]:
    return _messages(
        post_page_in_channel(actor=world.alice, channel_id=history[0].channel_id, **kwargs).posts
    )


# --- paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [
        (0, 60, (0, 60)),
        (2, 5, (2, 5)),
        (-1, 5, (0, 5)),
        ("3", "7", (3, 7)),
        ("x", None, (0, PER_PAGE_DEFAULT)),
        (None, "many", (0, PER_PAGE_DEFAULT)),
        (0, 0, (0, PER_PAGE_DEFAULT)),
        (0, -5, (0, PER_PAGE_DEFAULT)),
        (0, 10_000, (0, PER_PAGE_MAX)),
    ],
)
def test_paging_values_are_clamped(page, per_page, expected) -> None:
    assert clamp_paging(page, per_page) == expected


def test_history_is_newest_first_and_paged(world: World, history: list[Post]) -> None:
    assert _list(world, history) == [f"m{i}" for i in range(9, -1, -1)]
    assert _list(world, history, page=0, per_page=3) == ["m9", "m8", "m7"]
    assert _list(world, history, page=1, per_page=3) == ["m6", "m5", "m4"]
    assert _list(world, history, page=3, per_page=3) == ["m0"]
    assert _list(world, history, page=4, per_page=3) == []


def test_bad_paging_falls_back_to_the_defaults(world: World, history: list[Post]) -> None:
    assert _list(world, history, page=-2, per_page="lots") == [f"m{i}" for i in range(9, -1, -1)]


def test_before_lists_older_posts_newest_first(world: World, history: list[Post]) -> None:
    assert _list(world, history, before=history[5].id, per_page=3) == ["m4", "m3", "m2"]
    assert _list(world, history, before=history[5].id, per_page=3, page=1) == ["m1", "m0"]
    assert _list(world, history, before=history[0].id) == []


def test_after_lists_the_next_newer_posts_newest_first(world: World, history: list[Post]) -> None:
    assert _list(world, history, after=history[5].id, per_page=3) == ["m8", "m7", "m6"]
    assert _list(world, history, after=history[5].id, per_page=3, page=1) == ["m9"]
    assert _list(world, history, after=history[9].id) == []


def test_a_pivot_from_another_channel_is_refused(world: World, history: list[Post]) -> None:
    elsewhere = say(world.alice, world.lobby, "elsewhere")
    for pivot in (elsewhere.id, new_id(), "junk"):
        with pytest.raises(InvalidInput):
            _list(world, history, before=pivot)
        with pytest.raises(InvalidInput):
            _list(world, history, after=pivot)


def test_deleted_posts_leave_the_history_but_since_still_returns_them(
    world: World, history: list[Post]
) -> None:
    cutoff = Post.objects.get(id=history[7].id).update_at
    post_delete(actor=world.alice, post_id=history[3].id)
    post_edit(actor=world.alice, post_id=history[1].id, message="m1 edited")
    assert "m3" not in _list(world, history)
    changed = post_page_in_channel(
        actor=world.alice, channel_id=history[0].channel_id, since=cutoff, per_page=1, page=5
    ).posts
    assert {p.message for p in changed} == {"m8", "m9", "m3", "m1 edited"}
    deleted = next(p for p in changed if p.message == "m3")
    assert deleted.delete_at != 0


def test_only_system_admins_may_include_deleted_posts(world: World, history: list[Post]) -> None:
    post_delete(actor=world.alice, post_id=history[3].id)
    assert "m3" not in _list(world, history, include_deleted=True)
    as_admin = post_page_in_channel(
        actor=world.admin, channel_id=history[0].channel_id, include_deleted=True
    ).posts
    assert "m3" in _messages(as_admin)


# --- hidden channels hide everything in them ------------------------------------------------


@pytest.fixture
def hidden_posts(world: World) -> dict[str, Post]:
    """A pinned, reacted-to thread root with a reply in each channel dave cannot read."""
    posts = {}
    for name in ("secret", "dm", "group"):
        channel = getattr(world, name)
        root = say(world.alice, channel, f"{name} root")
        say(world.bob, channel, f"{name} reply", root_id=root.id)
        post_set_pinned(actor=world.alice, post_id=root.id, pinned=True)
        reaction_add(actor=world.bob, post_id=root.id, emoji_name="eyes")
        posts[name] = root
    return posts


READERS = [
    lambda actor, post: post_page_in_channel(actor=actor, channel_id=post.channel_id).posts,
    lambda actor, post: post_get(actor=actor, post_id=post.id),
    lambda actor, post: post_get_thread(actor=actor, post_id=post.id),
    lambda actor, post: list(reaction_list_for_post(actor=actor, post_id=post.id)),
    lambda actor, post: list(post_list_pinned(actor=actor, channel_id=post.channel_id)),
]
READER_IDS = ["history", "post", "thread", "reactions", "pinned"]


@pytest.mark.parametrize("read", READERS, ids=READER_IDS)
@pytest.mark.parametrize(
    ("actor_name", "channel_name"),
    [
        ("dave", "secret"),
        ("dave", "dm"),
        ("dave", "group"),
        ("carol", "dm"),
        ("outsider", "secret"),
        ("admin", "dm"),
        ("admin", "group"),
    ],
)
def test_non_members_cannot_read_anything_in_private_and_direct_channels(
    world: World, hidden_posts: dict[str, Post], read, actor_name: str, channel_name: str
) -> None:
    with pytest.raises(NotFound):
        read(getattr(world, actor_name), hidden_posts[channel_name])


@pytest.mark.parametrize("read", READERS, ids=READER_IDS)
def test_members_read_everything_in_their_channels(
    world: World, hidden_posts: dict[str, Post], read
) -> None:
    for post in hidden_posts.values():
        assert read(world.bob, post)


@pytest.mark.parametrize("read", READERS, ids=READER_IDS)
def test_a_removed_member_loses_read_access_at_once(
    world: World, hidden_posts: dict[str, Post], read
) -> None:
    post = hidden_posts["secret"]
    assert read(world.bob, post)
    channel_member_remove(actor=world.alice, channel_id=world.secret.id, user_id=world.bob.id)
    with pytest.raises(NotFound):
        read(world.bob, post)


def test_a_hidden_post_and_a_missing_one_look_the_same(
    world: World, hidden_posts: dict[str, Post]
) -> None:
    with pytest.raises(NotFound) as hidden:
        post_get(actor=world.dave, post_id=hidden_posts["secret"].id)
    with pytest.raises(NotFound) as missing:
        post_get(actor=world.dave, post_id=new_id())
    assert hidden.value.error_id == missing.value.error_id
    assert str(hidden.value) == str(missing.value)


# --- threads, pins, reactions, edit history ---------------------------------------------


def test_a_thread_is_its_root_then_replies_oldest_first(world: World, clock) -> None:
    root = say(world.alice, world.lobby, "root")
    first = say(world.bob, world.lobby, "first", root_id=root.id)
    second = say(world.carol, world.lobby, "second", root_id=first.id)
    deleted = say(world.bob, world.lobby, "deleted", root_id=root.id)
    post_delete(actor=world.bob, post_id=deleted.id)
    say(world.alice, world.lobby, "not in the thread")
    for any_post in (root, first, second):
        thread = post_get_thread(actor=world.dave, post_id=any_post.id)
        assert [p.id for p in thread] == [root.id, first.id, second.id]


def test_deleted_posts_and_threads_are_not_found(world: World) -> None:
    root = say(world.alice, world.lobby, "root")
    reply = say(world.bob, world.lobby, "reply", root_id=root.id)
    post_delete(actor=world.alice, post_id=root.id)
    for post_id in (root.id, reply.id):
        with pytest.raises(NotFound):
            post_get(actor=world.alice, post_id=post_id)
        with pytest.raises(NotFound):
            post_get_thread(actor=world.alice, post_id=post_id)
        with pytest.raises(NotFound):
            reaction_list_for_post(actor=world.alice, post_id=post_id)


def test_pinned_posts_are_listed_newest_first_without_deleted_ones(world: World, clock) -> None:
    posts = [say(world.alice, world.lobby, f"p{i}") for i in range(3)]
    for post in posts:
        post_set_pinned(actor=world.bob, post_id=post.id, pinned=True)
    post_delete(actor=world.alice, post_id=posts[1].id)
    say(world.alice, world.lobby, "not pinned")
    pinned = post_list_pinned(actor=world.dave, channel_id=world.lobby.id)
    assert _messages(pinned) == ["p2", "p0"]


def test_reactions_are_listed_oldest_first(world: World) -> None:
    post = say(world.alice, world.lobby, "react")
    reaction_add(actor=world.bob, post_id=post.id, emoji_name="one")
    reaction_add(actor=world.carol, post_id=post.id, emoji_name="two")
    listed = reaction_list_for_post(actor=world.dave, post_id=post.id)
    assert [(r.user_id, r.emoji_name) for r in listed] == [
        (world.bob.id, "one"),
        (world.carol.id, "two"),
    ]


def test_only_the_author_reads_the_edit_history(world: World, clock) -> None:
    post = say(world.alice, world.lobby, "v1")
    post_edit(actor=world.alice, post_id=post.id, message="v2")
    post_edit(actor=world.alice, post_id=post.id, message="v3")
    assert _messages(post_edit_history(actor=world.alice, post_id=post.id)) == ["v2", "v1"]
    for reader in (world.bob, world.owner, world.admin):
        with pytest.raises(NotFound):
            post_edit_history(actor=reader, post_id=post.id)


# --- saved posts -------------------------------------------------------------------------


def test_saved_posts_are_paged_newest_first_and_filtered_by_channel(world: World, clock) -> None:
    lobby_posts = [say(world.alice, world.lobby, f"l{i}") for i in range(3)]
    secret_post = say(world.alice, world.secret, "s0")
    gone = say(world.alice, world.lobby, "gone")
    for post in (*lobby_posts, secret_post, gone):
        post_flag(actor=world.bob, post_id=post.id)
    post_delete(actor=world.alice, post_id=gone.id)
    assert _messages(post_list_flagged(actor=world.bob)) == ["s0", "l2", "l1", "l0"]
    assert _messages(post_list_flagged(actor=world.bob, per_page=2, page=1)) == ["l1", "l0"]
    assert _messages(post_list_flagged(actor=world.bob, channel_id=world.secret.id)) == ["s0"]
