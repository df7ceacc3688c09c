"""Presence from sockets: online while a socket is open, offline when the last closes,
away after a quiet spell, and a status the user chose is kept."""

import pytest

from apps.accounts.models import Session, Status
from apps.core.timeutils import now_ms
from apps.realtime.hub import current_hub
from apps.realtime.services import user_status_set
from tests.realtime.conftest import Socket, World, db, run

pytestmark = pytest.mark.django_db(transaction=True)


def _status(user) -> str:
    row = Status.objects.filter(user=user).first()
    return row.status if row else "offline"


def _events(frames: list[dict], user) -> list[str]:
    return [
        f["data"]["status"]
        for f in frames
        if f.get("event") == "status_change" and f["data"]["user_id"] == user.id
    ]


def test_a_socket_brings_its_user_online_and_teammates_hear_it(world: World) -> None:
    async def scenario() -> None:
        alice = Socket(world.token(world.alice))
        await alice.ready()
        bob = Socket(world.token(world.bob))
        assert _events(await bob.ready(), world.bob) == ["online"]
        assert _events(await alice.sync(), world.bob) == ["online"]
        assert await db(_status)(world.bob) == "online"

    run(scenario)


def test_the_user_goes_offline_when_the_last_socket_closes(world: World) -> None:
    async def scenario() -> None:
        alice = Socket(world.token(world.alice))
        await alice.ready()
        first, second = Socket(world.token(world.bob)), Socket(world.token(world.bob))
        await first.ready()
        await second.ready()
        await alice.sync()
        await first.close()
        assert await db(_status)(world.bob) == "online"
        assert _events(await alice.sync(), world.bob) == []
        await second.close()
        assert await db(_status)(world.bob) == "offline"
        assert _events(await alice.sync(), world.bob) == ["offline"]

    run(scenario)


def test_a_status_the_user_chose_is_kept(world: World) -> None:
    async def scenario() -> None:
        await db(user_status_set)(actor=world.bob, user=world.bob, status="dnd")
        bob = Socket(world.token(world.bob))
        assert _events(await bob.ready(), world.bob) == []
        assert await db(_status)(world.bob) == "dnd"
        await bob.close()
        assert await db(_status)(world.bob) == "dnd"

    run(scenario)


def test_a_status_the_user_chose_reaches_their_teammates_sockets(world: World) -> None:
    async def scenario() -> None:
        carol = Socket(world.token(world.carol))
        await carol.ready()
        bob = Socket(world.token(world.bob))
        await bob.ready()
        await carol.sync()
        await db(user_status_set)(actor=world.bob, user=world.bob, status="dnd")
        assert _events(await bob.sync(), world.bob) == ["dnd"]
        # Carol shares only the team with bob: she hears it as she heard him come online.
        assert _events(await carol.sync(), world.bob) == ["dnd"]

    run(scenario)


def _idle_since(user, ms: int) -> None:
    Status.objects.filter(user=user).update(last_activity_at=ms)
    Session.objects.filter(user=user).update(last_activity_at=ms)


def test_a_quiet_user_goes_away_and_comes_back_on_activity(world: World, settings) -> None:
    settings.CONFAB_AWAY_AFTER_SECONDS = 60

    async def scenario() -> None:
        bob = Socket(world.token(world.bob))
        await bob.ready()
        hub = current_hub()
        assert hub is not None
        await hub.maintain()  # the ping counted as activity: still online
        assert await db(_status)(world.bob) == "online"
        await db(_idle_since)(world.bob, now_ms() - 120_000)
        await hub.maintain()
        assert await db(_status)(world.bob) == "away"
        # The ping in sync() is activity: bob is back.
        frames = await bob.sync()
        assert _events(frames, world.bob) == ["away"]
        assert _events(await bob.sync(), world.bob) == ["online"]
        assert await db(_status)(world.bob) == "online"

    run(scenario)


def test_http_activity_keeps_a_socket_user_online(world: World, settings) -> None:
    settings.CONFAB_AWAY_AFTER_SECONDS = 60

    async def scenario() -> None:
        bob = Socket(world.token(world.bob))
        await bob.ready()
        hub = current_hub()
        assert hub is not None
        await hub.maintain()
        await db(_idle_since)(world.bob, now_ms() - 120_000)
        await hub.maintain()
        assert await db(_status)(world.bob) == "away"
        # A request through the API touches the session: active again at the next tick.
        await db(lambda: Session.objects.filter(user=world.bob).update(last_activity_at=now_ms()))()
        await hub.maintain()
        assert await db(_status)(world.bob) == "online"

    run(scenario)
