"""SECURITY 23: Redis stops under load, and Confab degrades and recovers in a defined way.

A Redis of the test's own (a `redis-server` process on a free loopback port) carries the
realtime hubs, the rate limits and the Celery broker of a live daphne, with a real Celery
worker. Posts go in through the REST API while that Redis is killed and restarted empty,
or paused and resumed (a host that stops answering without closing connections). Then:

- every post is accepted (201), none waits long on the missing Redis;
- a socket open on the server sees every post made during the outage (its own process
  delivers them), and once Redis is back it is closed with `CLOSE_RESYNC`, since events
  of other processes may have passed it by: its client reconnects and reloads;
- every post is found by search after recovery: posts whose task could not be queued were
  indexed inline, and tasks lost with Redis's memory are made good by the catch-up job,
  sent here through the broker as beat sends it.
"""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from celery import Celery
from django.conf import settings as django_settings
from websockets.exceptions import ConnectionClosed

from apps.core.ids import new_id
from apps.realtime.events import CLOSE_RESYNC
from tests.conftest import IN_CI, _application, _forget_inherited_connections
from tests.core.test_celery import _database_url
from tests.realtime.conftest import build_world
from tests.realtime.test_live import next_frame, open_socket

pytestmark = [pytest.mark.slow, pytest.mark.services]

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_SECONDS = 10
# The slowest a post may answer while Redis is away. The first one in an outage waits for
# the timeouts (rate limit 0.5 s, realtime 1 s, broker 2 s); the rest go straight on.
POST_BOUND_SECONDS = 6
WORD = "kestrel"


class RedisServer:
    """A `redis-server` of this test's own, with no persistence: a restart empties it."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start.")
                time.sleep(0.05)
        client.close()

    def interrupt(self, outage: str) -> None:
        """Kill it (its data goes with it), or pause it (connections stay open, unanswered)."""
        assert self.process is not None
        if outage == "killed":
            self.process.kill()
            self.process.wait(timeout=10)
        else:
            self.process.send_signal(signal.SIGSTOP)

    def restore(self, outage: str) -> None:
        assert self.process is not None
        if outage == "killed":
            self.start()
        else:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL ends a paused process too
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("redis-server is not installed, and CI must run the outage test.")
        pytest.skip("redis-server is not installed (CI installs it).")
    server = RedisServer(binary, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def worker(own_redis, tmp_path, transactional_db) -> Iterator[None]:
    """A real Celery worker on the test's Redis and the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": own_redis.url,
        "CONFAB_VAR_DIR": str(tmp_path),
        "CONFAB_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
            *("--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def server(settings, own_redis, worker, transactional_db) -> Iterator[str]:
    """A live daphne whose realtime hub, rate limits and Celery broker are on that Redis."""
    from daphne.testing import DaphneProcess

    settings.CONFAB_REALTIME_REDIS_URL = own_redis.url
    settings.CONFAB_REALTIME_REDIS_CHANNEL = f"confab:test:{new_id()}"
    settings.CONFAB_RATE_LIMIT_REDIS_URL = own_redis.url
    # The cache, which counts sign-in failures, as production configures it on Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.FailSoftRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "confab",
        }
    }

    def setup() -> None:
        _forget_inherited_connections()
        # Tests run Celery eagerly; the server queues its tasks on Redis as production does
        # (the Celery app reads Django's settings once, so it is told directly).
        from config.celery import app

        app.conf.update(
            task_always_eager=False,
            broker_url=own_redis.url,
            broker_transport_options=django_settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )

    process = DaphneProcess("127.0.0.1", _application, setup=setup)
    process.start()
    try:
        if not process.ready.wait(timeout=20):
            pytest.fail("The live server did not start.")
        yield f"http://127.0.0.1:{process.port.value}"
    finally:
        process.terminate()
        process.join(timeout=10)


async def _post(http: httpx.AsyncClient, channel_id: str, message: str) -> tuple[str, float]:
    started = time.monotonic()
    try:
        response = await http.post(
            "/api/v4/posts", json={"channel_id": channel_id, "message": message}
        )
    except httpx.TimeoutException:
        raise AssertionError(f"A post got no answer within {http.timeout.read} s.") from None
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.text
    return response.json()["id"], elapsed


async def _sign_in(server: str, username: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=server, timeout=POST_BOUND_SECONDS) as http:
        try:
            response = await http.post(
                "/api/v4/users/login", json={"login_id": username, "password": password}
            )
        except httpx.TimeoutException:
            raise AssertionError("Sign-in got no answer while Redis was away.") from None
    return response.status_code


async def _collect(ws, frames: list[dict]) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            frames.append(json.loads(message))


def _posted_ids(frames: list[dict]) -> list[str]:
    return [json.loads(f["data"]["post"])["id"] for f in frames if f.get("event") == "posted"]


@pytest.mark.parametrize("outage", ["killed", "paused"])
def test_posts_are_accepted_delivered_or_resynced_and_indexed_through_an_outage(
    server, own_redis, outage
) -> None:
    world = build_world()
    channel_id = world.channel.id

    async def scenario() -> tuple[dict[str, list], dict[str, float], list[dict], int | None]:
        ws = await open_socket(
            server.replace("http://", "ws://") + "/api/v4/websocket", world.token(world.bob)
        )
        assert (await next_frame(ws))["event"] == "hello"
        frames: list[dict] = []
        reader = asyncio.create_task(_collect(ws, frames))
        ids: dict[str, list[str]] = {"before": [], "during": [], "after": []}
        slowest: dict[str, float] = {}
        headers = {"Authorization": f"Bearer {world.token(world.alice)}"}
        timeout = 2 * POST_BOUND_SECONDS
        async with httpx.AsyncClient(base_url=server, headers=headers, timeout=timeout) as http:

            async def post(phase: str) -> None:
                post_id, elapsed = await _post(
                    http, channel_id, f"{WORD} {phase} {len(ids[phase])}"
                )
                ids[phase].append(post_id)
                slowest[phase] = max(slowest.get(phase, 0.0), elapsed)

            for _ in range(3):
                await post("before")
            own_redis.interrupt(outage)
            try:
                ends = time.monotonic() + OUTAGE_SECONDS
                await post("during")
                signed_in = await _sign_in(server, "carol", "Correct-Horse-7")
                refused = await _sign_in(server, "carol", "wrong password")
                while time.monotonic() < ends:
                    await post("during")
                    await asyncio.sleep(0.25)
            finally:
                own_redis.restore(outage)
            for _ in range(3):
                await post("after")
                await asyncio.sleep(0.5)
        # The subscription comes back within seconds, and the hub closes the socket.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, 20)
        reader.cancel()
        return ids, slowest, frames, ws.close_code, signed_in, refused

    with asyncio.Runner() as runner:
        ids, slowest, frames, close_code, signed_in, refused = runner.run(scenario())

    seen = _posted_ids(frames)
    print(
        f"Redis {outage} for {OUTAGE_SECONDS} s: posts accepted "
        + ", ".join(f"{phase} {len(ids[phase])}" for phase in ids)
        + "; slowest answers "
        + ", ".join(f"{phase} {slowest[phase]:.2f} s" for phase in slowest)
        + f"; the socket saw {len(set(seen))} of them, then closed with {close_code}"
    )
    # Sign-in works through the outage (its failure counters are kept in memory meanwhile),
    # and a wrong password is still refused.
    assert signed_in == 200
    assert refused == 401
    # Every post was accepted, and none waited long for the missing Redis.
    assert len(ids["during"]) >= 5, ids
    assert max(slowest.values()) < POST_BOUND_SECONDS, slowest

    # The socket saw every post made during the outage (its own process delivered them),
    # and was then told to resync; before that it missed nothing silently.
    assert set(ids["before"] + ids["during"]) <= set(seen), (ids, seen)
    assert close_code == CLOSE_RESYNC, (close_code, seen)

    # Every post is found by search once the catch-up job (beat's) has run.
    beat = Celery("confab-test-beat", broker=own_redis.url, set_as_current=False)
    beat.send_task("apps.search.tasks.search_catch_up_task")
    wanted = set(ids["before"] + ids["during"] + ids["after"])
    found: set[str] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not wanted <= found:
        response = httpx.post(
            f"{server}/api/v4/teams/{world.team.id}/posts/search",
            json={"terms": WORD, "is_or_search": False},
            headers={"Authorization": f"Bearer {world.token(world.alice)}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        found = set(response.json()["order"])
        time.sleep(0.5)
    assert wanted <= found, sorted(wanted - found)
