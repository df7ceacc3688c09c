"""Presence from sockets: `online` while a user has a socket open anywhere, `offline` when
the last one closes, `away` after a quiet spell; a status the user chose is kept.

Whether a user still has a socket *anywhere* needs shared state once there are several
processes: with Redis each socket is a member of a sorted set per user, scored with an
expiry that the hub refreshes every tick, so a crashed process's sockets age out. Activity
is shared through the database (`Status.last_activity_at`, written at most once a tick),
so one process does not mark away a user who is busy on another.
"""

import logging
import time
from collections.abc import Iterable

import redis.asyncio as aioredis
from channels.db import database_sync_to_async

from apps.accounts.models import STATUS_AWAY, STATUS_OFFLINE, STATUS_ONLINE, Status
from apps.core.timeutils import now_ms
from apps.realtime import conf, selectors
from apps.realtime.services import status_record_activity, status_set_automatic

logger = logging.getLogger(__name__)

KEY_PREFIX = "confab:presence:"


class LocalSockets:
    """Embedded mode: this process holds every socket, so its own count is the truth."""

    async def add(self, user_id: str, connection_id: str) -> None:
        return None

    async def remove(self, user_id: str, connection_id: str) -> bool:
        """Whether the user still has a socket elsewhere (never, in one process)."""
        return False

    async def refresh(self, sockets: Iterable[tuple[str, str]]) -> None:
        return None

    async def close(self) -> None:
        return None


REDIS_CONNECTIONS = 16
REDIS_WAIT_SECONDS = 20


class RedisSockets:
    """Several processes: a sorted set per user of socket ids scored by expiry time."""

    def __init__(self, url: str, channel: str) -> None:
        # A burst (a thousand sockets closing at once) waits its turn for one of a bounded
        # set of connections; the default pool refused past 100 with MaxConnectionsError,
        # and those users then stayed online until their entries expired.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_WAIT_SECONDS,
            socket_connect_timeout=5,
            socket_timeout=5,
        )
        self._client = aioredis.Redis.from_pool(pool)
        # Keys are namespaced by the pub/sub channel, so separate deployments (or test
        # runs) sharing one Redis do not see each other's sockets.
        self._prefix = f"{KEY_PREFIX}{channel}:"

    def _ttl(self) -> float:
        return 3 * conf.tick_seconds() + 5

    async def add(self, user_id: str, connection_id: str) -> None:
        await self.refresh([(user_id, connection_id)])

    async def remove(self, user_id: str, connection_id: str) -> bool:
        key = self._prefix + user_id
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.zrem(key, connection_id)
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zcard(key)
            *_, remaining = await pipe.execute()
        return bool(remaining)

    async def refresh(self, sockets: Iterable[tuple[str, str]]) -> None:
        expires = time.time() + self._ttl()
        async with self._client.pipeline(transaction=False) as pipe:
            for user_id, connection_id in sockets:
                key = self._prefix + user_id
                pipe.zadd(key, {connection_id: expires})
                pipe.expire(key, int(self._ttl()) + 1)
            await pipe.execute()

    async def close(self) -> None:
        await self._client.aclose()


class Presence:
    """Turns socket comings and goings, actions and quiet spells into status changes."""

    def __init__(self, sockets: LocalSockets | RedisSockets) -> None:
        self.sockets = sockets
        # user id -> ms of the latest action not yet written to the database
        self._unsaved_activity: dict[str, int] = {}

    async def connected(self, *, user_id: str, connection_id: str, team_ids: set[str]) -> str:
        """A socket opened; returns the user's status afterwards."""
        await self.sockets.add(user_id, connection_id)
        row = await _set(user_id=user_id, status=STATUS_ONLINE, team_ids=team_ids)
        return row.status if row is not None else STATUS_OFFLINE

    async def disconnected(
        self, *, user_id: str, connection_id: str, last_local: bool, team_ids: set[str]
    ) -> None:
        """A socket closed; the user goes offline when it was their last one anywhere."""
        try:
            elsewhere = await self.sockets.remove(user_id, connection_id)
        except Exception:
            logger.exception("Could not count %s's other sockets; keeping the status.", user_id)
            return
        if last_local and not elsewhere:
            self._unsaved_activity.pop(user_id, None)
            await _set(user_id=user_id, status=STATUS_OFFLINE, team_ids=team_ids)

    def acted(self, user_id: str) -> None:
        self._unsaved_activity[user_id] = now_ms()

    async def back_online(self, *, user_id: str, team_ids: set[str]) -> str:
        row = await _set(user_id=user_id, status=STATUS_ONLINE, team_ids=team_ids)
        return row.status if row is not None else STATUS_OFFLINE

    async def tick(
        self, *, teams_by_user: dict[str, set[str]], sockets: list[tuple[str, str]]
    ) -> dict[str, str]:
        """Save activity, refresh this process's sockets, and move idle users to away
        (and active ones back to online). Returns the statuses it knows afterwards."""
        activity, self._unsaved_activity = self._unsaved_activity, {}
        await self.sockets.refresh(sockets)
        return await _tick(activity=activity, teams_by_user=teams_by_user)

    async def close(self) -> None:
        await self.sockets.close()


@database_sync_to_async
def _set(*, user_id: str, status: str, team_ids: set[str]) -> Status | None:
    return status_set_automatic(user_id=user_id, status=status, team_ids=team_ids)


@database_sync_to_async
def _tick(*, activity: dict[str, int], teams_by_user: dict[str, set[str]]) -> dict[str, str]:
    if activity:
        status_record_activity(activity=activity)
    if not teams_by_user:
        return {}
    idle_before = now_ms() - conf.away_after_seconds() * 1000
    statuses: dict[str, str] = {}
    presence = selectors.presence_for_users(user_ids=teams_by_user)
    for user_id, (status, manual, last_activity) in presence.items():
        statuses[user_id] = status
        if manual:
            continue
        wanted = status
        if status == STATUS_ONLINE and last_activity < idle_before:
            wanted = STATUS_AWAY
        elif status in (STATUS_AWAY, STATUS_OFFLINE) and last_activity >= idle_before:
            wanted = STATUS_ONLINE
        elif status == STATUS_OFFLINE:
            # Connected but recorded offline (a race with another process's last close).
            wanted = STATUS_AWAY
        if wanted != status:
            row = status_set_automatic(
                user_id=user_id, status=wanted, team_ids=teams_by_user[user_id]
            )
            statuses[user_id] = row.status if row is not None else status
    return statuses
