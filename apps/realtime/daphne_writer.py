"""Under daphne, the hub writes a WebSocket's text frames itself, measures what the socket
holds, and closes it in order: three things ASGI has no words for.

Why it exists (`make bench`'s realtime scenarios, same machine, before -> after, commit
d15a391): at 1,000 sockets most of a delivery's cost was not Confab's but autobahn's
`sendMessage` bookkeeping, then Twisted registering the socket with epoll for every write
and writing it on the next reactor turn. Writing an idle socket's frame with one `send()`:

    server CPU per delivery, 1,000 sockets     128.8 -> 42.0 us
    fan-out p50 / p99, 1,000 clients           112.8 / 296.5 -> 48.5 / 100.0 ms
    fan-out p50 / p99, 500 clients             75.3 / 144.9 -> 39.5 / 77.5 ms (0 lost)

The byte budget and the orderly close (commit d620f34, SECURITY 24) need the same access: a
client that stops reading held 2.8 MB in the kernel's send queue with Twisted's buffer
empty, and autobahn's close sent a reset that cost it everything it had been sent.

This reads private names of daphne (`server.connections`, its `send` being a partial of
`handle_reply`), Twisted (`tcp.Connection`'s buffers) and autobahn (`state`, its options).
Where they do not match, frames go autobahn's way and still arrive, only slower: so the
path each socket gets is logged (DEBUG), and a mismatch that means a dependency changed
under us is a WARNING once per process. tests/realtime/test_daphne_writer.py fails when a
live daphne delivers through the fallback.
"""

import logging
import socket
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from apps.realtime import conf
from apps.realtime.connection import Backlog, SendNow

# Declared first so that the fallback may set them: typeshed makes TIOCOUTQ a Final.
_ioctl: Callable[[int, int, bytes], bytes] | None
_TIOCOUTQ: int
try:
    from fcntl import ioctl as _ioctl
    from termios import TIOCOUTQ as _TIOCOUTQ
except ImportError:  # pragma: no cover - not a POSIX system
    _ioctl = None
    _TIOCOUTQ = 0

logger = logging.getLogger(__name__)


class FramePath(StrEnum):
    """How a socket's frames are written: directly, or by autobahn, and why."""

    DIRECT = "direct"
    TLS = "autobahn: TLS"
    COMPRESSION = "autobahn: compression"
    MASKING = "autobahn: masking"
    FRAGMENTING = "autobahn: fragmenting"
    UNKNOWN_TRANSPORT = "autobahn: unknown transport"
    UNKNOWN_SERVER = "queue: daphne's protocol not recognised"


# Not a choice of configuration but daphne, Twisted or autobahn no longer looking as this
# module expects: worth an operator's attention, once.
_UNEXPECTED = frozenset({FramePath.UNKNOWN_TRANSPORT, FramePath.UNKNOWN_SERVER})
_warned: set[FramePath] = set()


def daphne_backlog(send: object) -> Backlog | None:
    """Bytes handed to daphne for this socket that the client has not taken, or None under
    another server.

    ASGI offers no backpressure, and daphne writes into Twisted's unbounded buffer; reading
    what is held is the only way to notice a client that stopped reading before memory
    does. Twisted's buffer is the smaller part: Twisted first hands the kernel all it takes,
    and while the client's window is shut Linux grows the socket's send buffer by itself
    (measured: 2.8 MB of 2 KB events, none of it in Twisted's buffer), so the bytes the
    kernel still holds for the socket count as well.
    """
    transport = getattr(_daphne_protocol(send), "transport", None)
    if transport is None or not hasattr(transport, "_tempDataLen"):
        return None

    def backlog() -> int:
        buffered = len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        return buffered + kernel_send_queue(getattr(transport, "socket", None))

    return backlog


def daphne_close_now(send: object) -> Callable[[int], None] | None:
    """Close this socket from the server's side, in order, or None under another server.

    daphne's close is autobahn's: the close frame goes behind all that Twisted holds, and
    if the client has not answered it within a second the connection is aborted, which
    sends a reset. A client that is behind, the one dropped for it, then loses everything
    it was sent, close frame included, and sees only the reset. Here the close frame still
    follows what was sent, but the TCP connection is half-closed (FIN) as soon as Twisted
    has written it, with reading kept on, and the client gets `conf.close_timeout_seconds()`
    to take it all and close its end. One that has not by then, because it never reads, is
    reset after all (autobahn's abort, with that timeout), and what was held for it freed:
    a bounded wait with bounded memory, since the budget bounds what the transport holds.
    """
    protocol = _daphne_protocol(send)
    transport = getattr(protocol, "transport", None)
    if (
        transport is None
        or not hasattr(transport, "loseWriteConnection")
        or not hasattr(protocol, "sendClose")
    ):
        return None

    def close_now(code: int) -> None:
        from autobahn.websocket.protocol import WebSocketProtocol

        if protocol.state != WebSocketProtocol.STATE_OPEN:
            return  # closing or closed already
        # One timeout for the whole close: a ping sent earlier must not reset it sooner.
        ping_timeout = getattr(protocol, "autoPingTimeoutCall", None)
        if ping_timeout is not None:
            ping_timeout.cancel()
            protocol.autoPingTimeoutCall = None
        protocol.closeHandshakeTimeout = conf.close_timeout_seconds()
        protocol.sendClose(code=code)
        transport.loseWriteConnection()

    return close_now


def kernel_send_queue(sock: socket.socket | None) -> int:
    """Bytes the kernel holds for a socket, unsent or unacknowledged (Linux's SIOCOUTQ, the
    same request number as TIOCOUTQ); 0 where the system cannot tell."""
    if sock is None or _ioctl is None:
        return 0
    try:
        answer = _ioctl(sock.fileno(), _TIOCOUTQ, b"\0\0\0\0")
    except (OSError, ValueError):  # closed, or not a request this system has for sockets
        return 0
    return int.from_bytes(answer, sys.byteorder)


def daphne_send_now(send: object) -> SendNow | None:
    """Write a text frame synchronously under daphne, or None under another server.

    Daphne's `send` is a coroutine only by ASGI's contract: `server.handle_reply` never
    waits, it hands the frame to the protocol. Calling the protocol directly lets the
    hub write a fan-out's frames in one pass instead of waking a task per socket; the
    check is daphne's own (a socket it has seen close gets nothing). Each frame then goes
    straight to the socket (`plain_socket_writer`) or, where that cannot be, autobahn's way.
    """
    protocol = _daphne_protocol(send)
    if protocol is None:
        return None  # another server: the connection's queue and ASGI's `send` serve
    server = getattr(getattr(send, "func", None), "__self__", None)
    connections = getattr(server, "connections", None)
    handle_reply = getattr(protocol, "handle_reply", None)
    if not isinstance(connections, dict) or handle_reply is None:
        _note_path(FramePath.UNKNOWN_SERVER)
        return None
    write_frame = plain_socket_writer(protocol)

    def send_now(text: str) -> int:
        state = connections.get(protocol)
        if state is None or state.get("disconnected"):
            return 0
        written = write_frame(text) if write_frame is not None else 0
        if written:
            return written
        handle_reply({"type": "websocket.send", "text": text})
        return len(text.encode())  # the payload: near enough for an estimate

    return send_now


def frame_path(protocol: Any) -> FramePath:
    """Whether this connection's text frames can go straight to its socket, or why not."""
    from twisted.internet import interfaces, tcp

    transport = getattr(protocol, "transport", None)
    # Twisted's TLS transports say so: daphne serving TLS itself, bytes go through OpenSSL.
    if any(i.providedBy(transport) for i in (interfaces.ISSLTransport, interfaces.INegotiated)):
        return FramePath.TLS
    if not isinstance(transport, tcp.Connection) or not all(
        hasattr(transport, name) for name in ("dataBuffer", "_tempDataBuffer", "socket")
    ):
        return FramePath.UNKNOWN_TRANSPORT
    if getattr(protocol, "_perMessageCompress", None) is not None:
        return FramePath.COMPRESSION
    if getattr(protocol, "maskServerFrames", True):
        return FramePath.MASKING
    if getattr(protocol, "autoFragmentSize", 1) > 0:
        return FramePath.FRAGMENTING
    return FramePath.DIRECT


def plain_socket_writer(protocol: Any) -> Callable[[str], int] | None:
    """Write one unfragmented, unmasked, uncompressed text frame straight to the socket, or
    None when this connection needs autobahn's own framing (`frame_path` says why).

    A server's text frame is two to ten header bytes and the payload (RFC 6455 §5.2); when
    Twisted holds nothing unsent for the socket, one `send` delivers it, and anything the
    kernel does not take goes to Twisted's buffer, so the order of frames is kept. Returns
    the bytes written, or 0 when the frame must go the usual way (the socket is not open,
    or too large a payload).
    """
    from autobahn.websocket.protocol import WebSocketProtocol

    path = frame_path(protocol)
    _note_path(path)
    if path is not FramePath.DIRECT:
        return None
    transport = protocol.transport
    payload_limit = getattr(protocol, "maxMessagePayloadSize", 0)

    def write_frame(text: str) -> int:
        if protocol.state != WebSocketProtocol.STATE_OPEN or transport.disconnecting:
            return 0
        payload = text.encode()
        size = len(payload)
        if 0 < payload_limit < size:
            return 0
        if size < 126:
            header = bytes((0x81, size))
        elif size < 65536:
            header = b"\x81\x7e" + size.to_bytes(2, "big")
        else:
            header = b"\x81\x7f" + size.to_bytes(8, "big")
        frame = header + payload
        if transport.dataBuffer or transport._tempDataBuffer:
            transport.write(frame)  # Twisted is still sending earlier frames: queue behind
            return len(frame)
        try:
            sent = transport.socket.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            sent = 0  # a broken socket: Twisted finds out on its own write and closes it
        if sent < len(frame):
            transport.write(frame[sent:])  # the rest after what the kernel took, in order
        return len(frame)

    return write_frame


def _daphne_protocol(send: object) -> Any:
    """daphne's protocol for this socket (its `send` is `partial(server.handle_reply,
    protocol)`), or None under another server.

    Any, as are the transports read from it: what these objects hold is probed by name
    (`hasattr`, `getattr`, `frame_path`) before it is used, private names included.
    """
    return next((a for a in getattr(send, "args", ()) if hasattr(a, "transport")), None)


def _note_path(path: FramePath) -> None:
    """Say which way a new socket's frames go: an operator can tell a deployment on the slow
    path (DEBUG, per socket) and a dependency that changed under this module (WARNING)."""
    logger.debug("WebSocket frames for a new socket: %s", path.value)
    if path in _UNEXPECTED and path not in _warned:
        _warned.add(path)
        logger.warning(
            "WebSocket frames go the slow way (%s): daphne, Twisted or autobahn no longer "
            "look as apps/realtime/daphne_writer.py expects.",
            path.value,
        )
