"""The direct frame writer under daphne (apps/realtime/daphne_writer.py): a live daphne
delivers through it rather than autobahn's path, a frame the kernel takes only in part is
finished by Twisted in order, and each way a socket falls back is said in the log."""

import contextlib
import functools
import json
import socket
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from autobahn.websocket.protocol import WebSocketProtocol
from twisted.internet import interfaces, tcp
from websockets.sync.client import connect
from zope.interface import alsoProvides

from apps.core.ids import new_id
from apps.realtime import daphne_writer
from apps.realtime.daphne_writer import FramePath, daphne_send_now, plain_socket_writer
from tests.conftest import LiveServer
from tests.realtime.conftest import build_world

LOGGER = "apps.realtime.daphne_writer"


# --- a live daphne delivers through the direct writer -----------------------------------------


@pytest.fixture
def direct_writes(monkeypatch, tmp_path) -> Path:
    """A file where the server records each frame its direct writer wrote, one per line.

    The spy wraps `plain_socket_writer` in this process before `live_daphne` forks the
    server (see `spied_daphne`), so the server inherits it; frames that went autobahn's
    way are not recorded. A frame is JSON, so it holds no newline."""
    record = tmp_path / "direct-writes.txt"
    record.touch()
    real_writer = daphne_writer.plain_socket_writer

    def spying_writer(protocol: Any):
        write_frame = real_writer(protocol)
        if write_frame is None:
            return None

        def recording(text: str) -> int:
            written = write_frame(text)
            if written:
                with record.open("a", encoding="utf-8") as out:
                    out.write(text + "\n")
            return written

        return recording

    monkeypatch.setattr(daphne_writer, "plain_socket_writer", spying_writer)
    return record


@pytest.fixture
def spied_daphne(direct_writes, live_daphne) -> LiveServer:
    """`live_daphne`, started after the spy is in place (fixtures start in this order)."""
    return live_daphne


@pytest.mark.slow
def test_a_live_daphne_delivers_a_posted_event_through_the_direct_writer(
    spied_daphne, direct_writes
) -> None:
    """Fails when daphne, Twisted or autobahn change so that the writer no longer applies
    (frames would still arrive, through autobahn, at three times the CPU)."""
    world = build_world()
    marker = f"direct-{new_id()}"
    bearer = {"Authorization": f"Bearer {world.token(world.bob)}"}
    with connect(
        spied_daphne.ws_url, additional_headers=bearer, proxy=None, open_timeout=10
    ) as bob:
        assert json.loads(bob.recv(timeout=5))["event"] == "hello"
        response = httpx.post(
            f"{spied_daphne.url}/api/v4/posts",
            json={"channel_id": world.channel.id, "message": marker},
            headers={"Authorization": f"Bearer {world.token(world.alice)}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        while True:
            raw = bob.recv(timeout=5)
            if json.loads(raw).get("event") == "posted":
                break
    assert marker in raw
    direct = direct_writes.read_text(encoding="utf-8").splitlines()
    assert raw in direct, "the posted event went autobahn's way, not the direct writer's"


# --- partial sends: the rest goes to Twisted's buffer, in order -------------------------------


@dataclass
class FakeReactor:
    """What a Twisted transport asks of its reactor to be told when it may write."""

    writers: set[Any] = field(default_factory=set)

    def addWriter(self, descriptor: Any) -> None:
        self.writers.add(descriptor)

    def removeWriter(self, descriptor: Any) -> None:
        self.writers.discard(descriptor)


class ThrottledSocket:
    """A non-blocking socket whose kernel buffer has `room` bytes left: `send` takes at
    most that much, and raises BlockingIOError when there is none."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.received = bytearray()

    def setblocking(self, flag: bool) -> None:
        pass

    def fileno(self) -> int:
        return -1

    def send(self, data: bytes) -> int:
        if self.room == 0:
            raise BlockingIOError
        taken = bytes(data[: self.room])
        self.room -= len(taken)
        self.received += taken
        return len(taken)


@dataclass(eq=False)
class Protocol:
    """The parts of daphne's WebSocket protocol the writer reads, as daphne sets them."""

    transport: Any
    state: int = WebSocketProtocol.STATE_OPEN
    _perMessageCompress: Any = None  # autobahn's names
    maskServerFrames: bool = False
    autoFragmentSize: int = 0
    maxMessagePayloadSize: int = 0


def twisted_transport(sock: Any) -> tcp.Connection:
    transport = tcp.Connection(sock, None, FakeReactor())
    transport.connected = True
    return transport


def server_frames(data: bytes) -> list[str]:
    """The text frames in a server's byte stream (RFC 6455 §5.2: unmasked, final); the
    stream must end on a frame boundary."""
    texts, at = [], 0
    while at < len(data):
        assert data[at] == 0x81, f"not a final text frame at byte {at}"
        size, at = data[at + 1], at + 2
        if size == 126:
            (size,), at = struct.unpack_from("!H", data, at), at + 2
        elif size == 127:
            (size,), at = struct.unpack_from("!Q", data, at), at + 8
        assert at + size <= len(data), "the stream ends inside a frame"
        texts.append(data[at : at + size].decode())
        at += size
    return texts


def frame_size(text: str) -> int:
    size = len(text.encode())
    return size + (2 if size < 126 else 4 if size < 65536 else 10)


@pytest.mark.parametrize("taken_of_second", [5, 0], ids=["in-part", "nothing"])
def test_a_frame_the_kernel_takes_in_part_is_finished_by_twisted_in_order(
    taken_of_second: int,
) -> None:
    first, second, third = "a" * 100, "b" * 70_000, "c" * 300  # all three length encodings
    sock = ThrottledSocket(room=frame_size(first) + taken_of_second)
    transport = twisted_transport(sock)
    write_frame = plain_socket_writer(Protocol(transport))
    assert write_frame is not None

    assert write_frame(first) == frame_size(first)
    assert not transport._tempDataBuffer  # the kernel took it all: nothing for Twisted

    assert write_frame(second) == frame_size(second)
    held_by_twisted = frame_size(second) - taken_of_second
    assert transport._tempDataLen == held_by_twisted
    assert transport in transport.reactor.writers  # Twisted writes the rest when it can

    # The client reads meanwhile, so the kernel has room again before Twisted's turn: the
    # next frame must still wait behind the rest of the one before.
    sock.room, sent_before = frame_size(third), len(sock.received)
    assert write_frame(third) == frame_size(third)
    assert len(sock.received) == sent_before
    assert transport._tempDataLen == held_by_twisted + frame_size(third)

    sock.room = 1 << 20  # the client reads: the socket is writable again
    transport.doWrite()
    assert transport.dataBuffer == b"" and not transport._tempDataBuffer
    assert transport not in transport.reactor.writers
    assert server_frames(bytes(sock.received)) == [first, second, third]


@pytest.fixture
def slow_reader() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A loopback TCP connection (server side, client side) whose client has a small
    receive buffer and has not read yet."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(listener.getsockname())
        server_side, _ = listener.accept()
    with client, server_side:
        yield server_side, client


def test_frames_behind_a_full_kernel_buffer_arrive_intact_and_in_order(slow_reader) -> None:
    """The same through a real socket: frames written until the kernel's buffer is full
    (however far Linux grows it), the client reads a little, a few more frames go behind
    what Twisted holds, then the client reads it all."""
    server_side, client = slow_reader
    transport = twisted_transport(server_side)
    write_frame = plain_socket_writer(Protocol(transport))
    assert write_frame is not None
    texts: list[str] = []
    while not transport._tempDataBuffer:
        texts.append(f"{len(texts):06d}" + "x" * 16_000)
        write_frame(texts[-1])
        assert len(texts) < 2_000, "the kernel never filled up"
    client.settimeout(5)
    received = bytearray(client.recv(1 << 16))  # room in the kernel before Twisted's turn
    for _ in range(3):
        texts.append(f"{len(texts):06d}" + "y" * 100)
        write_frame(texts[-1])

    expected = sum(frame_size(text) for text in texts)
    client.setblocking(False)
    for _ in range(100_000):
        if len(received) == expected:
            break
        transport.doWrite()
        with contextlib.suppress(BlockingIOError):  # nothing new yet: Twisted writes more
            received += client.recv(1 << 16)
    assert server_frames(bytes(received)) == texts


# --- each fallback is said ------------------------------------------------------------------


def tls_protocol(says_so: Any) -> Callable[[], Protocol]:
    """A connection whose transport says it encrypts: a transport after `startTLS`
    provides ISSLTransport, Twisted's TLS wrapper (daphne's `ssl:` endpoint) INegotiated."""

    def protocol() -> Protocol:
        transport = twisted_transport(ThrottledSocket(room=0))
        alsoProvides(transport, says_so)
        return Protocol(transport)

    return protocol


@pytest.mark.parametrize(
    ("protocol", "path"),
    [
        (lambda: Protocol(twisted_transport(ThrottledSocket(0))), FramePath.DIRECT),
        (tls_protocol(interfaces.ISSLTransport), FramePath.TLS),
        (tls_protocol(interfaces.INegotiated), FramePath.TLS),
        (
            lambda: Protocol(twisted_transport(ThrottledSocket(0)), _perMessageCompress=object()),
            FramePath.COMPRESSION,
        ),
        (
            lambda: Protocol(twisted_transport(ThrottledSocket(0)), maskServerFrames=True),
            FramePath.MASKING,
        ),
        (
            lambda: Protocol(twisted_transport(ThrottledSocket(0)), autoFragmentSize=4096),
            FramePath.FRAGMENTING,
        ),
        (lambda: Protocol(transport=object()), FramePath.UNKNOWN_TRANSPORT),
    ],
    ids=lambda value: value.name if isinstance(value, FramePath) else "",
)
def test_the_path_a_socket_gets_is_logged_with_its_reason(protocol, path, caplog) -> None:
    caplog.set_level("DEBUG", logger=LOGGER)
    writer = plain_socket_writer(protocol())
    assert (writer is not None) == (path is FramePath.DIRECT)
    assert f"WebSocket frames for a new socket: {path.value}" in caplog.messages


def test_internals_that_no_longer_match_are_a_warning_once_per_process(monkeypatch, caplog) -> None:
    monkeypatch.setattr(daphne_writer, "_warned", set())
    protocol = Protocol(twisted_transport(ThrottledSocket(0)))
    send_of_a_server_without_connections = functools.partial(
        FakeServer(connections=None).handle_reply, protocol
    )
    for _ in range(3):
        assert plain_socket_writer(Protocol(transport=object())) is None
        assert daphne_send_now(send_of_a_server_without_connections) is None
    warnings = [
        r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "WARNING"
    ]
    assert len(warnings) == 2
    assert FramePath.UNKNOWN_TRANSPORT.value in warnings[0]
    assert FramePath.UNKNOWN_SERVER.value in warnings[1]


@dataclass
class FakeServer:
    """daphne's server as its `send` exposes it: the connections it knows, and
    `handle_reply`, which hands a frame to autobahn."""

    connections: dict[Any, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)

    def handle_reply(self, protocol: Any, message: dict[str, Any]) -> None:
        self.replies.append(message)


def test_a_socket_on_the_fallback_still_gets_its_frames_through_autobahn() -> None:
    server = FakeServer()
    sock = ThrottledSocket(room=1 << 20)
    protocol = Protocol(twisted_transport(sock), maskServerFrames=True)
    protocol.handle_reply = functools.partial(server.handle_reply, protocol)
    server.connections[protocol] = {}
    send_now = daphne_send_now(functools.partial(server.handle_reply, protocol))
    assert send_now is not None

    assert send_now('{"event":"posted"}') > 0
    assert server.replies == [{"type": "websocket.send", "text": '{"event":"posted"}'}]
    assert not sock.received  # nothing written past autobahn
