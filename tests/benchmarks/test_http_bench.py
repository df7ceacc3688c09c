"""The HTTP benchmarks (`make bench`): the bare ASGI app, the load process's bookkeeping,
the seeded history and the storage arithmetic. Structure only: speed is measured by the
benchmark itself, never asserted here."""

import json
import math

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator

from apps.accounts.services.sessions import session_create
from apps.channels.models import Channel, ChannelMember
from apps.posts.models import Post
from apps.search.models import PostSearchEntry
from apps.teams.services import team_member_add
from bench import echo_app, load_http
from bench import http as bench
from bench.world import World
from tests.factories import UserFactory, make_channel, make_team


def test_the_echo_app_answers_http_with_json():
    async def get() -> list[dict]:
        scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
        app = ApplicationCommunicator(echo_app.app, scope)
        await app.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await app.receive_output(1)
        body = await app.receive_output(1)
        return [start, body]

    start, body = async_to_sync(get)()
    assert start["status"] == 200
    assert (b"content-type", b"application/json") in start["headers"]
    assert json.loads(body["body"]) == {"status": "OK"}


def test_the_echo_app_echoes_websocket_messages():
    async def echo() -> tuple[str, bytes]:
        socket = WebsocketCommunicator(echo_app.app, "/")
        connected, _ = await socket.connect()
        assert connected
        await socket.send_to(text_data="x" * 1024)
        text = await socket.receive_from()
        await socket.send_to(bytes_data=b"\x00\x01")
        data = await socket.receive_output(1)
        await socket.disconnect()
        return text, data["bytes"]

    text, data = async_to_sync(echo)()
    assert text == "x" * 1024
    assert data == b"\x00\x01"


def test_the_recorder_keeps_only_the_window_and_counts_errors():
    recorder = load_http.Recorder(window_start=10.0, window_end=20.0, expect={201})
    recorder.record("post", 9.0, 10.5, 201)  # began in the warm-up
    recorder.record("post", 19.0, 20.5, 201)  # ended after the window
    recorder.record("post", 11.0, 11.004, 201)
    recorder.record("post", 12.0, 12.010, 500, b'{"id": "api.context.app_error"}')
    recorder.record("post", 13.0, 13.001, "ReadTimeout", b"ReadTimeout()")
    assert recorder.total == 5
    assert recorder.latencies == {"post": [4.0]}
    assert recorder.statuses == {"201": 1, "500": 1, "ReadTimeout": 1}
    assert recorder.errors == 2
    assert recorder.error_samples[0].startswith("post: 500 ")


def test_summaries_by_label_and_ratios():
    raw = {
        "duration_s": 2.0,
        "latencies_ms": {"page 0": [1.0, 2.0, 3.0, 4.0], "page 10": [10.0, 20.0]},
        "errors": 1,
        "total_requests": 9,
        "load_cpu_share": 0.5,
    }
    page0 = load_http.summarize(raw, "page 0")
    assert page0["n"] == 4 and page0["per_s"] == 2.0
    assert page0["p50_ms"] == 2.0 and page0["p99_ms"] == 4.0 and page0["max_ms"] == 4.0
    everything = load_http.summarize(raw)
    assert everything["n"] == 6 and everything["per_s"] == 3.0
    assert everything["errors"] == 1 and everything["total_requests"] == 9
    assert math.isnan(load_http.summarize(raw, "missing")["p50_ms"])
    assert load_http.ratio(50.0, 200.0) == 0.25
    assert math.isnan(load_http.ratio(1.0, 0.0))
    assert math.isnan(load_http.ratio(math.nan, 2.0))
    cpu = {"wall_s": 2.0, "server_cpu_s": 1.0, "postgres_cpu_s": 0.5}
    per_request = bench.per_request_cpu(cpu, everything)
    assert per_request["server_cpu_ms_per_request"] == pytest.approx(1000 / 9, abs=0.001)
    assert per_request["server_cpu_share"] == 0.5
    assert per_request["postgres_cpu_share"] == 0.25


def test_the_storage_arithmetic():
    figures = bench.storage_figures(total_bytes=75_000_000, rows=100_000)
    assert figures["bytes_per_post"] == 750.0
    assert figures["projected_posts"] == 1_000_000
    assert figures["projected_mb"] == round(750 * 1_000_000 / 1048576, 1)  # 715.3
    assert math.isnan(bench.storage_figures(total_bytes=0, rows=0)["bytes_per_post"])


def test_cpu_time_is_read_from_proc():
    import os

    assert bench.process_cpu_seconds(os.getpid()) > 0
    assert bench.process_cpu_seconds(os.getpid(), children=True) >= bench.process_cpu_seconds(
        os.getpid()
    )


@pytest.mark.django_db
def test_the_history_is_seeded_once_with_its_counters_right():
    admin = UserFactory(username="benchadmin")
    team = make_team(admin, name="bench")
    channel = make_channel(admin, team, "fanout")
    users = [admin]
    for number in (1, 2, 3):
        user = UserFactory(username=f"bench{number:05d}")
        team_member_add(actor=admin, team_id=team.id, user_id=user.id)
        users.append(user)
    records = [
        {"id": u.id, "username": u.username, "token": session_create(user=u, device_id="t")[1]}
        for u in users
    ]
    world = World(team.id, channel.id, records)

    seeded = bench.seed_history(world, 300)
    history = Channel.objects.get(id=seeded["channel_id"])
    posts = Post.objects.filter(channel=history, type="")
    assert seeded["posts"] == posts.count() == 300
    assert PostSearchEntry.objects.filter(channel=history).count() == 300
    readers = {r["id"] for r in records[1:]}
    assert readers <= set(
        ChannelMember.objects.filter(channel=history).values_list("user_id", flat=True)
    )

    # Oldest first, replies after their roots, and every counter as post_create keeps it.
    ordered = list(posts.order_by("create_at", "id"))
    by_id = {p.id: p for p in ordered}
    replies = [p for p in ordered if p.root_id]
    assert 0 < len(replies) < 150
    for reply in replies:
        assert by_id[reply.root_id].create_at < reply.create_at
    for root in (p for p in ordered if p.root_id is None):
        mine = [r for r in replies if r.root_id == root.id]
        assert root.reply_count == len(mine)
        assert root.last_reply_at == max((r.create_at for r in mine), default=0)
    everything = Post.objects.filter(channel=history)
    counted = everything.exclude(type__startswith="system_join")
    assert history.total_msg_count == counted.count()
    assert history.total_msg_count_root == counted.filter(root__isnull=True).count()
    assert history.last_post_at == max(p.create_at for p in everything)
    member = ChannelMember.objects.get(channel=history, user_id=records[1]["id"])
    assert member.msg_count == history.total_msg_count

    again = bench.seed_history(world, 300)
    assert again["channel_id"] == history.id and again["seeded_s"] == 0.0
    assert Post.objects.filter(channel=history, type="").count() == 300

    requests = bench._history_requests(history.id, 300)
    assert [r["label"] for r in requests["page0"]] == ["page 0"]
    assert {r["label"] for r in requests["variants"]} == {"page 10", "page 100", "before=middle"}
    storage = bench.measure_storage()
    if storage is not None:  # PostgreSQL
        assert storage["posts_post"]["rows"] >= 300
        assert storage["posts_post"]["bytes"] >= storage["posts_post"]["heap_bytes"]
        assert storage["search_postsearchentry"]["rows"] >= 300
