"""The daphne CLI, run the way `make run` and production run it, writes no secret of a URL to
its access log or to the server's log (issue 12, finding 7; SECURITY 26).

An incoming webhook's id and a slash command's response-URL id are credentials (the URL is
all a caller needs), as are a team's invite id and a session token in a query string. The
access log is daphne's own writer, not Python logging, so only a real `daphne` process shows
what it writes.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.sync.client import connect as ws_connect

from apps.accounts.services.sessions import session_create
from apps.core.ids import new_id
from apps.integrations.models import CommandWebhook
from apps.integrations.services import incoming_webhook_create
from apps.integrations.services_custom_commands import command_create
from tests.channels.world import build_world
from tests.core.test_celery import _database_url

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).parent / "daphne"
REDACTED = "<redacted>"
OUTPUT = "daphne-output.log"  # daphne's stdout and stderr


@dataclass(frozen=True)
class Secrets:
    hook_id: str
    response_url_id: str
    unknown_hook_id: str
    invite_id: str
    token: str

    def all(self) -> dict[str, str]:
        return dict(vars(self))


@pytest.fixture
def secrets(transactional_db) -> Secrets:
    world = build_world()
    hook = incoming_webhook_create(actor=world.alice, channel_id=world.lobby.id)
    deploy = command_create(
        actor=world.bob,
        team_id=world.team.id,
        trigger="deploy",
        url="https://integrations.example.com/deploy",
        method="P",
    )
    # The response URL a run of /deploy hands its integration (made as that run makes it).
    response_url = CommandWebhook.objects.create(
        command=deploy, user=world.bob, channel=world.lobby
    )
    _, token = session_create(user=world.alice, device_id="log-test")
    return Secrets(
        hook_id=hook.id,
        response_url_id=response_url.id,
        unknown_hook_id=new_id(),
        invite_id=world.team.invite_id,
        token=token,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"daphne exited with {server.returncode} before listening.")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("daphne did not start listening.")


class _Client:
    """One kept-alive connection that sends each path byte for byte (no client-side
    normalising). Kept alive because daphne drops the access-log line of a response
    whose client hung up as soon as it had read the body."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def status(self, method: str, path: str, body: object = None) -> int:
        raw = body if isinstance(body, str) or body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if raw is not None else {}
        self.connection.request(method, path, body=(raw or "").encode(), headers=headers)
        response = self.connection.getresponse()
        response.read()
        return response.status

    def post(self, path: str, body: object) -> int:
        return self.status("POST", path, body)


def _exercise(port: int, s: Secrets) -> None:
    """Every way a secret reaches the server in a URL, each with the status it must get."""
    client = _Client(port)
    assert client.post(f"/hooks/{s.hook_id}", {"text": "build passed"}) == 200
    assert client.post(f"/hooks/{s.hook_id}", {"text": ""}) == 400
    assert client.post(f"/hooks/{s.hook_id}", "{not json") == 400
    # These reach the hook too: daphne decodes the path, the API middleware folds `//`.
    assert client.post(f"/hooks%2F{s.hook_id}", {"text": "encoded"}) == 200
    assert client.post(f"/hooks//{s.hook_id}", {"text": "folded"}) == 200
    assert client.post(f"/hooks/{s.unknown_hook_id}", {"text": "who?"}) == 400
    assert client.post(f"/hooks/commands/{s.response_url_id}", {"text": "deployed"}) == 200
    assert client.post(f"/hooks/commands/{s.response_url_id}", "{not json") == 400
    # The same id on the management API, unauthenticated: "Unauthorized: <path>".
    assert client.status("GET", f"/api/v4/hooks/incoming/{s.hook_id}") == 401
    assert client.status("POST", f"/api/v4/teams/members/invite?invite_id={s.invite_id}") == 401
    # Mattermost clients may send their token in the query; HTTP refuses it, and must not log it.
    assert client.status("GET", f"/api/v4/users/me?access_token={s.token}") == 401
    assert client.status("GET", "/api/v4/system/ping") == 200  # the last line may be lost
    client.connection.close()
    with ws_connect(f"ws://127.0.0.1:{port}/api/v4/websocket?access_token={s.token}") as ws:
        assert json.loads(ws.recv(timeout=10))["event"] == "hello"


@contextmanager
def _daphne(tmp_path: Path, args: list[str], extra_env: dict[str, str]) -> Iterator[int]:
    """The daphne CLI serving Confab's ASGI app against the test database, its stdout and
    stderr in `tmp_path / OUTPUT`; yields its port, and stops it (flushing its logs)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": _database_url(),
        "CONFAB_VAR_DIR": str(tmp_path),
        "CONFAB_ENV": "development",
        **extra_env,
    }
    for shared in ("REDIS_URL", "CONFAB_REALTIME_REDIS_URL", "CONFAB_RATE_LIMIT_REDIS_URL"):
        env.pop(shared, None)
    for folder in ("queue", "processed", "control"):  # the embedded Celery queue, unused here
        (tmp_path / "celery" / folder).mkdir(parents=True)
    port = _free_port()
    with (tmp_path / OUTPUT).open("w") as sink:
        server = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), *args, "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, server)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra_args", "extra_env", "access_log_name"),
    [
        # `make run`: default verbosity, so the access log goes to stdout; DEBUG on.
        pytest.param([], {}, None, id="make-run"),
        # A deployment's shape: DEBUG off and the access log in its own file.
        pytest.param(
            ["--access-log", "{tmp}/access.log"],
            {"DJANGO_DEBUG": "false"},
            "access.log",
            id="access-log-file",
        ),
    ],
)
def test_no_url_secret_reaches_any_log_line(
    secrets, tmp_path, extra_args, extra_env, access_log_name
):
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in extra_args]
    with _daphne(tmp_path, args, extra_env) as port:
        _exercise(port, secrets)

    logs = (tmp_path / OUTPUT).read_text()
    access_log = (tmp_path / access_log_name).read_text() if access_log_name else logs
    everything = logs + access_log
    for name, secret in secrets.all().items():
        assert secret not in everything, f"the {name} was logged:\n{everything}"

    # The requests are still there, with the secret parts blanked.
    for line in (
        f'"POST /hooks/{REDACTED}" 200',
        f'"POST /hooks/{REDACTED}" 400',
        f'"POST /hooks/commands/{REDACTED}" 200',
        f'"POST /hooks/commands/{REDACTED}" 400',
        f'"GET /api/v4/hooks/incoming/{REDACTED}" 401',
        f'"POST /api/v4/teams/members/invite?invite_id={REDACTED}" 401',
        f'"GET /api/v4/users/me?access_token={REDACTED}" 401',
    ):
        assert line in access_log, f"{line} missing from the access log:\n{access_log}"
    assert f"Bad Request: /hooks/{REDACTED}" in logs
    assert f"Bad Request: /hooks/commands/{REDACTED}" in logs
    assert f"Unauthorized: /api/v4/hooks/incoming/{REDACTED}" in logs
