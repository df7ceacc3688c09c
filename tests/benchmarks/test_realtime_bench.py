"""The realtime benchmark (`make bench`): how its load reads frames, how it counts, and a
tiny fan-out against a live server. Structure only: speed is measured by the benchmark
itself, never asserted here."""

import json

import pytest

from apps.accounts.services.sessions import session_create
from apps.channels.services import channel_member_add
from apps.posts.services import post_create
from apps.realtime.connection import _with_seq
from apps.realtime.transport import envelope_for
from apps.teams.services import team_member_add
from bench import load_ws
from bench import realtime as bench
from bench.harness import summary_ms
from bench.world import World
from tests.factories import UserFactory, make_channel, make_team


def _posted_frame(capture_events, message: str) -> bytes:
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    team = make_team(alice)
    team_member_add(actor=alice, team_id=team.id, user_id=bob.id)
    channel = make_channel(alice, team, "fanout")
    channel_member_add(actor=alice, channel_id=channel.id, user_id=bob.id)
    with capture_events() as events:
        post_create(actor=alice, channel=channel, message=message)
    envelope = envelope_for(events.named("posted")[-1])
    return _with_seq(envelope.frame, 7).encode()


@pytest.mark.django_db
def test_the_marker_is_read_from_a_real_posted_frame(capture_events):
    frame = _posted_frame(capture_events, "bench ab12cd34 42")
    assert load_ws.marker_seq(frame, b"bench ab12cd34 ") == 42
    assert load_ws.posted_seq(frame, "bench ab12cd34 ") == 42
    # Another run's marker, another event, a frame that is not JSON: not ours.
    assert load_ws.marker_seq(frame, b"bench ffffffff ") is None
    assert load_ws.posted_seq(frame, "bench ffffffff ") is None
    hello = b'{"event":"hello","data":{},"broadcast":{},"seq":0}'
    assert load_ws.marker_seq(hello, b"bench ab12cd34 ") is None
    assert load_ws.posted_seq(b"not json", "bench ") is None


def test_the_fast_path_agrees_with_the_json_one():
    for message in ("bench r1 0", "bench r1 149", "bench r1 x", "hello bench r1 7", "bench r1 "):
        post = json.dumps({"id": "p", "message": message})
        frame = json.dumps(
            {"event": "posted", "data": {"post": post}, "seq": 3}, separators=(",", ":")
        ).encode()
        slow = load_ws.posted_seq(frame, "bench r1 ")
        fast = load_ws.marker_seq(frame, b"bench r1 ")
        if message.startswith("bench r1 "):
            assert fast == slow
        assert slow in (None, 0, 149)


class _FakeClient:
    def __init__(self, received: dict[int, float], duplicates: int = 0) -> None:
        self.received = received
        self.duplicates = duplicates
        self.sample = None


def test_latencies_count_the_lost_and_the_late():
    sent = {0: 100.0, 1: 100.2}
    clients = [
        _FakeClient({0: 100.010, 1: 100.230}),
        _FakeClient({0: 100.020}, duplicates=1),  # lost seq 1
        _FakeClient({0: 100.005, 1: 100.205, 9: 101.0}),  # 9 was never sent as far as we know
    ]
    samples, counts = load_ws.latencies(clients, sent, "bench r ")
    assert sorted(samples) == pytest.approx([5.0, 5.0, 10.0, 20.0, 30.0])
    assert counts == {
        "received": 5,
        "lost": 1,
        "duplicates": 1,
        "unexpected": 1,
        "misparsed": 0,
    }
    summary = summary_ms(samples)
    assert summary["n"] == 5 and summary["p50"] == 10.0 and summary["max"] == 30.0


def test_clients_are_dealt_evenly():
    assert bench.split(list(range(7)), 2) == [[0, 2, 4, 6], [1, 3, 5]]
    assert bench.loaders_for(1) == bench.loaders_for(bench.CLIENTS_PER_LOADER) == 1
    assert bench.loaders_for(bench.CLIENTS_PER_LOADER + 1) == 2


def _live_world(users: int) -> World:
    people = [UserFactory(username=f"bench{n:05d}") for n in range(users + 1)]
    admin = people[0]
    team = make_team(admin)
    channel = make_channel(admin, team, "fanout")
    for user in people[1:]:
        team_member_add(actor=admin, team_id=team.id, user_id=user.id)
        channel_member_add(actor=admin, channel_id=channel.id, user_id=user.id)
    records = [
        {"id": u.id, "username": u.username, "token": session_create(user=u)[1]} for u in people
    ]
    return World(team.id, channel.id, records)


@pytest.mark.slow
def test_a_tiny_fanout_against_a_live_server(live_server_url):
    world = _live_world(4)  # three clients, one sender
    ws_url = live_server_url.replace("http://", "ws://") + "/api/v4/websocket"
    figures = bench.fanout(
        world, ws_urls=[ws_url], http_url=live_server_url, clients=3, duration=1, grace=3
    )
    assert figures["connected"] == 3 and figures["connect_failures"] == 0
    assert figures["posts"] == 5 and figures["post_failures"] == 0
    assert figures["expected"] == 15
    assert figures["received"] + figures["lost"] == figures["expected"]
    assert figures["latency_ms"]["n"] == figures["received"]
    assert figures["misparsed"] == 0 and figures["duplicates"] == 0
    assert figures["rest_ms"]["n"] == 5
    assert figures["server_cpu_us_per_delivery"] is None  # no pid for this server
    row = bench.fanout_row("fan-out", figures)
    assert row[:3] == ["fan-out", 3, 1]
