"""config/http_threads.py: when the server has stopped, a request thread that can never
finish (it waits for the stopped event loop) does not keep the process alive."""

import threading

import pytest

from config import http_threads
from config.http_threads import LargeBodiesApart


def _app(environ, start_response):  # never called: the pools only run the test's work
    raise AssertionError


@pytest.fixture
def exits(monkeypatch) -> list[int]:
    codes: list[int] = []
    monkeypatch.setattr(http_threads.os, "_exit", codes.append)
    return codes


def test_a_request_stuck_after_the_stop_ends_the_process_after_the_grace(exits):
    pools = LargeBodiesApart(_app, threads=2, upload_threads=2, large=1024)
    never = threading.Event()
    started = threading.Event()

    def stuck() -> None:
        started.set()
        never.wait()  # as a2wsgi's thread waits for a loop that no longer runs

    pools.small.executor.submit(stuck)
    started.wait(5)
    try:
        pools.exit_after_stop(grace=0.2)
        assert exits == [0]
    finally:
        never.set()


def test_finished_requests_leave_the_exit_to_python(exits):
    pools = LargeBodiesApart(_app, threads=2, upload_threads=2, large=1024)
    pools.small.executor.submit(lambda: None).result(5)
    pools.large.executor.submit(lambda: None).result(5)
    pools.exit_after_stop(grace=1)
    assert exits == []
