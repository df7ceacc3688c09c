"""Posts over HTTP: create, read, update, patch, delete, pins, edit history, ephemeral
posts, and who may do each."""

import json

import pytest
from django.conf import settings

from apps.core.ids import new_id
from apps.posts.models import Post
from tests.channels.world import World, build_world, fresh, say

pytestmark = pytest.mark.django_db

POST_KEYS = {
    "id",
    "create_at",
    "update_at",
    "edit_at",
    "delete_at",
    "is_pinned",
    "user_id",
    "channel_id",
    "root_id",
    "original_id",
    "message",
    "type",
    "props",
    "hashtags",
    "file_ids",
    "pending_post_id",
    "reply_count",
    "last_reply_at",
    "participants",
    "metadata",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


# --- create ----------------------------------------------------------------------------------


def test_creating_a_post_answers_201_with_the_full_post_and_announces_it(
    world: World, api_as, capture_events
) -> None:
    with capture_events() as events:
        body = api_as(world.alice).post(
            "posts",
            {
                "channel_id": world.lobby.id,
                "message": "hello @bob",
                "root_id": None,
                "file_ids": [],
                "props": {"from_webhook": "true", "card": "x"},
                "pending_post_id": "client-1",
            },
            status=201,
        )
    assert set(body) >= POST_KEYS
    assert body["user_id"] == world.alice.id
    assert body["channel_id"] == world.lobby.id
    assert body["message"] == "hello @bob"
    assert body["root_id"] == "" and body["file_ids"] == []
    assert body["props"] == {"card": "x"}  # integration-only props are dropped
    assert body["pending_post_id"] == "client-1"
    assert body["create_at"] == body["update_at"] > 0
    assert body["metadata"] == {}
    stored = Post.objects.get(id=body["id"])
    assert stored.message == "hello @bob"
    (posted,) = events.named("posted")
    assert json.loads(posted.data["post"])["id"] == body["id"]
    assert json.loads(posted.data["mentions"]) == [world.bob.id]
    assert "otherFile" not in posted.data


def test_a_resent_pending_post_id_returns_the_first_post(world: World, api_as) -> None:
    api = api_as(world.alice)
    payload = {"channel_id": world.lobby.id, "message": "once", "pending_post_id": "p-1"}
    first = api.post("posts", payload, status=201)
    again = api.post("posts", payload, status=201)
    assert again["id"] == first["id"]
    assert Post.objects.filter(pending_post_id="p-1").count() == 1


def test_a_reply_to_a_reply_joins_the_thread_of_its_root(world: World, api_as) -> None:
    api = api_as(world.bob)
    root = say(world.alice, world.lobby, "root")
    reply = api.post(
        "posts", {"channel_id": world.lobby.id, "message": "r1", "root_id": root.id}, status=201
    )
    nested = api.post(
        "posts",
        {"channel_id": world.lobby.id, "message": "r2", "root_id": reply["id"]},
        status=201,
    )
    assert reply["root_id"] == nested["root_id"] == root.id


@pytest.mark.parametrize(
    "payload",
    [
        {"message": "no channel"},
        {"channel_id": "LOBBY", "message": "x" * (settings.CONFAB_POST_MAX_RUNES + 1)},
        {"channel_id": "LOBBY", "message": ""},
        {"channel_id": "LOBBY", "message": 42},
        {"channel_id": "LOBBY", "message": "hi", "file_ids": "abc"},
        {"channel_id": "LOBBY", "message": "hi", "file_ids": [new_id()]},
        {"channel_id": "LOBBY", "message": "hi", "root_id": new_id()},
        {"channel_id": "LOBBY", "message": "hi", "props": ["x"]},
        {"channel_id": "LOBBY", "message": "hi", "type": "system_join_channel"},
    ],
    ids=[
        "no-channel",
        "too-long",
        "empty",
        "not-text",
        "file-ids-not-list",
        "unknown-file",
        "unknown-root",
        "props-not-object",
        "system-type",
    ],
)
def test_bad_posts_answer_400_and_store_nothing(
    world: World, api_as, capture_events, payload
) -> None:
    payload = {k: (world.lobby.id if v == "LOBBY" else v) for k, v in payload.items()}
    posts, total = Post.objects.count(), fresh(world.lobby).total_msg_count
    with capture_events() as events:
        api_as(world.alice).post("posts", payload, status=400)
    assert Post.objects.count() == posts
    assert fresh(world.lobby).total_msg_count == total
    assert events == []


def test_a_post_body_that_is_not_an_object_is_refused(world: World, api_as) -> None:
    api_as(world.alice).post("posts", ["not", "an", "object"], status=400)


@pytest.mark.parametrize(
    ("actor", "channel", "status"),
    [
        ("dave", "secret", 404),  # a private channel dave is not in: hidden
        ("carol", "dm", 404),  # a DM of others: hidden
        ("outsider", "lobby", 404),  # another team's public channel: hidden
        ("dave", "lobby", 403),  # readable public channel, but not joined
        ("admin", "lobby", 403),  # system admins read public channels, not post unjoined
    ],
)
def test_posting_where_one_may_not(world: World, api_as, actor, channel, status) -> None:
    target = getattr(world, channel)
    posts = Post.objects.count()
    api_as(getattr(world, actor)).post(
        "posts", {"channel_id": target.id, "message": "hi"}, status=status
    )
    assert Post.objects.count() == posts


def test_posting_to_an_unknown_channel_is_404(world: World, api_as) -> None:
    api_as(world.alice).post("posts", {"channel_id": new_id(), "message": "hi"}, status=404)


def test_every_post_endpoint_needs_a_session(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "hi")
    anonymous = api_as(None)
    anonymous.post("posts", {"channel_id": world.lobby.id, "message": "hi"}, status=401)
    anonymous.get(f"posts/{post.id}", status=401)
    anonymous.put(f"posts/{post.id}", {"id": post.id, "message": "x"}, status=401)
    anonymous.put(f"posts/{post.id}/patch", {"message": "x"}, status=401)
    anonymous.delete(f"posts/{post.id}", status=401)
    anonymous.get(f"posts/{post.id}/thread", status=401)
    anonymous.get(f"channels/{world.lobby.id}/posts", status=401)
    anonymous.get(f"channels/{world.lobby.id}/pinned", status=401)
    anonymous.post(f"posts/{post.id}/pin", status=401)
    anonymous.post("posts/ids", [post.id], status=401)
    anonymous.get(f"users/{world.alice.id}/posts/flagged", status=401)
    anonymous.get(f"posts/{post.id}/edit_history", status=401)
    anonymous.post("posts/ephemeral", {"user_id": world.bob.id, "post": {}}, status=401)


# --- read ------------------------------------------------------------------------------------


def test_reading_a_post_follows_channel_access(world: World, api_as) -> None:
    public = say(world.alice, world.lobby, "public")
    private = say(world.alice, world.secret, "private")
    direct = say(world.alice, world.dm, "direct")
    assert api_as(world.dave).get(f"posts/{public.id}")["message"] == "public"
    assert api_as(world.bob).get(f"posts/{private.id}")["message"] == "private"
    for post in (private, direct):
        body = api_as(world.dave).get(f"posts/{post.id}", status=404)
        assert body["id"] == "app.post.get.app_error"
    api_as(world.carol).get(f"posts/{direct.id}", status=404)
    api_as(world.outsider).get(f"posts/{public.id}", status=404)
    api_as(world.admin).get(f"posts/{direct.id}", status=404)  # admins read no one's DMs


def test_unknown_and_malformed_post_ids_are_404(world: World, api_as) -> None:
    api = api_as(world.alice)
    for post_id in (new_id(), "not-an-id"):
        api.get(f"posts/{post_id}", status=404)
        api.put(f"posts/{post_id}/patch", {"message": "x"}, status=404)
        api.delete(f"posts/{post_id}", status=404)
        api.get(f"posts/{post_id}/thread", status=404)


def test_deleted_posts_are_404_except_to_admins_who_ask(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "gone soon")
    api_as(world.alice).delete(f"posts/{post.id}", {})
    api_as(world.alice).get(f"posts/{post.id}", status=404)
    api_as(world.alice).get(f"posts/{post.id}", status=404, include_deleted="true")
    body = api_as(world.admin).get(f"posts/{post.id}", include_deleted="true")
    assert body["delete_at"] > 0


# --- update and patch ------------------------------------------------------------------------


def test_update_replaces_message_and_props_and_keeps_files(
    world: World, api_as, capture_events
) -> None:
    post = say(world.alice, world.lobby, "v1", props={"card": "c"})
    with capture_events() as events:
        body = api_as(world.alice).put(
            f"posts/{post.id}", {"id": post.id, "message": "v2 #tag", "is_pinned": None}
        )
    assert body["message"] == "v2 #tag"
    assert body["props"] == {}  # left out of an update means blank
    assert body["hashtags"] == "#tag"
    assert body["edit_at"] > 0 and body["update_at"] >= body["edit_at"]
    (edited,) = events.named("post_edited")
    assert json.loads(edited.data["post"])["message"] == "v2 #tag"


def test_update_needs_the_matching_id_in_the_body(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "v1")
    other = say(world.alice, world.lobby, "other")
    api = api_as(world.alice)
    api.put(f"posts/{post.id}", {"message": "no id"}, status=400)
    api.put(f"posts/{post.id}", {"id": other.id, "message": "wrong id"}, status=400)
    assert Post.objects.get(id=post.id).message == "v1"
    assert Post.objects.get(id=other.id).message == "other"


def test_update_with_no_message_and_no_files_is_refused(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "v1")
    api_as(world.alice).put(f"posts/{post.id}", {"id": post.id}, status=400)


def test_patch_changes_only_what_is_sent(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "v1", props={"card": "c"})
    api = api_as(world.alice)
    body = api.put(f"posts/{post.id}/patch", {"message": "v2"})
    assert (body["message"], body["props"], body["is_pinned"]) == ("v2", {"card": "c"}, False)
    body = api.put(f"posts/{post.id}/patch", {"is_pinned": True})
    assert (body["message"], body["is_pinned"]) == ("v2", True)
    api.put(f"posts/{post.id}/patch", {"is_pinned": "yes"}, status=400)
    api.put(
        f"posts/{post.id}/patch",
        {"message": "x" * (settings.CONFAB_POST_MAX_RUNES + 1)},
        status=400,
    )
    assert Post.objects.get(id=post.id).message == "v2"


def test_nobody_edits_another_users_post_except_admins(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "mine")
    for intruder in (world.bob, world.carol):
        body = api_as(intruder).put(f"posts/{post.id}/patch", {"message": "yours"}, status=403)
        assert body["id"] == "api.context.permissions.app_error"
        api_as(intruder).put(f"posts/{post.id}", {"id": post.id, "message": "x"}, status=403)
    api_as(world.dave).put(f"posts/{post.id}/patch", {"message": "x"}, status=403)
    secret = say(world.alice, world.secret, "hidden")
    api_as(world.dave).put(f"posts/{secret.id}/patch", {"message": "x"}, status=404)
    assert Post.objects.get(id=post.id).message == "mine"
    assert api_as(world.owner).put(f"posts/{post.id}/patch", {"message": "mod"})["message"] == (
        "mod"
    )


def test_edit_history_is_for_the_author_only(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "v1")
    api = api_as(world.alice)
    api.put(f"posts/{post.id}/patch", {"message": "v2"})
    api.put(f"posts/{post.id}/patch", {"message": "v3"})
    history = api.get(f"posts/{post.id}/edit_history")
    assert [v["message"] for v in history] == ["v2", "v1"]
    assert all(v["original_id"] == post.id and len(v["id"]) == 26 for v in history)
    assert len({v["id"] for v in history}) == 2
    assert api.get(f"posts/{post.id}/edit_history") == history  # stable ids
    for reader in (world.bob, world.admin, world.dave):
        api_as(reader).get(f"posts/{post.id}/edit_history", status=404)


# --- delete ----------------------------------------------------------------------------------


def test_deleting_answers_status_ok_and_takes_the_replies(
    world: World, api_as, capture_events
) -> None:
    root = say(world.alice, world.lobby, "root")
    reply = say(world.bob, world.lobby, "reply", root_id=root.id)
    with capture_events() as events:
        assert api_as(world.alice).delete(f"posts/{root.id}", None) == {"status": "OK"}
    assert Post.objects.get(id=reply.id).delete_at > 0
    (deleted,) = events.named("post_deleted")
    assert json.loads(deleted.data["post"])["id"] == root.id
    api_as(world.alice).delete(f"posts/{root.id}", status=404)


def test_only_authors_and_managers_delete(world: World, api_as) -> None:
    post = say(world.bob, world.lobby, "bob's")
    api_as(world.carol).delete(f"posts/{post.id}", status=403)
    api_as(world.dave).delete(f"posts/{post.id}", status=403)
    assert Post.objects.get(id=post.id).delete_at == 0
    assert api_as(world.alice).delete(f"posts/{post.id}") == {"status": "OK"}  # channel admin


# --- pins ------------------------------------------------------------------------------------


def test_members_pin_and_unpin_with_status_ok(world: World, api_as, capture_events) -> None:
    post = say(world.alice, world.lobby, "pin me")
    with capture_events() as events:
        assert api_as(world.bob).post(f"posts/{post.id}/pin") == {"status": "OK"}
    assert Post.objects.get(id=post.id).is_pinned
    assert len(events.named("post_edited")) == 1
    assert api_as(world.bob).post(f"posts/{post.id}/unpin", None) == {"status": "OK"}
    assert not Post.objects.get(id=post.id).is_pinned
    api_as(world.dave).post(f"posts/{post.id}/pin", status=403)  # reads, not a member
    secret = say(world.alice, world.secret, "s")
    api_as(world.dave).post(f"posts/{secret.id}/pin", status=404)
    api_as(world.bob).post(f"posts/{new_id()}/pin", status=404)


# --- ephemeral -------------------------------------------------------------------------------


def test_ephemeral_posts_are_for_system_admins_only(world: World, api_as, capture_events) -> None:
    payload = {"user_id": world.bob.id, "post": {"channel_id": world.lobby.id, "message": "psst"}}
    with capture_events() as events:
        body = api_as(world.alice).post("posts/ephemeral", payload, status=403)
    assert body["id"] == "api.context.permissions.app_error"
    assert events == []


def test_an_ephemeral_post_goes_to_one_user_and_is_not_stored(
    world: World, api_as, capture_events
) -> None:
    posts = Post.objects.count()
    payload = {"user_id": world.bob.id, "post": {"channel_id": world.lobby.id, "message": "psst"}}
    with capture_events() as events:
        body = api_as(world.admin).post("posts/ephemeral", payload, status=201)
    assert set(body) >= POST_KEYS
    assert body["type"] == "system_ephemeral"
    assert (body["channel_id"], body["message"]) == (world.lobby.id, "psst")
    assert Post.objects.count() == posts
    (event,) = events
    assert event.event == "ephemeral_message"
    assert event.broadcast.user_id == world.bob.id and not event.broadcast.channel_id
    assert json.loads(event.data["post"])["id"] == body["id"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"user_id": "NOBODY", "post": {"channel_id": "LOBBY", "message": "x"}}, 404),
        ({"user_id": "DAVE", "post": {"channel_id": "SECRET", "message": "x"}}, 404),
        ({"user_id": "BOB", "post": {"channel_id": "LOBBY", "message": ""}}, 400),
        ({"user_id": "BOB", "post": "not an object"}, 400),
    ],
)
def test_bad_ephemeral_posts_are_refused(world: World, api_as, payload, status) -> None:
    names = {
        "NOBODY": new_id(),
        "DAVE": world.dave.id,
        "BOB": world.bob.id,
        "LOBBY": world.lobby.id,
        "SECRET": world.secret.id,
    }
    resolved = json.loads(
        json.dumps(payload),
        object_hook=lambda d: {
            k: names.get(v, v) if isinstance(v, str) else v for k, v in d.items()
        },
    )
    api_as(world.admin).post("posts/ephemeral", resolved, status=status)
