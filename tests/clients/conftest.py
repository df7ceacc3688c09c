"""Helpers for driving the unmodified Mattermost client libraries against a live server."""

import asyncio
import json
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from mattermostdriver import Driver


def make_driver(live_server_url: str, **options) -> Driver:
    url = urlparse(live_server_url)
    return Driver(
        {"url": url.hostname, "port": url.port, "scheme": "http", "timeout": 1, **options}
    )


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.1):
    """Poll until `predicate()` is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout}s waiting for {predicate!r}")


class SocketListener:
    """mattermostdriver's own WebSocket loop in a thread, collecting every frame."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.frames: list[dict] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())

        async def handler(message: str) -> None:
            self.frames.append(json.loads(message))

        self.driver.init_websocket(handler)

    def start(self) -> "SocketListener":
        self._thread.start()
        wait_for(lambda: any(f.get("event") == "hello" for f in self.frames))
        return self

    def events(self, name: str) -> list[dict]:
        return [f for f in self.frames if f.get("event") == name]

    def stop(self) -> None:
        self.driver.disconnect()
        self._thread.join(timeout=5)
