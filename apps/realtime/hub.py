"""The per-process hub (DESIGN.md "Realtime"; Mattermost's one hub per node).

It knows this process's sockets by user, and for each connected user the channels and
teams whose broadcasts they receive; the map is loaded from the database when a user's
first socket connects and kept current by the membership events themselves. Every event
published anywhere reaches the hub once (straight from this process in embedded mode,
through one Redis subscription otherwise), serialized once; the hub hands that frame to the
recipients' send queues. All of its state lives on one event loop; other threads reach it
only through `loop.call_soon_threadsafe`.
"""

import asyncio
import gc
import logging
import time
from collections.abc import Coroutine, Iterable
from typing import Any, TypedDict, cast

from channels.db import database_sync_to_async
from django.conf import settings

from apps.accounts.models import STATUS_AWAY, STATUS_ONLINE
from apps.core.timeutils import now_ms
from apps.realtime import conf, selectors
from apps.realtime.catalogue import HubEffect, event_type
from apps.realtime.connection import Backlog, Close, Connection, SendNow, SendText
from apps.realtime.events import CLOSE_RESYNC, CLOSE_UNAUTHENTICATED
from apps.realtime.presence import LocalSockets, Presence, RedisSockets
from apps.realtime.publish import Event
from apps.realtime.services import session_touch_many
from apps.realtime.transport import (
    RESYNC,
    Envelope,
    RedisSubscription,
    envelope_for,
    frame_for,
    redis_publisher,
)

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 10
# Clocks of the processes that exchange `RESYNC` may differ this much; it errs towards closing.
CLOCK_SKEW_MS = 2000


class _User:
    """A connected user: their sockets here and what they receive."""

    __slots__ = ("chat_channel_ids", "connections", "loaded", "pending", "status", "team_ids")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.connections: set[Connection] = set()
        self.chat_channel_ids: set[str] = set()
        self.team_ids: set[str] = set()
        self.loaded: asyncio.Future[None] = loop.create_future()
        # Membership changes seen while the first load runs, replayed on top of it.
        self.pending: list[tuple[str, str, bool]] | None = []
        self.status = ""


class _Gone(TypedDict):
    """What `Presence.disconnected` needs of a connection the hub has just forgotten."""

    last_local: bool
    team_ids: set[str]


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.users: dict[str, _User] = {}
        self.channel_members: dict[str, set[str]] = {}
        self.team_members: dict[str, set[str]] = {}
        url = conf.redis_url()
        self.subscription: RedisSubscription | None = None
        if url:
            self.subscription = RedisSubscription(
                url=url,
                channel=conf.redis_channel(),
                on_envelope=self.deliver,
                on_resume=self._on_resume,
            )
            self.presence = Presence(RedisSockets(url, conf.redis_channel()))
        else:
            self.presence = Presence(LocalSockets())
        self._started = False
        self._tasks: set[asyncio.Task[object]] = set()
        # Connections whose socket dropped, by connection id, waiting to be resumed.
        self.parked: dict[str, Connection] = {}
        # Every socket here connected after this (ms): see `_resync_missed`.
        self._resynced_at_ms = now_ms()

    # --- lifecycle -------------------------------------------------------------------------

    async def _start(self) -> None:
        if not self._started:
            self._started = True
            if self.subscription is not None:
                self.subscription.start()
            self._spawn(self._maintain_forever())
        if self.subscription is not None and not self.subscription.ready.is_set():
            await asyncio.wait_for(self.subscription.ready.wait(), SUBSCRIBE_TIMEOUT_SECONDS)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> asyncio.Task[object]:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        """Stop the hub's tasks and connections (tests; a process simply exits)."""
        for state in list(self.users.values()):
            for conn in list(state.connections):
                conn.stop()
        self.users.clear()
        self.parked.clear()
        self.channel_members.clear()
        self.team_members.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.subscription is not None:
            await self.subscription.stop()
        await self.presence.close()

    # --- sockets ---------------------------------------------------------------------------

    async def register(self, conn: Connection) -> None:
        """Start delivering to `conn`; returns once its user's audiences are known, so
        nothing published after the client sees `hello` is missed."""
        await self._start()
        conn.on_shut = self._shut
        state = self.users.get(conn.user_id)
        if state is None:
            state = self.users[conn.user_id] = _User(self.loop)
            state.connections.add(conn)
            try:
                chat_channel_ids, team_ids = await database_sync_to_async(selectors.user_audiences)(
                    user_id=conn.user_id
                )
            except BaseException:
                # Sockets of the same user waiting on this load give up with it.
                self._drop_user(conn.user_id)
                state.loaded.cancel()
                raise
            pending, state.pending = state.pending or [], None
            if self.users.get(conn.user_id) is not state:  # every socket closed meanwhile
                state.loaded.set_result(None)
                return
            for chat_channel_id in chat_channel_ids:
                self._set_member(conn.user_id, chat_channel_id, "channel", True)
            for team_id in team_ids:
                self._set_member(conn.user_id, team_id, "team", True)
            for target, kind, joined in pending:
                self._set_member(conn.user_id, target, kind, joined)
            state.loaded.set_result(None)
        else:
            state.connections.add(conn)
            await asyncio.shield(state.loaded)
        if self.users.get(conn.user_id) is not state or conn not in state.connections:
            return  # closed while loading
        try:
            state.status = await self.presence.connected(
                user_id=conn.user_id,
                connection_id=conn.connection_id,
                team_ids=set(state.team_ids),
            )
        except Exception:
            # Presence is not worth refusing the socket for; the next tick repairs it.
            logger.exception("Could not record %s as online.", conn.user_id)

    async def unregister(self, conn: Connection) -> None:
        """The socket closed. Unless the server ended it, the connection is parked: it
        keeps receiving events for `conf.resume_seconds()` in case the client resumes."""
        state = self.users.get(conn.user_id)
        if conn.closed or state is None or conn not in state.connections:
            conn.stop()
            return
        conn.park()
        self.parked[conn.connection_id] = conn
        self._limit_parked(state)
        await self.presence.disconnected(
            user_id=conn.user_id,
            connection_id=conn.connection_id,
            last_local=not _active(state),
            team_ids=set(state.team_ids),
        )

    async def resume(
        self,
        *,
        connection_id: str,
        user_id: str,
        session_id: str,
        next_seq: int,
        send_text: SendText,
        close: Close,
        backlog: Backlog | None,
        send_now: SendNow | None = None,
    ) -> Connection | None:
        """Put a parked connection of the same session on a new socket.

        None when there is none here (expired, dropped for falling behind, parked in
        another process) or it cannot continue from `next_seq`; the caller then opens a
        new connection, whose new id in `hello` tells the client to reload.
        """
        conn = self.parked.get(connection_id)
        if conn is None or conn.user_id != user_id or conn.session_id != session_id:
            return None
        del self.parked[connection_id]
        if not conn.resume(
            next_seq=next_seq,
            send_text=send_text,
            close=close,
            backlog=backlog,
            send_now=send_now,
        ):
            conn.stop()
            self._forget(conn)
            return None
        state = self.users.get(user_id)
        try:
            state_status = await self.presence.connected(
                user_id=user_id,
                connection_id=connection_id,
                team_ids=set(state.team_ids) if state else set(),
            )
        except Exception:
            logger.exception("Could not record %s as online.", user_id)
        else:
            if state is not None:
                state.status = state_status
        return conn

    def _limit_parked(self, state: _User) -> None:
        """Keep the newest few parked connections of a user: each one still queues every
        event, so a client that opens and drops sockets must not pile them up."""
        parked = sorted(
            (c for c in state.connections if c.parked),
            key=lambda c: cast(float, c.parked_at),  # set while parked
        )
        for conn in parked[: max(0, len(parked) - conf.parked_per_user())]:
            del self.parked[conn.connection_id]
            conn.stop()
            self._forget(conn)

    def _expire_parked(self) -> None:
        deadline = time.monotonic() - conf.resume_seconds()
        for conn in [
            c for c in self.parked.values() if c.parked_at is not None and c.parked_at <= deadline
        ]:
            del self.parked[conn.connection_id]
            conn.stop()
            self._forget(conn)

    def _shut(self, conn: Connection) -> None:
        # The server closed `conn` (revoked, too slow): stop delivering to it at once.
        was_parked = self.parked.pop(conn.connection_id, None) is not None
        gone = self._forget(conn)
        if gone is not None and not was_parked:  # a parked one went offline already
            self._spawn(
                self.presence.disconnected(
                    user_id=conn.user_id, connection_id=conn.connection_id, **gone
                )
            )

    def _forget(self, conn: Connection) -> _Gone | None:
        state = self.users.get(conn.user_id)
        if state is None or conn not in state.connections:
            return None
        state.connections.discard(conn)
        team_ids = set(state.team_ids)
        last_local = not _active(state)
        if not state.connections:
            self._drop_user(conn.user_id)
        return _Gone(last_local=last_local, team_ids=team_ids)

    def _drop_user(self, user_id: str) -> None:
        state = self.users.pop(user_id, None)
        if state is None:
            return
        for chat_channel_id in state.chat_channel_ids:
            _discard(self.channel_members, chat_channel_id, user_id)
        for team_id in state.team_ids:
            _discard(self.team_members, team_id, user_id)

    # --- membership ------------------------------------------------------------------------

    def _set_member(self, user_id: str, target: str, kind: str, joined: bool) -> None:
        state = self.users.get(user_id)
        if state is None or not target:
            return
        if state.pending is not None:
            state.pending.append((target, kind, joined))
            return
        mine, index = (
            (state.chat_channel_ids, self.channel_members)
            if kind == "channel"
            else (state.team_ids, self.team_members)
        )
        if joined:
            mine.add(target)
            index.setdefault(target, set()).add(user_id)
        else:
            mine.discard(target)
            _discard(index, target, user_id)

    def is_channel_member(self, user_id: str, chat_channel_id: str) -> bool:
        state = self.users.get(user_id)
        return state is not None and chat_channel_id in state.chat_channel_ids

    def team_ids_of(self, user_id: str) -> set[str]:
        state = self.users.get(user_id)
        return set(state.team_ids) if state is not None else set()

    # --- delivery --------------------------------------------------------------------------

    def deliver(self, envelope: Envelope) -> None:
        """Apply what the event changes, then queue its frame for every recipient here.

        Membership changes apply first: a member added by the event receives it, and a
        member removed by it receives only the copy addressed to them.
        """
        if envelope.event == RESYNC:
            self._resync_missed(envelope.data or {})
            return
        if envelope.data is not None:
            try:
                self._apply(envelope)
            except (KeyError, TypeError, AttributeError):
                logger.exception("Malformed %r event data.", envelope.event)
        if envelope.user_id:
            audience: Iterable[str] = (envelope.user_id,)
        elif envelope.chat_channel_id:
            audience = self.channel_members.get(envelope.chat_channel_id, ())
        else:
            audience = self.team_members.get(envelope.team_id, ())
        omit = envelope.omit_users
        recipients = [
            conn
            for user_id in audience
            if user_id not in omit and user_id in self.users
            for conn in self.users[user_id].connections
        ]
        if not envelope.mentions:
            for conn in recipients:
                conn.push_event(envelope.frame)
            return
        # A mentioned recipient gets their own id only: one frame per mentioned user.
        frames: dict[str, str] = {}
        for conn in recipients:
            frame = frames.get(conn.user_id)
            if frame is None:
                frame = frames[conn.user_id] = frame_for(envelope, conn.user_id)
            conn.push_event(frame)

    def _apply(self, envelope: Envelope) -> None:
        """What the event changes here besides its delivery: its catalogue `hub_effect`
        names it, and the keys read are those of the effect's payload type."""
        kind = event_type(envelope.event)
        effect = kind.hub_effect if kind is not None else HubEffect.NONE
        data: dict[str, Any] = envelope.data or {}
        if effect is HubEffect.CHANNEL_JOINED:
            self._set_member(data["user_id"], data["channel_id"], "channel", True)
        elif effect is HubEffect.CHANNEL_LEFT:
            removed = data.get("user_id") or envelope.user_id
            self._set_member(removed, data["channel_id"], "channel", False)
        elif effect is HubEffect.DIRECT_JOINED:
            self._set_member(envelope.user_id, data["channel_id"], "channel", True)
        elif effect is HubEffect.TEAM_JOINED:
            self._set_member(data["user_id"], data["team_id"], "team", True)
        elif effect is HubEffect.TEAM_LEFT:
            self._set_member(data["user_id"], data["team_id"], "team", False)
        elif effect is HubEffect.SESSIONS_ENDED:
            revoked = set(data["session_ids"])
            state = self.users.get(data["user_id"])
            for conn in list(state.connections) if state else ():
                if conn.session_id in revoked:
                    conn.shut(CLOSE_UNAUTHENTICATED)
        elif effect is HubEffect.USER_CHANGED:
            if data["user_id"] in self.users:
                self._spawn(self._close_if_deactivated({data["user_id"]}))
        elif effect is HubEffect.STATUS_CHANGED:
            state = self.users.get(data["user_id"])
            if state is not None:
                state.status = data["status"]

    async def publish(self, event: Event) -> None:
        """Publish from the event loop (typing), to every process's hub."""
        envelope = envelope_for(event)
        if self.subscription is not None:
            try:
                await self.subscription.publish(envelope)
                return
            except Exception as error:  # Redis is unreachable: this process's sockets only
                logger.warning("Could not publish %r to Redis (%s).", envelope.event, error)
        self.deliver(envelope)

    # --- activity and upkeep ---------------------------------------------------------------

    def acted(self, user_id: str) -> None:
        """The user did something on a socket: they are active (and back from away)."""
        self.presence.acted(user_id)
        state = self.users.get(user_id)
        if state is not None and state.status == STATUS_AWAY:
            state.status = STATUS_ONLINE  # at most one attempt until the status changes
            self._spawn(self._back_online(user_id, set(state.team_ids)))

    async def _back_online(self, user_id: str, team_ids: set[str]) -> None:
        status = await self.presence.back_online(user_id=user_id, team_ids=team_ids)
        state = self.users.get(user_id)
        if state is not None:
            state.status = status

    async def _close_if_deactivated(self, user_ids: set[str]) -> None:
        active = await database_sync_to_async(selectors.active_user_ids)(user_ids=user_ids)
        for user_id in user_ids - active:
            state = self.users.get(user_id)
            for conn in list(state.connections) if state else ():
                conn.shut(CLOSE_UNAUTHENTICATED)

    async def maintain(self) -> None:
        """Close sockets whose session ended unannounced (expired, a revoked access token),
        save activity and move idle users to away."""
        self._expire_parked()
        connections = [c for s in self.users.values() for c in s.connections]
        live = await database_sync_to_async(selectors.live_session_ids)(
            session_ids={c.session_id for c in connections}
        )
        for conn in connections:
            if conn.session_id not in live:
                conn.shut(CLOSE_UNAUTHENTICATED)
        active = [c for c in connections if not c.parked and not c.closed]
        await self._touch_sessions({c.session_id for c in active} & live)
        loaded = {u: s for u, s in self.users.items() if s.pending is None and _active(s)}
        statuses = await self.presence.tick(
            teams_by_user={u: set(s.team_ids) for u, s in loaded.items()},
            sockets=[(c.user_id, c.connection_id) for c in active if c.user_id in loaded],
        )
        for user_id, status in statuses.items():
            state = self.users.get(user_id)
            if state is not None:
                state.status = status

    async def _touch_sessions(self, session_ids: set[str]) -> None:
        """An open socket is use of its session: keep it from idle expiry. Only sessions
        past half the idle limit are written, since presence reads the same column
        (a touch counts as activity there for a moment, every few days at most)."""
        idle_ms = settings.CONFAB_SESSION_IDLE_SECONDS * 1000
        if not idle_ms or not session_ids:
            return
        await database_sync_to_async(session_touch_many)(
            session_ids=session_ids, older_than=now_ms() - idle_ms // 2
        )

    async def _maintain_forever(self) -> None:
        while True:
            await asyncio.sleep(conf.tick_seconds())
            try:
                await self.maintain()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Realtime upkeep failed; trying again next tick.")

    def _on_resume(self) -> None:
        # Events published while the subscription was down never reached this process:
        # its sockets' clients must reload (SECURITY 23).
        self._close_for_resync()

    def _resync_missed(self, data: dict[str, object]) -> None:
        """A process delivered events up to `until` to its own sockets only (it could not
        reach Redis): sockets here that connected before then may lack them."""
        until = data.get("until")
        if isinstance(until, int) and self._resynced_at_ms <= until + CLOCK_SKEW_MS:
            self._close_for_resync()

    def _close_for_resync(self) -> None:
        """Close every socket here, parked ones too, with `CLOSE_RESYNC`. The client
        reconnects, finds no connection to resume, gets a `hello` with a new connection id
        and reloads: late, but never silently missing events."""
        self._resynced_at_ms = now_ms()
        closing = [conn for state in self.users.values() for conn in state.connections]
        if closing:
            logger.warning("Closing %d sockets that may have missed events.", len(closing))
        for conn in closing:
            conn.shut(CLOSE_RESYNC)


def _active(state: _User) -> bool:
    """Whether the user has a socket open here (parked connections have none)."""
    return any(not c.parked for c in state.connections)


def _discard(index: dict[str, set[str]], key: str, user_id: str) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(user_id)
        if not members:
            del index[key]


# --- the process's hub ---------------------------------------------------------------------

_hub: Hub | None = None


def hub_for_running_loop() -> Hub:
    """This process's hub, bound to the running event loop (daphne's, in production).

    A new loop gets a new hub (tests run one loop per test); in a server there is one.
    """
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        if _hub is not None and not _hub.loop.is_closed():
            logger.warning("A second event loop replaces the realtime hub's loop.")
        else:
            _freeze_startup_objects()
        _hub = Hub(loop)
    return _hub


_startup_frozen = False


def _freeze_startup_objects() -> None:
    """Keep what the process loaded before its first socket out of the collector's sight.

    A full collection walks every object tracked, and during it nothing is delivered: with
    a thousand sockets one took 120-160 ms, every few seconds, a third of the time walking
    modules, classes and settings that live as long as the process. Frozen once, they are
    never walked again (Python's `gc.freeze`, after a collection so that no garbage is
    kept); what sockets and requests create afterwards is collected as before.
    """
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()


def current_hub() -> Hub | None:
    return _hub


def on_published(event: Event) -> None:
    """The `apps.realtime.publish` subscriber: runs in whatever thread committed."""
    envelope = envelope_for(event)
    url = conf.redis_url()
    if url and redis_publisher(url, conf.redis_channel()).publish(envelope):
        return
    # Embedded mode, or Redis unreachable: this process's own sockets get it now.
    hub = _hub
    if hub is not None and not hub.loop.is_closed():
        hub.loop.call_soon_threadsafe(hub.deliver, envelope)
