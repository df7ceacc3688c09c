"""A live daphne for the security tests: the findings that only show through a real server
(Twisted's HTTP parsing, daphne's access log, socket buffers) are tested here, not through
Django's test client."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import _application, _forget_inherited_connections


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
