"""Real sockets against a real daphne serving Confab (embedded mode): what a Mattermost
client sees on the wire, sign-out closing the socket (SECURITY 10), and a client that
stops reading being dropped (SECURITY 24)."""

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from apps.core.ids import new_id
from apps.realtime.events import CLOSE_UNAUTHENTICATED
from tests.realtime.conftest import build_world

pytestmark = [pytest.mark.slow]


def ws_url(live_server_url: str) -> str:
    return live_server_url.replace("http://", "ws://") + "/api/v4/websocket"


async def open_socket(url: str, token: str | None = None, **kwargs: Any) -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return await connect(url, additional_headers=headers, proxy=None, open_timeout=10, **kwargs)


async def next_frame(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def until(ws: ClientConnection, predicate, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = await next_frame(ws, max(0.01, deadline - time.monotonic()))
        if predicate(frame):
            return frame


@pytest.fixture
def run() -> Iterator[Any]:
    """Run coroutines on one loop in this thread, with database work in between."""
    with asyncio.Runner() as runner:
        yield runner.run


def test_header_and_challenge_authentication_on_the_wire(live_server_url, run) -> None:
    world = build_world()
    url = ws_url(live_server_url)

    async def scenario() -> None:
        by_header = await open_socket(url, world.token(world.alice))
        hello = await next_frame(by_header)
        assert (hello["event"], hello["seq"]) == ("hello", 0)
        assert hello["broadcast"]["user_id"] == world.alice.id

        by_challenge = await open_socket(url)
        await by_challenge.send(
            json.dumps(
                {
                    "seq": 1,
                    "action": "authentication_challenge",
                    "data": {"token": world.token(world.bob)},
                }
            )
        )
        first, second = await next_frame(by_challenge), await next_frame(by_challenge)
        assert (first["event"], first["seq"]) == ("hello", 0)
        assert second == {"status": "OK", "seq_reply": 1}
        # Clients keep the socket alive with unsolicited pongs.
        await by_challenge.pong(b"keepalive")
        await by_challenge.send(json.dumps({"seq": 2, "action": "ping"}))
        pong = await until(by_challenge, lambda f: f.get("seq_reply") == 2)
        assert pong["data"]["text"] == "pong"
        await by_header.close()
        await by_challenge.close()

    run(scenario())


def test_a_bad_token_is_refused_or_closed(live_server_url, run) -> None:
    url = ws_url(live_server_url)

    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await open_socket(url, "no-such-token")
        assert refused.value.response.status_code == 403

        ws = await open_socket(url)
        await ws.send(
            json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": "x"}})
        )
        with pytest.raises(ConnectionClosed):
            await next_frame(ws)
        assert ws.close_code == CLOSE_UNAUTHENTICATED

    run(scenario())


def test_a_foreign_origin_is_refused(live_server_url, run) -> None:
    world = build_world()

    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await open_socket(
                ws_url(live_server_url), world.token(world.alice), origin="https://evil.example"
            )
        assert refused.value.response.status_code == 403

    run(scenario())


def test_signing_out_closes_that_sessions_socket_within_a_second(live_server_url, run) -> None:
    world = build_world()
    url = ws_url(live_server_url)
    bob = run(open_socket(url, world.token(world.bob)))
    alice = run(open_socket(url, world.token(world.alice)))
    run(next_frame(bob))
    run(next_frame(alice))

    response = requests.post(
        f"{live_server_url}/api/v4/users/logout",
        headers={"Authorization": f"Bearer {world.token(world.bob)}"},
        timeout=10,
    )
    assert response.status_code == 200
    started = time.monotonic()

    async def closed() -> None:
        with pytest.raises(ConnectionClosed):
            while True:
                await next_frame(bob, timeout=2)

    run(closed())
    assert time.monotonic() - started < 1.5
    assert bob.close_code == CLOSE_UNAUTHENTICATED
    # Alice's socket is untouched.
    run(alice.send(json.dumps({"seq": 1, "action": "ping"})))
    assert run(until(alice, lambda f: f.get("seq_reply") == 1))["status"] == "OK"
    run(alice.close())


@pytest.fixture
def small_send_limits(settings) -> None:
    """Smaller per-socket limits for the server (set before it forks)."""
    settings.CONFAB_WEBSOCKET_SEND_QUEUE_BYTES = 1024 * 1024
    settings.CONFAB_WEBSOCKET_SEND_BUFFER_BYTES = 64 * 1024


def test_a_client_that_stops_reading_is_dropped(small_send_limits, live_server_url, run) -> None:
    world = build_world()
    url = ws_url(live_server_url)
    # A small receive buffer, so the server's side fills up soon.
    sock = socket.create_connection(("127.0.0.1", int(live_server_url.rsplit(":", 1)[1])))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ids = [new_id() for _ in range(1000)]  # each answer is about 40 kB

    async def scenario() -> tuple[int, int]:
        ws = await open_socket(
            url, world.token(world.bob), sock=sock, max_queue=1, compression=None
        )
        await next_frame(ws)  # hello; from now on the client reads nothing
        sent = 0
        for n in range(400):
            try:
                await asyncio.wait_for(
                    ws.send(
                        json.dumps(
                            {
                                "seq": n + 1,
                                "action": "get_statuses_by_ids",
                                "data": {"user_ids": ids},
                            }
                        )
                    ),
                    5,
                )
            except (ConnectionClosed, TimeoutError):
                break
            sent += 1
        # Now read: the server must have given up on this socket.
        received = 0
        with pytest.raises(ConnectionClosed):
            while True:
                await next_frame(ws, timeout=10)
                received += 1
        return sent, received

    sent, received = run(scenario())
    # Most answers were never delivered: the server dropped them with the socket.
    assert received < sent / 2


def test_a_socket_killed_mid_stream_resumes_without_gap_or_duplicate(live_server_url, run) -> None:
    """SECURITY 22 on the wire: posts keep coming while the client's TCP connection dies;
    reconnecting with `connection_id` and `sequence_number` delivers every post once, with
    consecutive numbers across both sockets."""
    world = build_world()
    url = ws_url(live_server_url)
    api = f"{live_server_url}/api/v4"
    alice_auth = {"Authorization": f"Bearer {world.token(world.alice)}"}
    bob_auth = {"Authorization": f"Bearer {world.token(world.bob)}"}

    def create_post(n: int) -> str:
        response = requests.post(
            f"{api}/posts",
            json={"channel_id": world.channel.id, "message": f"tick {n}"},
            headers=alice_auth,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def bob_status() -> str:
        response = requests.get(f"{api}/users/{world.bob.id}/status", headers=bob_auth, timeout=10)
        return response.json()["status"]

    async def post_many(count: int) -> list[str]:
        ids = []
        for n in range(count):
            ids.append(await asyncio.to_thread(create_post, n))
            await asyncio.sleep(0.02)
        return ids

    async def scenario() -> None:
        frames: list[dict[str, Any]] = []
        ws = await open_socket(url, world.token(world.bob))
        hello = await next_frame(ws)
        frames.append(hello)
        poster = asyncio.create_task(post_many(30))
        while sum(f.get("event") == "posted" for f in frames) < 5:
            frames.append(await next_frame(ws))
        ws.transport.abort()  # no close handshake: the network just went away
        await asyncio.wait_for(ws.wait_closed(), 5)
        deadline = time.monotonic() + 10
        while await asyncio.to_thread(bob_status) != "offline":
            assert time.monotonic() < deadline, "the server never noticed the drop"
            await asyncio.sleep(0.05)

        next_seq = frames[-1]["seq"] + 1
        resumed = await connect(
            f"{url}?connection_id={hello['data']['connection_id']}&sequence_number={next_seq}",
            additional_headers={"Authorization": f"Bearer {world.token(world.bob)}"},
            proxy=None,
            open_timeout=10,
        )
        posted = await poster
        while set(posted) - {json.loads(f["data"]["post"])["id"] for f in _posted(frames)}:
            frame = await next_frame(resumed)
            assert frame.get("event") != "hello", "the connection was not resumed"
            frames.append(frame)
        await resumed.close()

        seqs = [f["seq"] for f in frames]
        assert seqs == list(range(len(frames)))
        received = [json.loads(f["data"]["post"])["id"] for f in _posted(frames)]
        assert received == posted

    run(scenario())


def _posted(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("event") == "posted"]


def test_frames_of_every_length_encoding_arrive_intact(live_server_url, run) -> None:
    """Under daphne the hub writes frames itself (RFC 6455 §5.2, one `send` when the
    socket is idle): a reply under 126 bytes, a post under 64 KiB and one over it use
    the three length encodings, and each arrives whole and in order."""
    world = build_world()
    url = ws_url(live_server_url)
    alice_auth = {"Authorization": f"Bearer {world.token(world.alice)}"}
    # Control characters take seven bytes each on the wire (JSON inside JSON).
    messages = ["short", "é" * 2000, "\u0001" * 10000 + "end"]

    def create_post(message: str) -> None:
        response = requests.post(
            f"{live_server_url}/api/v4/posts",
            json={"channel_id": world.channel.id, "message": message},
            headers=alice_auth,
            timeout=10,
        )
        assert response.status_code == 201, response.text[:200]

    async def scenario() -> None:
        ws = await open_socket(url, world.token(world.bob))
        await next_frame(ws)  # hello
        await ws.send(json.dumps({"seq": 7, "action": "ping"}))
        pong = await until(ws, lambda f: f.get("seq_reply") == 7)
        assert len(json.dumps(pong, separators=(",", ":"))) < 126
        sizes, received = [], []
        for message in messages:
            await asyncio.to_thread(create_post, message)
            raw = await asyncio.wait_for(ws.recv(), 5)
            frame = json.loads(raw)
            while frame.get("event") != "posted":
                raw = await asyncio.wait_for(ws.recv(), 5)
                frame = json.loads(raw)
            sizes.append(len(raw.encode()))
            received.append(json.loads(frame["data"]["post"])["message"])
        await ws.close()
        assert received == messages
        assert 126 <= sizes[0] < 65536 and 126 <= sizes[1] < 65536 and sizes[2] >= 65536

    run(scenario())
