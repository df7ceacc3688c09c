"""`/api/v4/websocket`: Mattermost's WebSocket protocol (MATTERMOST_API.md §b).

The consumer owns the socket's lifecycle: it authenticates (a token on the upgrade, or an
`authentication_challenge`), answers client actions, and registers the socket with the
process's hub, which delivers events. It stays thin: reads go through selectors, presence
through services, and chat events never pass through it.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from asgiref.typing import WebSocketScope
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.accounts.models import Session
from apps.accounts.selectors import session_for_token
from apps.core.ids import is_valid_id, new_id
from apps.core.jsonbody import JSONRefused, parse_json
from apps.core.timeutils import now_ms
from apps.realtime import conf, selectors
from apps.realtime.connection import Connection
from apps.realtime.daphne_writer import daphne_backlog, daphne_close_now, daphne_send_now
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
                backlog=daphne_backlog(self.base_send),
                send_now=daphne_send_now(self.base_send),
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
            backlog=daphne_backlog(self.base_send),
            send_now=daphne_send_now(self.base_send),
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
        close_now = daphne_close_now(self.base_send)
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
        if not isinstance(chat_channel_id, str) or not is_valid_id(chat_channel_id):
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


def _token_from_scope(scope: WebSocketScope) -> str:
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


def _resume_from_scope(scope: WebSocketScope) -> tuple[str, int] | None:
    """`?connection_id=&sequence_number=` of a reconnecting Mattermost client: the
    connection to continue and the first `seq` it has not received."""
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    connection_id = (query.get("connection_id") or [""])[0]
    sequence = (query.get("sequence_number") or [""])[0]
    if not is_valid_id(connection_id) or not sequence.isdigit() or len(sequence) > 18:
        return None
    return connection_id, int(sequence)
