"""Shared fixtures: actors built through the services, event capture, service URLs."""

import os
from collections.abc import Callable, Iterator

import pytest

from apps.realtime import publish
from apps.realtime.publish import Event

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
