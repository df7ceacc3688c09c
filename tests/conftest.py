"""Shared fixtures: actors built through the services, event capture, service URLs."""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from apps.realtime import publish
from apps.realtime.publish import Event
from tests.loopback import LoopbackServer

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(env_var: str) -> str:
    """The URL of an external service for a test; in CI a missing one fails the run."""
    url = os.environ.get(env_var, "")
    if not url:
        if IN_CI:
            pytest.fail(f"{env_var} is not set, and CI must test against the real service.")
        pytest.skip(f"{env_var} is not set (CI sets it; locally this test is optional).")
    return url


@pytest.fixture
def redis_url() -> str:
    return require_service("REDIS_URL")


class EventLog(list[Event]):
    def named(self, name: str) -> list[Event]:
        return [e for e in self if e.event == name]


@pytest.fixture
def capture_events(
    django_capture_on_commit_callbacks,
) -> Iterator[Callable[[], "_Capture"]]:
    """`with capture_events() as events:` runs on-commit callbacks and records what was
    published, as the WebSocket layer would receive it."""

    def factory() -> "_Capture":
        return _Capture(django_capture_on_commit_callbacks)

    yield factory


class _Capture:
    def __init__(self, capture_on_commit) -> None:
        self._capture_on_commit = capture_on_commit
        self.events = EventLog()

    def __enter__(self) -> EventLog:
        self._unsubscribe = publish.subscribe(self.events.append)
        self._ctx = self._capture_on_commit(execute=True)
        self._ctx.__enter__()
        return self.events

    def __exit__(self, *exc) -> None:
        try:
            self._ctx.__exit__(*exc)
        finally:
            self._unsubscribe()
        if exc[0] is None:
            # Every event a test captures conforms to its catalogue payload type.
            from apps.realtime.catalogue import payload_problems

            problems = {e.event: payload_problems(e) for e in self.events}
            assert not any(problems.values()), problems


# --- the API ----------------------------------------------------------------------------------


class ApiClient:
    """Calls /api/v4 like a Mattermost client: bearer token, JSON bodies, and checks that
    every answer is JSON with exactly `application/json` and the expected status."""

    def __init__(self, client, token: str = "") -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body=None, *, status: int = 200, **params):
        import json as _json

        url = path if path.startswith("/") else f"/api/v4/{path}"
        kwargs = self._headers()
        if params:
            from urllib.parse import urlencode

            url = f"{url}?{urlencode(params)}"
        if body is not None:
            kwargs["data"] = _json.dumps(body)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(url, **kwargs)
        assert response.status_code == status, (response.status_code, response.content[:500])
        assert response["Content-Type"] == "application/json", response["Content-Type"]
        data = response.json()
        if status >= 400:
            assert set(data) >= {"id", "message", "request_id", "status_code"}, data
            assert data["status_code"] == status
        return data

    def get(self, path: str, *, status: int = 200, **params):
        return self.call("get", path, status=status, **params)

    def post(self, path: str, body=None, *, status: int = 200, **params):
        return self.call("post", path, body, status=status, **params)

    def put(self, path: str, body=None, *, status: int = 200, **params):
        return self.call("put", path, body, status=status, **params)

    def delete(self, path: str, body=None, *, status: int = 200, **params):
        return self.call("delete", path, body, status=status, **params)


@pytest.fixture
def api_as(client):
    """`api_as(user)` is an ApiClient signed in as that user (a real session token);
    `api_as(None)` is anonymous."""
    from django.test import Client

    def factory(user) -> ApiClient:
        if user is None:
            return ApiClient(Client())
        from apps.accounts.services.sessions import session_create

        _session, token = session_create(user=user)
        return ApiClient(Client(), token)

    return factory


# --- a live server --------------------------------------------------------------------------


def _forget_inherited_connections() -> None:
    """In the forked server process, drop (never close) the parent's database sockets."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.connection = None
    # The same for a connection pool: its sockets and threads belong to the parent.
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()


def _application():
    from channels.routing import get_default_application

    return get_default_application()


@pytest.fixture
def live_server_url(live_daphne) -> str:
    """The address of a daphne serving Confab (HTTP and WebSocket) against the test
    database. Function-scoped: each test gets a server that sees exactly its own data."""
    return live_daphne.url


@dataclass(frozen=True)
class LiveServer:
    url: str
    host: str
    port: int
    pid: int

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/api/v4/websocket"


@pytest.fixture
def live_daphne(transactional_db) -> Iterator[LiveServer]:
    """daphne serving `config.asgi:application` in its own process, against the test
    database; `pid` is that process (for its memory), `url` its address."""
    from daphne.testing import DaphneProcess
    from django.db import connections

    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            pytest.fail("The live server needs a file or PostgreSQL test database.")
    process = DaphneProcess("127.0.0.1", _application, setup=_forget_inherited_connections)
    process.start()
    if not process.ready.wait(timeout=20):
        process.terminate()
        pytest.fail("The live server did not start.")
    port = process.port.value
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{port}", host="127.0.0.1", port=port, pid=process.pid
        )
    finally:
        process.terminate()
        process.join(timeout=10)


@pytest.fixture
def server_factory() -> Iterator[Callable[..., LoopbackServer]]:
    """Start loopback HTTP servers: `server_factory(behaviour)`, where
    `behaviour(handler)` answers each request (see `tests.loopback.reply`); each
    server's `requests` records what it received."""
    servers: list[LoopbackServer] = []

    def make(behaviour, host: str = "127.0.0.1") -> LoopbackServer:
        server = LoopbackServer(behaviour, host)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def allow_loopback(settings):
    """Let outbound HTTP reach 127.0.0.1, where the tests' integrations listen."""
    settings.CONFAB_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1/32"]
    return settings
