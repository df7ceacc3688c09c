"""Reactions over HTTP: add, list (also via mattermostdriver's `//reactions`), remove and
list in bulk, each limited to what the caller may read."""

import json

import pytest

from apps.core.ids import new_id
from apps.posts.models import Post, Reaction
from apps.posts.services import reaction_add
from tests.channels.world import World, build_world, say

pytestmark = pytest.mark.django_db

REACTION_KEYS = {
    "user_id",
    "post_id",
    "emoji_name",
    "create_at",
    "update_at",
    "delete_at",
    "remote_id",
    "channel_id",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def post(world: World) -> Post:
    return say(world.alice, world.lobby, "react to me")


def test_adding_a_reaction_answers_201_and_announces_it(
    world: World, post: Post, api_as, capture_events
) -> None:
    with capture_events() as events:
        body = api_as(world.bob).post(
            "reactions",
            {"user_id": world.bob.id, "post_id": post.id, "emoji_name": "tada"},
            status=201,
        )
    assert set(body) == REACTION_KEYS
    assert (body["user_id"], body["post_id"], body["emoji_name"]) == (world.bob.id, post.id, "tada")
    assert body["channel_id"] == world.lobby.id and body["delete_at"] == 0
    assert Post.objects.get(id=post.id).has_reactions
    (added,) = events.named("reaction_added")
    assert added.broadcast.channel_id == world.lobby.id
    assert json.loads(added.data["reaction"])["emoji_name"] == "tada"
    assert api_as(world.alice).get(f"posts/{post.id}")["has_reactions"] is True


def test_reacting_twice_keeps_one_reaction(world: World, post: Post, api_as) -> None:
    api = api_as(world.bob)
    payload = {"user_id": "me", "post_id": post.id, "emoji_name": "tada"}
    api.post("reactions", payload, status=201)
    api.post("reactions", payload, status=201)
    assert Reaction.objects.filter(post=post).count() == 1


def test_reacting_as_someone_else_is_forbidden(world: World, post: Post, api_as) -> None:
    body = api_as(world.bob).post(
        "reactions",
        {"user_id": world.carol.id, "post_id": post.id, "emoji_name": "tada"},
        status=403,
    )
    assert body["id"] == "api.context.permissions.app_error"
    api_as(world.bob).post("reactions", {"post_id": post.id, "emoji_name": "x"}, status=403)
    assert not Reaction.objects.exists()


@pytest.mark.parametrize("emoji_name", ["", "has space", "semi;colon", "x" * 65, 7, None])
def test_bad_emoji_names_are_refused(world: World, post: Post, api_as, emoji_name) -> None:
    api_as(world.bob).post(
        "reactions",
        {"user_id": world.bob.id, "post_id": post.id, "emoji_name": emoji_name},
        status=400,
    )
    assert not Reaction.objects.exists()


@pytest.mark.parametrize(
    ("actor", "channel", "status"),
    [("dave", "lobby", 403), ("dave", "secret", 404), ("carol", "dm", 404)],
)
def test_reacting_where_one_may_not(world: World, api_as, actor, channel, status) -> None:
    target = say(world.alice, getattr(world, channel), "hi")
    user = getattr(world, actor)
    api_as(user).post(
        "reactions",
        {"user_id": user.id, "post_id": target.id, "emoji_name": "eyes"},
        status=status,
    )
    assert not Reaction.objects.exists()


def test_reactions_need_a_session_and_a_real_post(world: World, post: Post, api_as) -> None:
    payload = {"user_id": world.bob.id, "post_id": post.id, "emoji_name": "tada"}
    api_as(None).post("reactions", payload, status=401)
    api_as(None).get(f"posts/{post.id}/reactions", status=401)
    api_as(world.bob).post("reactions", {**payload, "post_id": new_id()}, status=404)


def test_listing_reactions_works_with_the_double_slash_path(
    world: World, post: Post, api_as
) -> None:
    reaction_add(actor=world.bob, post_id=post.id, emoji_name="one")
    reaction_add(actor=world.carol, post_id=post.id, emoji_name="two")
    for path in (f"posts/{post.id}/reactions", f"/api/v4/posts/{post.id}//reactions"):
        listed = api_as(world.dave).get(path)
        assert [(r["user_id"], r["emoji_name"]) for r in listed] == [
            (world.bob.id, "one"),
            (world.carol.id, "two"),
        ]
        assert all(set(r) == REACTION_KEYS for r in listed)
    api_as(world.outsider).get(f"posts/{post.id}/reactions", status=404)
    assert api_as(world.dave).get(f"posts/{say(world.bob, world.lobby).id}/reactions") == []


def test_removing_your_reaction_answers_status_ok(
    world: World, post: Post, api_as, capture_events
) -> None:
    reaction_add(actor=world.bob, post_id=post.id, emoji_name="tada")
    with capture_events() as events:
        body = api_as(world.bob).delete(f"users/me/posts/{post.id}/reactions/tada", {})
    assert body == {"status": "OK"}
    assert not Reaction.objects.exists()
    assert not Post.objects.get(id=post.id).has_reactions
    assert len(events.named("reaction_removed")) == 1
    # Removing what is not there is not an error.
    api_as(world.bob).delete(f"users/{world.bob.id}/posts/{post.id}/reactions/tada")


def test_only_admins_remove_others_reactions(world: World, post: Post, api_as) -> None:
    reaction_add(actor=world.bob, post_id=post.id, emoji_name="tada")
    path = f"users/{world.bob.id}/posts/{post.id}/reactions/tada"
    api_as(world.carol).delete(path, status=403)
    api_as(world.alice).delete(path, status=403)  # channel admin, still not hers
    assert Reaction.objects.count() == 1
    api_as(world.carol).delete(f"users/{new_id()}/posts/{post.id}/reactions/tada", status=404)
    api_as(world.bob).delete(f"users/me/posts/{post.id}/reactions/bad;name", status=400)


def test_bulk_reactions_cover_the_readable_posts(world: World, api_as) -> None:
    public = say(world.alice, world.lobby, "public")
    quiet = say(world.alice, world.lobby, "quiet")
    private = say(world.alice, world.secret, "private")
    reaction_add(actor=world.bob, post_id=public.id, emoji_name="one")
    reaction_add(actor=world.bob, post_id=private.id, emoji_name="two")
    ids = [public.id, quiet.id, private.id, new_id()]
    as_dave = api_as(world.dave).post("posts/ids/reactions", ids)
    assert set(as_dave) == {public.id, quiet.id}
    assert [r["emoji_name"] for r in as_dave[public.id]] == ["one"]
    assert as_dave[quiet.id] == []
    as_bob = api_as(world.bob).post("posts/ids/reactions", ids)
    assert [r["emoji_name"] for r in as_bob[private.id]] == ["two"]
    api_as(world.bob).post("posts/ids/reactions", ["junk"], status=400)
    api_as(world.bob).post("posts/ids/reactions", {"not": "a list"}, status=400)
    api_as(None).post("posts/ids/reactions", ids, status=401)
