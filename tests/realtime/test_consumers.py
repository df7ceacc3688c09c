"""The WebSocket protocol at /api/v4/websocket, through Channels' communicator: the
consumer and the hub run in the test process (embedded mode)."""

import pytest

from apps.realtime.events import CLOSE_FRAME_TOO_BIG, CLOSE_UNAUTHENTICATED
from tests.realtime.conftest import Socket, World, run

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bearer_token_on_the_upgrade_gets_hello_first_with_seq_0(world: World) -> None:
    async def scenario() -> None:
        socket = Socket(world.token(world.alice))
        hello = await socket.open_with_hello()
        assert set(hello["data"]) == {"server_version", "connection_id", "server_hostname"}
        assert len(hello["data"]["connection_id"]) == 26
        assert hello["broadcast"]["user_id"] == world.alice.id
        online = await socket.event("status_change")
        assert online["data"] == {"status": "online", "user_id": world.alice.id}
        assert online["seq"] == 1
        assert await socket.nothing()
        await socket.close()

    run(scenario)


def test_the_trailing_slash_is_optional(world: World) -> None:
    async def scenario() -> None:
        socket = Socket(world.token(world.alice), path="/api/v4/websocket/")
        await socket.open_with_hello()
        await socket.close()

    run(scenario)


def test_an_authentication_challenge_gets_hello_then_ok(world: World) -> None:
    async def scenario() -> None:
        socket = Socket()
        connected, _ = await socket.open()
        assert connected
        assert await socket.nothing()
        seq = await socket.challenge(world.token(world.bob))
        hello = await socket.frame()
        assert (hello["event"], hello["seq"]) == ("hello", 0)
        assert hello["broadcast"]["user_id"] == world.bob.id
        assert await socket.frame() == {"status": "OK", "seq_reply": seq}
        await socket.event("status_change")
        # A second challenge on an authenticated socket is ignored, as in Mattermost.
        await socket.challenge(world.token(world.bob))
        assert await socket.nothing()
        await socket.close()

    run(scenario)


def test_a_bad_token_on_the_upgrade_is_refused(world: World) -> None:
    async def scenario() -> None:
        connected, _ = await Socket("not-a-token").open()
        assert not connected

    run(scenario)


@pytest.mark.parametrize("token", ["not-a-token", "", None, 42])
def test_a_bad_challenge_token_closes_the_socket(world: World, token) -> None:
    async def scenario() -> None:
        socket = Socket()
        await socket.open()
        await socket.act("authentication_challenge", {"token": token})
        assert await socket.closed() == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_actions_before_authentication_fail_with_401(world: World) -> None:
    async def scenario() -> None:
        socket = Socket()
        await socket.open()
        seq = await socket.act("get_statuses")
        reply = await socket.frame()
        assert reply["status"] == "FAIL" and reply["seq_reply"] == seq
        assert reply["error"]["status_code"] == 401
        assert "seq" not in reply
        await socket.close()

    run(scenario)


def test_malformed_requests_are_answered_with_fail_not_a_crash(world: World) -> None:
    async def scenario() -> None:
        socket = Socket(world.token(world.alice))
        await socket.ready()
        await socket.communicator.send_to(text_data="{not json")
        assert (await socket.frame())["error"]["status_code"] == 400
        await socket.send([1, 2, 3])
        assert (await socket.frame())["error"]["status_code"] == 400
        await socket.send({"action": "get_statuses"})  # no seq
        assert (await socket.frame())["error"]["id"] == "api.web_socket_router.bad_seq.app_error"
        await socket.send({"seq": 7, "action": "no_such_action"})
        reply = await socket.frame()
        assert (reply["status"], reply["seq_reply"]) == ("FAIL", 7)
        assert reply["error"]["status_code"] == 501
        await socket.send({"seq": 8, "action": "get_statuses_by_ids", "data": "x"})
        assert (await socket.frame())["error"]["status_code"] == 400
        await socket.send({"seq": 9, "action": "get_statuses_by_ids", "data": {"user_ids": 5}})
        assert (await socket.frame())["error"]["status_code"] == 400
        # Still serving after all that.
        seq = await socket.act("ping")
        reply = await socket.frame()
        assert reply["status"] == "OK" and reply["seq_reply"] == seq
        assert reply["data"]["text"] == "pong"
        await socket.close()

    run(scenario)


def test_an_oversized_frame_closes_the_socket(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_MAX_FRAME_BYTES = 1024

    async def scenario() -> None:
        socket = Socket(world.token(world.alice))
        await socket.ready()
        await socket.send({"seq": 1, "action": "ping", "data": {"pad": "x" * 2000}})
        assert await socket.closed() == CLOSE_FRAME_TOO_BIG

    run(scenario)


def test_statuses_by_ids_answer_every_id_unknown_ones_offline(world: World) -> None:
    async def scenario() -> None:
        socket = Socket(world.token(world.alice))
        await socket.ready()
        unknown = "x" * 26
        seq = await socket.act(
            "get_statuses_by_ids", {"user_ids": [world.alice.id, world.bob.id, unknown]}
        )
        reply = await socket.reply(seq)
        assert reply["data"] == {
            world.alice.id: "online",
            world.bob.id: "offline",
            unknown: "offline",
        }
        seq = await socket.act("get_statuses_by_ids", {"user_ids": ["y" * 26] * 1001})
        assert (await socket.reply(seq))["error"]["status_code"] == 400
        await socket.close()

    run(scenario)


def test_get_statuses_lists_teammates_who_are_not_offline(world: World) -> None:
    async def scenario() -> None:
        alice, bob = Socket(world.token(world.alice)), Socket(world.token(world.bob))
        await alice.ready()
        await bob.ready()
        seq = await alice.act("get_statuses")
        reply = await alice.reply(seq)
        assert reply["data"] == {world.alice.id: "online", world.bob.id: "online"}
        await alice.close()
        await bob.close()

    run(scenario)


def test_a_socket_that_never_authenticates_is_closed(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_AUTH_TIMEOUT_SECONDS = 0.1

    async def scenario() -> None:
        socket = Socket()
        connected, _ = await socket.open()
        assert connected
        assert await socket.closed() == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_the_mmauthtoken_cookie_authenticates_too(world: World) -> None:
    async def scenario() -> None:
        cookie = f"MMAUTHTOKEN={world.token(world.carol)}".encode()
        socket = Socket(headers=[(b"cookie", cookie)])
        hello = await socket.open_with_hello()
        assert hello["broadcast"]["user_id"] == world.carol.id
        await socket.close()

    run(scenario)
