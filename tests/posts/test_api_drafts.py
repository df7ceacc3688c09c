"""Drafts over HTTP (Mattermost's synced drafts): save, list and delete your own drafts,
only where you may post, with each change announced to your own sockets only."""

import json

import pytest
from django.test import override_settings

from apps.channels.services import channel_member_remove
from apps.posts.models import Draft, Post
from apps.posts.services import post_delete
from tests.channels.world import World, build_world, say

pytestmark = pytest.mark.django_db

DRAFT_KEYS = {
    "create_at",
    "update_at",
    "delete_at",
    "user_id",
    "channel_id",
    "root_id",
    "message",
    "props",
    "file_ids",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


def _draft(user_id: str, channel_id: str, message: str, root_id: str = "", **extra) -> dict:
    base = {"user_id": user_id, "channel_id": channel_id, "root_id": root_id, "message": message}
    return base | extra


def _listed(api, world: World, user) -> list[tuple[str, str, str]]:
    body = api.get(f"users/{user.id}/teams/{world.team.id}/drafts")
    return [(d["channel_id"], d["root_id"], d["message"]) for d in body]


def test_a_draft_round_trips_through_save_list_and_delete(
    world: World, api_as, capture_events
) -> None:
    api = api_as(world.alice)
    with capture_events() as events:
        body = api.post(
            "drafts", _draft("me", world.lobby.id, "half a thought", props={"k": 1}), status=201
        )
    assert set(body) == DRAFT_KEYS
    assert (body["user_id"], body["channel_id"], body["root_id"]) == (
        world.alice.id,
        world.lobby.id,
        "",
    )
    assert body["message"] == "half a thought" and body["props"] == {"k": 1}
    (created,) = events.named("draft_created")
    assert created.broadcast.user_id == world.alice.id and not created.broadcast.channel_id
    assert json.loads(created.data["draft"]) == body

    with capture_events() as events:
        body = api.post(
            "drafts", _draft(world.alice.id, world.lobby.id, "a whole thought"), status=201
        )
    (updated,) = events.named("draft_updated")
    assert json.loads(updated.data["draft"])["message"] == "a whole thought"
    assert Draft.objects.filter(user=world.alice).count() == 1
    assert _listed(api, world, world.alice) == [(world.lobby.id, "", "a whole thought")]

    with capture_events() as events:
        assert api.delete(f"users/me/channels/{world.lobby.id}/drafts") == {"status": "OK"}
    assert [e.event for e in events] == ["draft_deleted"]
    assert events[0].broadcast.user_id == world.alice.id
    assert _listed(api, world, world.alice) == []
    # Deleting again is not an error, and announces nothing.
    with capture_events() as events:
        api.delete(f"users/me/channels/{world.lobby.id}/drafts")
    assert list(events) == []


def test_a_thread_draft_is_kept_apart_from_the_channel_draft(world: World, api_as) -> None:
    root = say(world.bob, world.lobby, "a thread")
    reply = Post.objects.create(user=world.bob, channel=world.lobby, root=root, message="r")
    api = api_as(world.alice)
    api.post("drafts", _draft("me", world.lobby.id, "to the channel"), status=201)
    # A draft for a reply is the thread's: it is kept under the root.
    body = api.post("drafts", _draft("me", world.lobby.id, "to the thread", reply.id), status=201)
    assert body["root_id"] == root.id
    assert sorted(_listed(api, world, world.alice)) == sorted(
        [(world.lobby.id, "", "to the channel"), (world.lobby.id, root.id, "to the thread")]
    )
    api.delete(f"users/me/channels/{world.lobby.id}/drafts/{root.id}")
    assert _listed(api, world, world.alice) == [(world.lobby.id, "", "to the channel")]
    api.post("drafts", _draft("me", world.lobby.id, "again", root.id), status=201)
    api.delete(f"users/me/channels/{world.lobby.id}/drafts", root_id=root.id)
    assert _listed(api, world, world.alice) == [(world.lobby.id, "", "to the channel")]


def test_an_emptied_draft_is_deleted(world: World, api_as, capture_events) -> None:
    api = api_as(world.alice)
    api.post("drafts", _draft("me", world.lobby.id, "soon gone"), status=201)
    with capture_events() as events:
        assert api.post("drafts", _draft("me", world.lobby.id, "  \n")) == {"status": "OK"}
    assert [e.event for e in events] == ["draft_deleted"]
    assert not Draft.objects.exists()


def test_only_your_own_drafts_are_written_or_read(world: World, api_as) -> None:
    api_as(world.alice).post("drafts", _draft("me", world.lobby.id, "mine"), status=201)
    bob = api_as(world.bob)
    bob.post("drafts", _draft(world.alice.id, world.lobby.id, "hers"), status=403)
    bob.get(f"users/{world.alice.id}/teams/{world.team.id}/drafts", status=403)
    bob.delete(f"users/{world.alice.id}/channels/{world.lobby.id}/drafts", status=403)
    # Not even a system admin writes someone else's draft.
    api_as(world.admin).post("drafts", _draft(world.alice.id, world.lobby.id, "x"), status=403)
    assert list(Draft.objects.values_list("message", flat=True)) == ["mine"]


@pytest.mark.parametrize(
    ("who", "where", "status"),
    [
        ("dave", "lobby", 403),
        ("dave", "secret", 404),
        ("carol", "dm", 404),
        ("outsider", "lobby", 404),
    ],
)
def test_a_draft_needs_a_channel_you_may_post_in(
    world: World, api_as, who: str, where: str, status: int
) -> None:
    user = getattr(world, who)
    channel = getattr(world, where)
    api_as(user).post("drafts", _draft("me", channel.id, "sneaky"), status=status)
    assert not Draft.objects.exists()


@override_settings(CONFAB_POST_MAX_RUNES=20)
@pytest.mark.parametrize(
    "extra",
    [
        {"message": "x" * 21},
        {"message": 5},
        {"props": ["not", "an", "object"]},
        {"props": {"big": "x" * 20_000}},
        {"file_ids": ["not-an-id"]},
        {"root_id": "not-an-id"},
    ],
)
def test_a_draft_out_of_bounds_is_refused(world: World, api_as, extra: dict) -> None:
    body = _draft("me", world.lobby.id, "ok") | extra
    api_as(world.alice).post("drafts", body, status=400)
    assert not Draft.objects.exists()


def test_a_thread_draft_must_be_in_its_threads_channel(world: World, api_as) -> None:
    elsewhere = say(world.alice, world.town_square, "another channel's thread")
    api_as(world.alice).post("drafts", _draft("me", world.lobby.id, "x", elsewhere.id), status=400)


def test_the_list_holds_the_teams_channels_and_direct_messages_you_still_belong_to(
    world: World, api_as, clock
) -> None:
    alice = api_as(world.alice)
    root = say(world.alice, world.lobby, "a thread that goes away")
    for channel, root_id in [
        (world.lobby, ""),
        (world.secret, ""),
        (world.dm, ""),
        (world.group, ""),
        (world.lobby, root.id),
    ]:
        alice.post("drafts", _draft("me", channel.id, f"in {channel.name}", root_id), status=201)
    listed = {(c, r) for c, r, _m in _listed(alice, world, world.alice)}
    assert listed == {
        (world.lobby.id, ""),
        (world.secret.id, ""),
        (world.dm.id, ""),
        (world.group.id, ""),
        (world.lobby.id, root.id),
    }
    # Not in another team's list (the DM and group ones are in every team's).
    outsider_team = api_as(world.alice).get(
        f"users/me/teams/{world.other_team.id}/drafts", status=404
    )
    assert outsider_team["status_code"] == 404
    channel_member_remove(actor=world.alice, channel_id=world.secret.id, user_id=world.alice.id)
    post_delete(actor=world.alice, post_id=root.id)
    # Newest first.
    assert [c for c, _r, _m in _listed(alice, world, world.alice)] == [
        world.group.id,
        world.dm.id,
        world.lobby.id,
    ]
