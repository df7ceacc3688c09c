"""The WebSocket route and its Origin check: a present Origin must be an allowed host
(cross-site WebSocket hijacking), an absent one is fine (Mattermost's clients send none)."""

import pytest

from tests.realtime.conftest import Socket, World, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),
        (b"http://localhost:8065", True),
        (b"https://chat.example.com", True),
        (b"https://evil.example", False),
        (b"https://chat.example.com.evil.example", False),
        (b"null", False),
    ],
)
def test_the_origin_check(world: World, settings, origin, allowed) -> None:
    settings.ALLOWED_HOSTS = ["localhost", "chat.example.com"]
    headers = [(b"origin", origin)] if origin is not None else []

    async def scenario() -> None:
        socket = Socket(world.token(world.alice), headers=headers)
        connected, _ = await socket.open()
        assert connected is allowed
        if connected:
            await socket.close()

    run(scenario)


def test_a_trusted_csrf_origin_is_allowed(world: World, settings) -> None:
    settings.ALLOWED_HOSTS = ["internal"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://chat.example.com"]

    async def scenario() -> None:
        socket = Socket(
            world.token(world.alice), headers=[(b"origin", b"https://chat.example.com")]
        )
        connected, _ = await socket.open()
        assert connected
        await socket.close()

    run(scenario)


@pytest.mark.parametrize("path", ["/api/v4/websocketx", "/ws", "/api/v4/websocket/extra"])
def test_other_paths_are_refused(world: World, path: str) -> None:
    async def scenario() -> None:
        connected, _ = await Socket(world.token(world.alice), path=path).open()
        assert not connected

    run(scenario)
