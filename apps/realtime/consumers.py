"""`/api/v4/websocket`: Mattermost's WebSocket protocol (MATTERMOST_API.md §b).

The consumer owns the socket's lifecycle: it authenticates (a token on the upgrade, or an
`authentication_challenge`), answers client actions, and registers the socket with the
process's hub, which delivers events. It stays thin: reads go through selectors, presence
through services, and chat events never pass through it.
"""

import asyncio
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.accounts.models import Session
from apps.accounts.selectors import session_for_token
from apps.core.ids import is_valid_id, new_id
from apps.core.jsonbody import JSONRefused, parse_json
from apps.core.timeutils import now_ms
from apps.realtime import conf, selectors
from apps.realtime.connection import Backlog, Connection, SendNow
from apps.realtime.events import (
    CLOSE_FRAME_TOO_BIG,
    CLOSE_UNAUTHENTICATED,
    SERVER_VERSION,
    fail_response,
    hello_frame,
    ok_response,
    typing_event,
)
from apps.realtime.hub import Hub, hub_for_running_loop

try:
    from fcntl import ioctl as _ioctl
    from termios import TIOCOUTQ as _TIOCOUTQ
except ImportError:  # pragma: no cover - not a POSIX system
    _ioctl = None
    _TIOCOUTQ = 0

logger = logging.getLogger(__name__)

AUTH_COOKIE = "MMAUTHTOKEN"
STATUS_IDS_MAX = 1000
STATUSES_MAX = 10_000
TYPING_INTERVAL_MS = 1000


class _ActionError(Exception):
    def __init__(self, error_id: str, message: str, status_code: int) -> None:
        super().__init__(message)
        self.error_id = error_id
        self.message = message
        self.status_code = status_code


def _bad_param(name: str) -> _ActionError:
    return _ActionError(
        "api.websocket_handler.invalid_param.app_error", f"Invalid {name} parameter.", 400
    )


class MattermostConsumer(AsyncWebsocketConsumer):
    # No channel layer per socket: fan-out is the hub's (DESIGN.md "Realtime"); a layer
    # here would cost every socket its own Redis subscription.
    channel_layer_alias = "confab-realtime-hub-only"

    conn: Connection | None = None
    hub: Hub | None = None
    _auth_timer: asyncio.TimerHandle | None = None

    async def connect(self) -> None:
        self._typed: dict[tuple[str, str], int] = {}
        self._resume_from = _resume_from_scope(self.scope)
        token = _token_from_scope(self.scope)
        if not token:
            await self.accept()
            self._auth_timer = asyncio.get_running_loop().call_later(
                conf.auth_timeout_seconds(), self._auth_timed_out
            )
            return
        session = await _session(token)
        if session is None:
            await self.close()  # before accept: the upgrade is refused (403)
            return
        await self.accept()
        await self._authenticated(session, seq_reply=None)

    def _auth_timed_out(self) -> None:
        if self.conn is None:
            self._closing = asyncio.ensure_future(self.close(CLOSE_UNAUTHENTICATED))

    async def _authenticated(self, session: Session, *, seq_reply: int | None) -> None:
        if self._auth_timer is not None:
            self._auth_timer.cancel()
        hub = hub_for_running_loop()
        if self._resume_from is not None:
            connection_id, next_seq = self._resume_from
            resumed = await hub.resume(
                connection_id=connection_id,
                user_id=session.user_id,
                session_id=session.id,
                next_seq=next_seq,
                send_text=self._send_text,
                close=self._close_with,
                backlog=_daphne_backlog(self.base_send),
                send_now=_daphne_send_now(self.base_send),
            )
            if resumed is not None:
                # No hello: the same connection goes on, missed events first.
                if seq_reply is not None:
                    resumed.push_response(ok_response(seq_reply))
                self.conn, self.hub = resumed, hub
                resumed.start()
                return
        conn = Connection(
            connection_id=new_id(),
            user_id=session.user_id,
            session_id=session.id,
            send_text=self._send_text,
            close=self._close_with,
            backlog=_daphne_backlog(self.base_send),
            send_now=_daphne_send_now(self.base_send),
        )
        # `hello` is queued first, so it is the first event (seq 0) whatever the hub
        # delivers meanwhile; the writer starts once the hub knows the user's audiences.
        conn.push_event(hello_frame(user_id=session.user_id, connection_id=conn.connection_id))
        if seq_reply is not None:
            conn.push_response(ok_response(seq_reply))
        self.conn, self.hub = conn, hub
        await hub.register(conn)
        conn.start()

    async def _send_text(self, frame: str) -> None:
        await self.send(text_data=frame)

    async def _close_with(self, code: int) -> None:
        """The server ends the connection (too slow, revoked): in order under daphne."""
        close_now = _daphne_close_now(self.base_send)
        if close_now is None:
            await self.close(code)
        else:
            close_now(code)

    async def disconnect(self, code: int) -> None:
        if self._auth_timer is not None:
            self._auth_timer.cancel()
        if self.conn is not None and self.hub is not None:
            await self.hub.unregister(self.conn)

    # --- client actions --------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        raw = text_data if text_data is not None else bytes_data or b""
        size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
        if size > conf.max_frame_bytes():
            await self.close(CLOSE_FRAME_TOO_BIG)
            return
        try:
            request = parse_json(raw, max_bytes=conf.max_frame_bytes())
        except JSONRefused:
            request = None
        if not isinstance(request, dict):
            await self._fail(
                None,
                _ActionError(
                    "api.web_socket_router.bad_request.app_error",
                    "A request must be a JSON object.",
                    400,
                ),
            )
            return
        action, seq, data = request.get("action"), request.get("seq"), request.get("data")
        if type(seq) is not int or seq <= 0:
            await self._fail(
                None,
                _ActionError(
                    "api.web_socket_router.bad_seq.app_error", "Invalid sequence number.", 400
                ),
            )
            return
        try:
            if not isinstance(action, str) or not action:
                raise _ActionError(
                    "api.web_socket_router.no_action.app_error", "No action given.", 400
                )
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise _bad_param("data")
            await self._dispatch_action(action, seq, data)
        except _ActionError as exc:
            await self._fail(seq, exc)
        except Exception:
            logger.exception("The WebSocket action %r failed.", action)
            await self._fail(
                seq,
                _ActionError("api.web_socket_router.internal.app_error", "The action failed.", 500),
            )

    async def _fail(self, seq: int | None, exc: _ActionError) -> None:
        await self._respond(
            fail_response(
                seq, error_id=exc.error_id, message=exc.message, status_code=exc.status_code
            )
        )

    async def _dispatch_action(self, action: str, seq: int, data: dict[str, Any]) -> None:
        if action == "authentication_challenge":
            if self.conn is not None:
                return  # already authenticated: Mattermost ignores it silently
            token = data.get("token")
            session = await _session(token) if isinstance(token, str) else None
            if session is None:
                await self.close(CLOSE_UNAUTHENTICATED)
                return
            await self._authenticated(session, seq_reply=seq)
            return
        if self.conn is None or self.hub is None:
            raise _ActionError(
                "api.web_socket_router.not_authenticated.app_error",
                "The connection is not authenticated.",
                401,
            )
        handler = ACTIONS.get(action)
        if handler is None:
            raise _ActionError(
                "api.web_socket_router.bad_action.app_error", f"Unknown action {action!r}.", 501
            )
        self.hub.acted(self.conn.user_id)
        reply = await handler(self, data)
        self.conn.push_response(ok_response(seq, reply))

    async def _respond(self, frame: str) -> None:
        if self.conn is not None:
            self.conn.push_response(frame)
        else:
            await self.send(text_data=frame)

    async def user_typing(self, data: dict[str, Any]) -> None:
        assert self.conn is not None and self.hub is not None
        chat_channel_id, parent_id = data.get("channel_id"), data.get("parent_id") or ""
        if not is_valid_id(chat_channel_id):
            raise _bad_param("channel_id")
        if parent_id and not is_valid_id(parent_id):
            raise _bad_param("parent_id")
        user_id = self.conn.user_id
        # The same answer for a channel that does not exist and one the user is not in.
        if not self.hub.is_channel_member(user_id, chat_channel_id):
            raise _ActionError(
                "api.context.permissions.app_error",
                "You do not have the appropriate permissions.",
                403,
            )
        # One broadcast per channel and thread a second is plenty; a client that sends
        # more cannot make the server amplify it to every member.
        now = now_ms()
        key = (chat_channel_id, parent_id)
        if now - self._typed.get(key, 0) < TYPING_INTERVAL_MS:
            return None
        self._typed[key] = now
        if len(self._typed) > 100:
            self._typed = {k: v for k, v in self._typed.items() if now - v < TYPING_INTERVAL_MS}
        await self.hub.publish(
            typing_event(user_id=user_id, chat_channel_id=chat_channel_id, parent_id=parent_id)
        )
        return None

    async def get_statuses(self, data: dict[str, Any]) -> dict[str, str]:
        assert self.conn is not None and self.hub is not None
        return await database_sync_to_async(selectors.status_map_for_teams)(
            user_id=self.conn.user_id,
            team_ids=self.hub.team_ids_of(self.conn.user_id),
            limit=STATUSES_MAX,
        )

    async def get_statuses_by_ids(self, data: dict[str, Any]) -> dict[str, str]:
        user_ids = data.get("user_ids")
        if (
            not isinstance(user_ids, list)
            or not user_ids
            or len(user_ids) > STATUS_IDS_MAX
            or not all(is_valid_id(u) for u in user_ids)
        ):
            raise _bad_param("user_ids")
        return await database_sync_to_async(selectors.status_map)(user_ids=user_ids)

    async def ping(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"text": "pong", "version": SERVER_VERSION, "server_time": now_ms()}


Action = Callable[[MattermostConsumer, dict[str, Any]], Awaitable[Any]]
ACTIONS: dict[str, Action] = {
    "user_typing": MattermostConsumer.user_typing,
    "get_statuses": MattermostConsumer.get_statuses,
    "get_statuses_by_ids": MattermostConsumer.get_statuses_by_ids,
    "ping": MattermostConsumer.ping,
}


@database_sync_to_async
def _session(token: str) -> Session | None:
    return session_for_token(token)


def _token_from_scope(scope: dict[str, Any]) -> str:
    """The token Mattermost accepts on the upgrade: `Authorization: Bearer|Token`, the
    MMAUTHTOKEN cookie (browsers; the Origin check guards it), or `?access_token=`."""
    headers = dict(scope.get("headers", []))
    authorization = headers.get(b"authorization", b"").decode("latin1")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() in ("bearer", "token"):
            return value.strip()
    cookie_header = headers.get(b"cookie", b"").decode("latin1")
    if cookie_header:
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # noqa: S110 - a malformed cookie header is just no token
            pass
        else:
            if AUTH_COOKIE in cookies:
                return cookies[AUTH_COOKIE].value
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    return (query.get("access_token") or [""])[0]


def _resume_from_scope(scope: dict[str, Any]) -> tuple[str, int] | None:
    """`?connection_id=&sequence_number=` of a reconnecting Mattermost client: the
    connection to continue and the first `seq` it has not received."""
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    connection_id = (query.get("connection_id") or [""])[0]
    sequence = (query.get("sequence_number") or [""])[0]
    if not is_valid_id(connection_id) or not sequence.isdigit() or len(sequence) > 18:
        return None
    return connection_id, int(sequence)


def _daphne_protocol(send: object) -> Any:
    """daphne's protocol for this socket (its `send` is `partial(server.handle_reply,
    protocol)`), or None under another server."""
    return next((a for a in getattr(send, "args", ()) if hasattr(a, "transport")), None)


def _daphne_backlog(send: object) -> Backlog | None:
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
        return buffered + _kernel_send_queue(getattr(transport, "socket", None))

    return backlog


def _daphne_close_now(send: object) -> Callable[[int], None] | None:
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
    if not hasattr(transport, "loseWriteConnection") or not hasattr(protocol, "sendClose"):
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


def _kernel_send_queue(sock: socket.socket | None) -> int:
    """Bytes the kernel holds for a socket, unsent or unacknowledged (Linux's SIOCOUTQ, the
    same request number as TIOCOUTQ); 0 where the system cannot tell."""
    if sock is None or _ioctl is None:
        return 0
    try:
        answer = _ioctl(sock.fileno(), _TIOCOUTQ, b"\0\0\0\0")
    except (OSError, ValueError):  # closed, or not a request this system has for sockets
        return 0
    return int.from_bytes(answer, sys.byteorder)


def _daphne_send_now(send: object) -> SendNow | None:
    """Write a text frame synchronously under daphne, or None under another server.

    Daphne's `send` is a coroutine only by ASGI's contract: `server.handle_reply` never
    waits, it hands the frame to the protocol. Calling the protocol directly lets the
    hub write a fan-out's frames in one pass instead of waking a task per socket; the
    check is daphne's own (a socket it has seen close gets nothing).
    """
    protocol = _daphne_protocol(send)
    server = getattr(getattr(send, "func", None), "__self__", None)
    connections = getattr(server, "connections", None)
    if protocol is None or not isinstance(connections, dict):
        return None
    handle_reply = getattr(protocol, "handle_reply", None)
    if handle_reply is None:
        return None
    write_frame = _plain_socket_writer(protocol)

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


def _plain_socket_writer(protocol: Any) -> Callable[[str], int] | None:
    """Write one unfragmented, unmasked, uncompressed text frame straight to the socket, or
    None when this connection needs autobahn's own framing (TLS in daphne, compression,
    masking or fragmenting configured).

    Measured at 1,000 sockets, most of a delivery's cost was not Confab's: autobahn's
    `sendMessage` bookkeeping, then Twisted registering the socket with epoll for every
    write and writing it on the next reactor turn. A server's text frame is two to ten
    header bytes and the payload (RFC 6455 §5.2); when Twisted holds nothing unsent for
    the socket, one `send` delivers it, and anything the kernel does not take goes to
    Twisted's buffer, so the order of frames is kept. Returns the bytes written, or 0 when
    the frame must go the usual way (the socket is not open, or too large a payload).
    """
    try:
        from autobahn.websocket.protocol import WebSocketProtocol
        from twisted.internet import tcp
    except ImportError:  # pragma: no cover - daphne always brings both
        return None
    transport = getattr(protocol, "transport", None)
    if not isinstance(transport, tcp.Connection) or not hasattr(transport, "_tempDataBuffer"):
        return None
    if (
        getattr(protocol, "_perMessageCompress", None) is not None
        or getattr(protocol, "maskServerFrames", True)
        or getattr(protocol, "autoFragmentSize", 1) > 0
    ):
        return None
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
            transport.write(frame[sent:])
        return len(frame)

    return write_frame
