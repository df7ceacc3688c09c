"""A socket that never reads, fed many small events through a live daphne (issue 12,
finding 8; SECURITY 24).

Under daphne a frame handed to Twisted goes to the kernel when it can, and the kernel grows
a socket's send buffer on its own (megabytes with Linux's defaults) while the client's
window stays shut: that memory is the server's, for that socket, whatever Confab's queue
says. The connection's byte budget covers all of it, and a client dropped for exceeding
it is closed the way RFC 6455 asks: a close frame with 4013 after what it was sent, then
an orderly end of the TCP connection.

The client here is a raw TCP socket with a small receive buffer that does the WebSocket
handshake by hand and then stops calling `recv`: WebSocket libraries read in the
background, which is not "never reads".
"""

import base64
import os
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from apps.realtime.events import CLOSE_TOO_SLOW
from tests.realtime.conftest import World, build_world
from tests.security.conftest import LiveServer

pytestmark = [pytest.mark.slow]

BUDGET = 256 * 1024  # bytes one connection may hold unsent, all places counted
IN_FLIGHT = 64 * 1024  # bytes handed to the transport before the queue stops draining
MESSAGE = "x" * 2000  # a post's event is this plus about 900 bytes of JSON
MAX_POSTS = 400  # about 1.1 MB of events, four times the budget
CLOSE_TIMEOUT = 5  # seconds a dropped client has to take what it was sent
OPCODE_TEXT, OPCODE_CLOSE, OPCODE_PING = 0x1, 0x8, 0x9


@pytest.fixture
def small_budget(settings) -> None:
    """Per-socket limits the server process inherits when it forks (`live_daphne` comes
    after this fixture). The frame count is out of reach: only bytes can drop the client."""
    settings.CONFAB_WEBSOCKET_SEND_QUEUE = 1_000_000
    settings.CONFAB_WEBSOCKET_SEND_QUEUE_BYTES = BUDGET
    settings.CONFAB_WEBSOCKET_SEND_BUFFER_BYTES = IN_FLIGHT
    settings.CONFAB_WEBSOCKET_CLOSE_TIMEOUT_SECONDS = CLOSE_TIMEOUT


class NeverReadingSocket:
    """A WebSocket client over a raw socket; it reads only when told to."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.sock = socket.socket()
        # Set before connecting, so the window it advertises stays small.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect((host, port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                "GET /api/v4/websocket HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Authorization: Bearer {token}\r\n\r\n"
            ).encode()
        )
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += self._exactly(1)
        assert head.startswith(b"HTTP/1.1 101 "), head

    @property
    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise EOFError(f"the server ended the connection mid-frame ({data!r})")
            data += chunk
        return data

    def frame(self) -> tuple[int, bytes] | None:
        """The next frame from the server (RFC 6455 §5.2: unmasked, unfragmented), or None
        when the server ended the connection in order (FIN) after the last one. A reset
        raises ConnectionResetError."""
        start = self.sock.recv(1)
        if not start:
            return None
        first, second = start[0], self._exactly(1)[0]
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", self._exactly(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", self._exactly(8))[0]
        return first & 0x0F, self._exactly(size)

    def close(self) -> None:
        self.sock.close()


@dataclass
class Flood:
    posts: int  # posts made when the server was seen to drop the socket
    dropped: bool


def flood_until_dropped(url: str, world: World) -> Flood:
    """Alice posts 2 KB messages in the channel Bob's never-reading socket listens to,
    until Bob shows offline (the server forgot his only socket) or MAX_POSTS."""
    with httpx.Client(base_url=url, timeout=10, headers=_auth(world, world.alice)) as alice:

        def bob_status() -> str:
            response = alice.get(f"/api/v4/users/{world.bob.id}/status")
            assert response.status_code == 200, response.text
            return response.json()["status"]

        _wait_for(lambda: bob_status() == "online")
        for posts in range(1, MAX_POSTS + 1):
            response = alice.post(
                "/api/v4/posts", json={"channel_id": world.channel.id, "message": MESSAGE}
            )
            assert response.status_code == 201, response.text
            if posts % 4 == 0 and bob_status() == "offline":
                return Flood(posts, dropped=True)
        time.sleep(1)
        return Flood(MAX_POSTS, dropped=bob_status() == "offline")


@dataclass(frozen=True)
class Scene:
    server: LiveServer
    world: World
    bob: NeverReadingSocket


@pytest.fixture
def scene(small_budget, live_daphne) -> Iterator[Scene]:
    """A live server with the small budget (the settings first: the server forks with
    them), and Bob's socket, which got its `hello` and from then on reads nothing until
    the test says so."""
    world = build_world()
    bob = NeverReadingSocket(live_daphne.host, live_daphne.port, world.token(world.bob))
    hello = bob.frame()
    assert hello is not None and hello[0] == OPCODE_TEXT and b'"event":"hello"' in hello[1]
    yield Scene(live_daphne, world, bob)
    bob.close()


def test_a_never_reading_socket_is_dropped_by_bytes_and_let_go(scene: Scene) -> None:
    server, client = scene.server, scene.bob
    flood = flood_until_dropped(server.url, scene.world)

    assert flood.dropped, f"still connected after {flood.posts} posts of 2 KB"
    # Each event is over 2,000 bytes: the budget, the client's own small buffer and a few
    # posts' lag in noticing, and no more.
    assert flood.posts * len(MESSAGE) <= BUDGET + 64 * 1024
    # What the kernel still holds for the socket is within the budget (it grows to
    # megabytes on its own when nothing counts it).
    server_side = _tcp_socket(server.port, client.local_port)
    assert server_side is None or server_side.send_queue <= BUDGET, server_side
    # The client still reads nothing: once the close timeout has passed, the server has let
    # go of the connection and of what it held for it.
    _wait_for(
        lambda: _tcp_socket(server.port, client.local_port) is None,
        timeout=CLOSE_TIMEOUT + 10,
    )


def test_a_dropped_socket_reads_its_frames_then_4013_then_a_clean_end(scene: Scene) -> None:
    flood = flood_until_dropped(scene.server.url, scene.world)
    assert flood.dropped, f"still connected after {flood.posts} posts of 2 KB"

    # The client wakes up and reads all it was sent, to the end of the connection; a reset
    # (ConnectionResetError) instead of that end fails the test here.
    frames = []
    while (frame := scene.bob.frame()) is not None:
        frames.append(frame)
    assert len(frames) > 1, "nothing but the close was delivered"
    assert all(opcode in (OPCODE_TEXT, OPCODE_PING) for opcode, _ in frames[:-1])
    opcode, payload = frames[-1]
    assert opcode == OPCODE_CLOSE
    assert struct.unpack("!H", payload[:2])[0] == CLOSE_TOO_SLOW


@dataclass(frozen=True)
class TcpSocket:
    state: int
    send_queue: int


def _tcp_socket(local_port: int, remote_port: int) -> TcpSocket | None:
    """The server's side of a loopback connection as Linux lists it (`/proc/net/tcp`):
    its state and the bytes its send queue holds (unsent or unacknowledged)."""
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if int(local.split(":")[1], 16) == local_port and (
                int(remote.split(":")[1], 16) == remote_port
            ):
                return TcpSocket(int(fields[3], 16), int(fields[4].split(":")[0], 16))
    return None


def _auth(world: World, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(user)}"}


def _wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
