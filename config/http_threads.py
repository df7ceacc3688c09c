"""Two thread pools for Django's WSGI handler: one for requests with a large body.

With bodies streamed (config/daphne_streaming.py) a request runs while its body is still
arriving, so an upload holds its thread for as long as its client takes to send it. On
the one pool of CONFAB_HTTP_THREADS, four slow uploads would leave nothing for the pings,
history reads and posts behind them. Requests that declare a body over
CONFAB_HTTP_LARGE_BODY_BYTES (or send one in chunks, of unknown size) go to a pool of
their own, CONFAB_HTTP_UPLOAD_THREADS wide; the rest of the API keeps its threads.

Stopping: a request still running when daphne stops can never finish (a2wsgi's thread
waits, without a timeout, for the stopped event loop to take its response), and Python's
exit joins every pool thread, so the process never ended: seen as a stop that hung under
a loaded test run, and reproduced with a request in flight at SIGTERM. `exit_after_stop`
gives such threads a moment, then ends the process without them.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.asgi_typing import HTTPScope, Receive, Send

logger = logging.getLogger(__name__)

# How long requests still running when the server stops may take to end by themselves.
STOP_GRACE_SECONDS = 5.0


class LargeBodiesApart:
    def __init__(self, wsgi_app: Any, *, threads: int, upload_threads: int, large: int) -> None:
        self.small = WSGIMiddleware(wsgi_app, workers=threads)
        self.large = WSGIMiddleware(wsgi_app, workers=upload_threads)
        self.large_body_bytes = large

    async def __call__(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        pool = self.large if self._has_large_body(scope) else self.small
        await pool(scope, receive, send)

    def _has_large_body(self, scope: HTTPScope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                return not value.isdigit() or int(value) > self.large_body_bytes
            if name == b"transfer-encoding":
                return True
        return False

    def exit_after_stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Called once the server has stopped: wait up to `grace` for the threads still
        running requests, then end the process if any is still stuck."""
        threads = []
        for pool in (self.small, self.large):
            pool.executor.shutdown(wait=False, cancel_futures=True)
            threads += list(pool.executor._threads)  # the pool's workers (stable since 3.8)
        deadline = time.monotonic() + grace
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = sum(thread.is_alive() for thread in threads)
        if stuck:
            logger.warning(
                "%d request(s) were still running when the server stopped; exiting without them.",
                stuck,
            )
            logging.shutdown()
            os._exit(0)


def exit_after_daphne_stops(application: LargeBodiesApart) -> None:
    """Under daphne (whose server module is loaded before the application), run
    `exit_after_stop` when Twisted's reactor has shut down."""
    import sys

    if "daphne.server" not in sys.modules:
        return
    from twisted.internet import reactor

    # zope interface methods declare no `self`, so mypy reads `phase` as it: the call is right.
    reactor.addSystemEventTrigger("after", "shutdown", application.exit_after_stop)  # type: ignore[arg-type]  # see above
