"""`posted` tells each recipient about their own mention only (MATTERMOST_API.md §b.5):
a mentioned user finds just their id in `mentions`, everyone else finds no `mentions`;
the event is still serialized once, plus one small variant per mentioned user."""

import json

import pytest

from apps.accounts.models import Session
from apps.channels.services import channel_member_add
from apps.core.timeutils import now_ms
from apps.posts.services import post_create
from apps.realtime import publish
from apps.realtime.publish import Broadcast, Event
from apps.realtime.services import session_touch_many
from apps.realtime.transport import decode, encode, envelope_for, frame_for
from tests.realtime.conftest import Socket, World, db, run

pytestmark = pytest.mark.django_db(transaction=True)


async def _sockets(world: World, *users) -> list[Socket]:
    sockets = [Socket(world.token(u)) for u in users]
    for socket in sockets:
        await socket.ready()
    for socket in sockets:
        await socket.sync()
    return sockets


def test_each_recipient_sees_only_their_own_mention(world: World) -> None:
    channel_member_add(actor=world.alice, channel_id=world.channel.id, user_id=world.carol.id)

    async def scenario() -> None:
        alice, bob, bob_again, carol = await _sockets(
            world, world.alice, world.bob, world.bob, world.carol
        )
        post = await db(post_create)(actor=world.alice, channel=world.channel, message="hi @bob")
        for socket in (bob, bob_again):
            posted = await socket.event("posted")
            assert json.loads(posted["data"]["post"])["id"] == post.id
            assert json.loads(posted["data"]["mentions"]) == [world.bob.id]
        for socket in (alice, carol):  # the author's copy, and a member not mentioned
            posted = await socket.event("posted")
            assert json.loads(posted["data"]["post"])["id"] == post.id
            assert "mentions" not in posted["data"]
            assert world.bob.id not in json.dumps(posted["data"])

        await db(post_create)(
            actor=world.alice, channel=world.channel, message="@bob and @carol, look"
        )
        assert json.loads((await bob.event("posted"))["data"]["mentions"]) == [world.bob.id]
        carols = await carol.event("posted")
        assert json.loads(carols["data"]["mentions"]) == [world.carol.id]
        assert world.bob.id not in json.dumps(carols["data"])
        assert "mentions" not in (await alice.event("posted"))["data"]

    run(scenario)


def test_mentions_are_serialized_once_per_mentioned_user_at_most(world: World, monkeypatch) -> None:
    from apps.realtime import transport

    calls = []

    def counting_dumps(value):
        calls.append(value)
        return real_dumps(value)

    real_dumps = transport.dumps
    monkeypatch.setattr(transport, "dumps", counting_dumps)
    channel_member_add(actor=world.alice, channel_id=world.channel.id, user_id=world.carol.id)

    async def scenario() -> None:
        sockets = await _sockets(world, world.alice, world.bob, world.bob, world.carol, world.carol)
        calls.clear()
        data = {"post": "{}", "mentions": json.dumps([world.bob.id, world.carol.id])}
        await db(publish._send)(Event("posted", data, Broadcast(channel_id=world.channel.id)))
        frames = [await socket.event("posted") for socket in sockets]
        # The whole event once; then only each mentioned user's small list (and its string).
        assert len([c for c in calls if isinstance(c, dict) and "event" in c]) == 1
        assert sorted(c for c in calls if isinstance(c, list)) == sorted(
            [[world.bob.id], [world.carol.id]]
        )
        assert [f["data"].get("mentions") for f in frames] == [
            None,
            f'["{world.bob.id}"]',
            f'["{world.bob.id}"]',
            f'["{world.carol.id}"]',
            f'["{world.carol.id}"]',
        ]

    run(scenario)


def test_the_envelope_carries_every_mention_but_the_frame_none() -> None:
    event = Event(
        "posted",
        {"post": "{}", "mentions": json.dumps(["u1", "u2"])},
        Broadcast(channel_id="c1"),
    )
    envelope = envelope_for(event)
    assert envelope.mentions == frozenset({"u1", "u2"})
    assert "mentions" not in json.loads(envelope.frame)["data"]
    assert "u1" not in envelope.frame
    assert decode(encode(envelope)) == envelope
    mine = json.loads(frame_for(envelope, "u1"))
    assert json.loads(mine["data"]["mentions"]) == ["u1"]
    assert mine["data"]["post"] == "{}"
    assert mine["broadcast"] == json.loads(envelope.frame)["broadcast"]
    assert frame_for(envelope, "u3") == envelope.frame
    # An event without mentions, or another event's `mentions`, is left as it is.
    assert envelope_for(Event("posted", {"post": "{}"}, Broadcast(channel_id="c1"))).mentions == (
        frozenset()
    )
    other = envelope_for(Event("custom", {"mentions": "[]"}, Broadcast(channel_id="c1")))
    assert json.loads(other.frame)["data"] == {"mentions": "[]"}


# --- an open socket keeps its session from idle expiry -------------------------------------


def test_upkeep_touches_sessions_with_open_sockets(world: World, settings) -> None:
    settings.CONFAB_SESSION_IDLE_SECONDS = 3600
    long_ago = now_ms() - 3000 * 1000  # past half the idle limit
    Session.objects.update(last_activity_at=long_ago)

    async def scenario() -> None:
        from apps.realtime.hub import current_hub

        await _sockets(world, world.bob)
        hub = current_hub()
        assert hub is not None
        await hub.maintain()

    run(scenario)
    touched = dict(Session.objects.values_list("user_id", "last_activity_at"))
    assert touched[world.bob.id] > now_ms() - 60_000
    assert touched[world.alice.id] == long_ago  # no socket open
    assert touched[world.carol.id] == long_ago


def test_recently_used_sessions_are_not_rewritten(world: World, settings) -> None:
    settings.CONFAB_SESSION_IDLE_SECONDS = 3600
    recent = now_ms() - 600 * 1000  # used ten minutes ago: presence must still see that
    Session.objects.update(last_activity_at=recent)

    async def scenario() -> None:
        from apps.realtime.hub import current_hub

        await _sockets(world, world.bob)
        await current_hub().maintain()

    run(scenario)
    assert Session.objects.get(user=world.bob).last_activity_at == recent


def test_session_touch_many_ignores_access_tokens_and_fresh_sessions(world: World) -> None:
    from apps.accounts.services.sessions import user_access_token_create

    row, _token = user_access_token_create(actor=world.alice, user=world.alice, description="x")
    old = now_ms() - 10_000_000
    Session.objects.filter(user=world.bob).update(last_activity_at=old)
    ids = set(Session.objects.values_list("id", flat=True)) | {row.id}
    assert session_touch_many(session_ids=ids, older_than=now_ms() - 5_000_000) == 1
    assert Session.objects.get(user=world.bob).last_activity_at > old
    assert session_touch_many(session_ids=[], older_than=now_ms()) == 0
