"""Post lists over HTTP: channel history with Mattermost's cursors, threads, pins, posts by
id and saved posts, each limited to what the caller may read."""

import itertools

import pytest

from apps.core.ids import new_id
from apps.core.timeutils import now_ms
from apps.posts.models import Post
from apps.posts.services import post_delete, post_edit, post_flag, post_set_pinned
from tests.channels.world import World, build_world, say
from tests.factories import make_channel
from tests.files.helpers import upload

pytestmark = pytest.mark.django_db

POST_LIST_KEYS = {
    "order",
    "posts",
    "next_post_id",
    "prev_post_id",
    "has_next",
    "first_inaccessible_post_time",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def clock(monkeypatch) -> None:
    """One millisecond per post write, so newest-first orders never tie."""
    ticks = itertools.count(now_ms() + 1)
    monkeypatch.setattr("apps.posts.services.now_ms", lambda: next(ticks))


@pytest.fixture
def history(world: World, clock) -> list[Post]:
    """Ten posts m0..m9 in a fresh public channel of alice's, oldest first. Bob, who reads
    them, is a member of the team, not of the channel (so no join message is listed)."""
    channel = make_channel(world.alice, world.team, "history")
    return [say(world.alice, channel, f"m{i}") for i in range(10)]


def _page(api, channel_id: str, **params) -> dict:
    body = api.get(f"channels/{channel_id}/posts", **params)
    assert set(body) == POST_LIST_KEYS
    assert body["first_inaccessible_post_time"] == 0
    return body


def _messages(body: dict) -> list[str]:
    return [body["posts"][post_id]["message"] for post_id in body["order"]]


# --- channel history -----------------------------------------------------------------------


def test_plain_pages_run_newest_first_with_cursors_to_the_neighbours(
    world: World, api_as, history: list[Post]
) -> None:
    api, channel_id = api_as(world.bob), history[0].channel_id
    first = _page(api, channel_id, per_page=4)
    assert _messages(first) == ["m9", "m8", "m7", "m6"]
    assert (first["next_post_id"], first["prev_post_id"]) == ("", history[5].id)
    assert first["has_next"] is True
    middle = _page(api, channel_id, per_page=4, page=1)
    assert _messages(middle) == ["m5", "m4", "m3", "m2"]
    assert (middle["next_post_id"], middle["prev_post_id"]) == (history[6].id, history[1].id)
    last = _page(api, channel_id, per_page=4, page=2)
    assert _messages(last) == ["m1", "m0"]
    assert (last["next_post_id"], last["prev_post_id"], last["has_next"]) == (
        history[2].id,
        "",
        False,
    )


def test_cursors_skip_a_deleted_post_just_beyond_an_admins_page(
    world: World, api_as, history: list[Post]
) -> None:
    """The page reads one row past its end for the cursor; when an admin's page with
    deleted posts ends just before a deleted one, the cursor is still the next live post."""
    post_delete(actor=world.alice, post_id=history[5].id)
    channel_id = history[0].channel_id
    admin_page = _page(api_as(world.admin), channel_id, per_page=4, include_deleted="true")
    assert _messages(admin_page) == ["m9", "m8", "m7", "m6"]
    assert admin_page["prev_post_id"] == history[4].id
    newer = _page(
        api_as(world.admin), channel_id, per_page=1, after=history[3].id, include_deleted="true"
    )
    assert (_messages(newer), newer["next_post_id"]) == (["m4"], history[6].id)
    member_page = _page(api_as(world.bob), channel_id, per_page=4, page=1)
    assert _messages(member_page) == ["m4", "m3", "m2", "m1"]
    assert (member_page["next_post_id"], member_page["prev_post_id"]) == (
        history[6].id,
        history[0].id,
    )


def test_a_members_newest_page_takes_three_queries(
    world: World, api_as, history: list[Post], django_assert_num_queries
) -> None:
    """The hot path of every client: who is asking, their membership with the channel
    joined in, and the page with one row more for the cursor beyond it."""
    api = api_as(world.alice)
    with django_assert_num_queries(3):
        body = _page(api, history[0].channel_id, per_page=4)
    assert body["prev_post_id"] == history[5].id


def test_past_the_end_the_list_is_empty(world: World, api_as, history: list[Post]) -> None:
    body = _page(api_as(world.bob), history[0].channel_id, per_page=4, page=3)
    assert body == {
        "order": [],
        "posts": {},
        "next_post_id": "",
        "prev_post_id": "",
        "has_next": False,
        "first_inaccessible_post_time": 0,
    }


def test_paging_after_a_post(world: World, api_as, history: list[Post]) -> None:
    api, channel_id = api_as(world.bob), history[0].channel_id
    body = _page(api, channel_id, after=history[3].id, per_page=3)
    assert _messages(body) == ["m6", "m5", "m4"]
    assert (body["prev_post_id"], body["next_post_id"]) == (history[3].id, history[7].id)
    assert body["has_next"] is True
    tail = _page(api, channel_id, after=history[3].id, per_page=3, page=1)
    assert _messages(tail) == ["m9", "m8", "m7"]
    assert (tail["prev_post_id"], tail["next_post_id"]) == (history[6].id, "")
    short = _page(api, channel_id, after=history[7].id, per_page=3)
    assert _messages(short) == ["m9", "m8"]
    assert (short["prev_post_id"], short["next_post_id"], short["has_next"]) == (
        history[7].id,
        "",
        False,
    )


def test_paging_before_a_post(world: World, api_as, history: list[Post]) -> None:
    api, channel_id = api_as(world.bob), history[0].channel_id
    body = _page(api, channel_id, before=history[6].id, per_page=3)
    assert _messages(body) == ["m5", "m4", "m3"]
    assert (body["next_post_id"], body["prev_post_id"]) == (history[6].id, history[2].id)
    short = _page(api, channel_id, before=history[2].id, per_page=3)
    assert _messages(short) == ["m1", "m0"]
    assert (short["next_post_id"], short["prev_post_id"], short["has_next"]) == (
        history[2].id,
        "",
        False,
    )


def test_since_returns_changes_including_deletions_without_cursors(
    world: World, api_as, history: list[Post]
) -> None:
    cutoff = Post.objects.get(id=history[7].id).update_at
    post_edit(actor=world.alice, post_id=history[1].id, message="m1 edited")
    post_delete(actor=world.alice, post_id=history[3].id)
    body = _page(api_as(world.bob), history[0].channel_id, since=cutoff, per_page=1)
    assert set(body["order"]) == {history[i].id for i in (1, 3, 8, 9)}
    assert set(_messages(body)) == {"m8", "m9", "m1 edited", ""}
    deleted = body["posts"][history[3].id]
    assert deleted["delete_at"] > 0
    assert deleted["message"] == ""  # a deleted post's words are not served again
    assert (body["next_post_id"], body["prev_post_id"], body["has_next"]) == ("", "", False)


def test_replies_bring_their_thread_root_for_context(world: World, api_as, clock) -> None:
    root = say(world.alice, world.lobby, "root")
    for n in range(3):
        say(world.bob, world.lobby, f"filler {n}")
    reply = say(world.carol, world.lobby, "reply", root_id=root.id)
    body = _page(api_as(world.bob), world.lobby.id, per_page=2)
    assert body["order"][0] == reply.id
    assert root.id in body["posts"] and root.id not in body["order"]
    skipped = _page(api_as(world.bob), world.lobby.id, per_page=2, skipFetchThreads="true")
    assert root.id not in skipped["posts"]


def test_bad_paging_values_fall_back_and_bad_pivots_are_refused(
    world: World, api_as, history: list[Post]
) -> None:
    api, channel_id = api_as(world.bob), history[0].channel_id
    assert len(_page(api, channel_id, page="x", per_page="-3")["order"]) == 10
    elsewhere = say(world.alice, world.lobby, "elsewhere")
    for pivot in (elsewhere.id, new_id(), "junk"):
        api.get(f"channels/{channel_id}/posts", status=400, before=pivot)


def test_channel_history_follows_channel_access(world: World, api_as) -> None:
    say(world.alice, world.secret, "private")
    say(world.alice, world.dm, "direct")
    for user, channel in ((world.dave, world.secret), (world.carol, world.dm)):
        body = api_as(user).get(f"channels/{channel.id}/posts", status=404)
        assert body["id"] == "app.channel.get.existing.app_error"
    api_as(world.outsider).get(f"channels/{world.lobby.id}/posts", status=404)
    api_as(world.dave).get(f"channels/{new_id()}/posts", status=404)
    assert len(_page(api_as(world.dave), world.lobby.id)["order"]) > 0  # public: readable


def test_channel_history_with_files_takes_a_fixed_number_of_queries(
    world: World, api_as, clock, django_assert_max_num_queries
) -> None:
    for n in range(30):
        file_ids = [upload(world.alice, world.lobby).id] if n % 3 == 0 else []
        say(world.alice, world.lobby, f"n{n}", file_ids=file_ids)
    api = api_as(world.bob)
    with django_assert_max_num_queries(8):
        body = _page(api, world.lobby.id, per_page=30)
    assert len(body["order"]) == 30
    assert sum(1 for p in body["posts"].values() if p["metadata"].get("files")) == 10


# --- threads, pins, posts by id --------------------------------------------------------------


def test_a_thread_is_found_from_any_of_its_posts(world: World, api_as, clock) -> None:
    root = say(world.alice, world.lobby, "root")
    first = say(world.bob, world.lobby, "first", root_id=root.id)
    second = say(world.carol, world.lobby, "second", root_id=first.id)
    say(world.alice, world.lobby, "not in the thread")
    for any_post in (root, first, second):
        body = api_as(world.dave).get(f"posts/{any_post.id}/thread")
        assert set(body) == POST_LIST_KEYS
        assert body["order"] == [root.id, first.id, second.id]
        assert set(body["posts"]) == {root.id, first.id, second.id}
    api_as(world.outsider).get(f"posts/{root.id}/thread", status=404)


def test_pinned_posts_list_newest_first(world: World, api_as, clock) -> None:
    posts = [say(world.alice, world.lobby, f"p{i}") for i in range(3)]
    for post in posts:
        post_set_pinned(actor=world.bob, post_id=post.id, pinned=True)
    post_delete(actor=world.alice, post_id=posts[1].id)
    body = api_as(world.dave).get(f"channels/{world.lobby.id}/pinned")
    assert set(body) == POST_LIST_KEYS
    assert _messages(body) == ["p2", "p0"]
    api_as(world.dave).get(f"channels/{world.secret.id}/pinned", status=404)


def test_posts_by_id_leave_out_what_the_caller_cannot_read(world: World, api_as, clock) -> None:
    public = say(world.alice, world.lobby, "public")
    private = say(world.alice, world.secret, "private")
    gone = say(world.alice, world.lobby, "gone")
    post_delete(actor=world.alice, post_id=gone.id)
    ids = [private.id, public.id, new_id(), gone.id, public.id]
    assert [p["id"] for p in api_as(world.dave).post("posts/ids", ids)] == [public.id]
    assert [p["id"] for p in api_as(world.bob).post("posts/ids", ids)] == [private.id, public.id]
    api_as(world.bob).post("posts/ids", ["junk"], status=400)
    api_as(world.bob).post("posts/ids", {"ids": [public.id]}, status=400)
    api_as(world.bob).post("posts/ids", [public.id] * 1001, status=400)


# --- saved (flagged) posts -------------------------------------------------------------------


def test_saved_posts_are_listed_for_yourself_only(world: World, api_as, clock) -> None:
    lobby_posts = [say(world.alice, world.lobby, f"l{i}") for i in range(3)]
    secret_post = say(world.alice, world.secret, "s0")
    dm_post = say(world.alice, world.dm, "d0")
    other_team = make_channel(world.outsider, world.other_team, "elsewhere")
    for post in (*lobby_posts, secret_post, dm_post):
        post_flag(actor=world.bob, post_id=post.id)
    api = api_as(world.bob)
    body = api.get("users/me/posts/flagged")
    assert set(body) == POST_LIST_KEYS
    assert _messages(body) == ["d0", "s0", "l2", "l1", "l0"]
    assert body["has_next"] is False
    paged = api.get(f"users/{world.bob.id}/posts/flagged", per_page=2, page=1)
    assert (_messages(paged), paged["has_next"]) == (["l2", "l1"], True)
    in_secret = api.get("users/me/posts/flagged", channel_id=world.secret.id)
    assert _messages(in_secret) == ["s0"]
    in_team = api.get("users/me/posts/flagged", team_id=world.team.id)
    assert _messages(in_team) == ["d0", "s0", "l2", "l1", "l0"]
    in_other_team = api.get("users/me/posts/flagged", team_id=other_team.team_id)
    assert _messages(in_other_team) == ["d0"]  # direct messages belong to every team
    for someone in (world.alice, world.admin):
        api_as(someone).get(f"users/{world.bob.id}/posts/flagged", status=403)
