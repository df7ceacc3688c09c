"""Several server processes share one Redis: an event published in any process reaches the
sockets on every process, each hub holding one subscription. Two real daphne processes,
real sockets; CI runs these against its Redis (REDIS_URL)."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed

from apps.accounts.models import Status
from apps.channels.services import channel_member_add
from apps.core.ids import new_id
from apps.posts.services import post_create
from apps.realtime.events import CLOSE_UNAUTHENTICATED
from tests.conftest import _application, _forget_inherited_connections
from tests.realtime.conftest import build_world
from tests.realtime.test_live import next_frame, open_socket, until, ws_url

pytestmark = [pytest.mark.slow, pytest.mark.services]


@pytest.fixture
def run() -> Iterator[Any]:
    with asyncio.Runner() as runner:
        yield runner.run


@pytest.fixture
def servers(settings, redis_url, transactional_db) -> Iterator[list[str]]:
    """Two daphne processes whose hubs meet on Redis (a channel of this test's own)."""
    from daphne.testing import DaphneProcess

    settings.CONFAB_REALTIME_REDIS_URL = redis_url
    settings.CONFAB_REALTIME_REDIS_CHANNEL = f"confab:test:{new_id()}"
    processes = []
    try:
        for _ in range(2):
            process = DaphneProcess("127.0.0.1", _application, setup=_forget_inherited_connections)
            process.start()
            processes.append(process)
            if not process.ready.wait(timeout=20):
                pytest.fail("A live server did not start.")
        yield [f"http://127.0.0.1:{p.port.value}" for p in processes]
    finally:
        for process in processes:
            process.terminate()
            process.join(timeout=10)


def _named(frames: list[dict], name: str) -> list[dict]:
    return [f for f in frames if f.get("event") == name]


async def _sync(ws, seq: int) -> list[dict]:
    """Frames received before the answer to a ping with this seq."""
    await ws.send(json.dumps({"seq": seq, "action": "ping"}))
    frames = []
    while True:
        frame = await next_frame(ws)
        if frame.get("seq_reply") == seq:
            return frames
        frames.append(frame)


def test_a_post_reaches_members_on_every_process(servers, run) -> None:
    world = build_world()
    one, two = (ws_url(s) for s in servers)
    alice = run(open_socket(one, world.token(world.alice)))
    bob = run(open_socket(two, world.token(world.bob)))
    carol = run(open_socket(two, world.token(world.carol)))
    for ws in (alice, bob, carol):
        assert run(next_frame(ws))["event"] == "hello"

    # Published by this process (as a Celery task or another server would), through Redis.
    post = post_create(actor=world.alice, channel=world.channel, message="across processes")

    def is_post(frame: dict) -> bool:
        return frame.get("event") == "posted" and json.loads(frame["data"]["post"])["id"] == post.id

    for ws in (alice, bob):
        posted = run(until(ws, is_post))
        assert posted["data"]["sender_name"] == "@alice"
        assert "mentions" not in posted["data"]
    # Carol's socket is on the same process as Bob's, which has delivered the post: had
    # she been a recipient, it would be queued before the answer to her ping.
    assert not [f for f in run(_sync(carol, 1)) if is_post(f)]
    for ws in (alice, bob, carol):
        run(ws.close())


def test_typing_and_sign_out_cross_processes(servers, run) -> None:
    world = build_world()
    one, two = (ws_url(s) for s in servers)
    alice = run(open_socket(one, world.token(world.alice)))
    bob = run(open_socket(two, world.token(world.bob)))
    for ws in (alice, bob):
        assert run(next_frame(ws))["event"] == "hello"

    run(
        bob.send(
            json.dumps(
                {"seq": 1, "action": "user_typing", "data": {"channel_id": world.channel.id}}
            )
        )
    )
    typing = run(until(alice, lambda f: f.get("event") == "typing"))
    assert typing["data"]["user_id"] == world.bob.id
    assert _named(run(_sync(bob, 2)), "typing") == []

    # Bob signs out through server one; his socket on server two closes.
    response = requests.post(
        f"{servers[0]}/api/v4/users/logout",
        headers={"Authorization": f"Bearer {world.token(world.bob)}"},
        timeout=10,
    )
    assert response.status_code == 200

    async def closed() -> None:
        with pytest.raises(ConnectionClosed):
            while True:
                await next_frame(bob, timeout=3)

    run(closed())
    assert bob.close_code == CLOSE_UNAUTHENTICATED
    run(alice.close())


def _status(user) -> str:
    row = Status.objects.filter(user=user).first()
    return row.status if row else "offline"


def test_a_user_stays_online_while_a_socket_is_open_on_any_process(servers, run) -> None:
    world = build_world()
    one, two = (ws_url(s) for s in servers)
    alice = run(open_socket(one, world.token(world.alice)))
    run(next_frame(alice))
    first = run(open_socket(one, world.token(world.bob)))
    second = run(open_socket(two, world.token(world.bob)))
    run(next_frame(first))
    run(next_frame(second))
    assert _status(world.bob) == "online"

    def went_offline(frame: dict) -> bool:
        return frame.get("event") == "status_change" and frame["data"] == {
            "status": "offline",
            "user_id": world.bob.id,
        }

    run(first.close())
    frames = run(_sync(alice, 1))
    run(asyncio.sleep(0.3))  # time for server one to handle the close
    frames += run(_sync(alice, 2))
    assert _status(world.bob) == "online"
    assert not [f for f in frames if f.get("event") == "status_change" and went_offline(f)]

    run(second.close())
    run(until(alice, went_offline))
    assert _status(world.bob) == "offline"
    run(alice.close())


def test_mentions_cross_processes_each_recipient_seeing_only_their_own(servers, run) -> None:
    world = build_world()
    channel_member_add(actor=world.alice, channel_id=world.channel.id, user_id=world.carol.id)
    one, two = (ws_url(s) for s in servers)
    alice = run(open_socket(one, world.token(world.alice)))
    bob = run(open_socket(one, world.token(world.bob)))
    carol = run(open_socket(two, world.token(world.carol)))
    for ws in (alice, bob, carol):
        assert run(next_frame(ws))["event"] == "hello"

    post = post_create(actor=world.alice, channel=world.channel, message="@bob @carol hi")

    def is_post(frame: dict) -> bool:
        return frame.get("event") == "posted" and json.loads(frame["data"]["post"])["id"] == post.id

    assert "mentions" not in run(until(alice, is_post))["data"]
    assert run(until(bob, is_post))["data"]["mentions"] == f'["{world.bob.id}"]'
    assert run(until(carol, is_post))["data"]["mentions"] == f'["{world.carol.id}"]'
    for ws in (alice, bob, carol):
        run(ws.close())
