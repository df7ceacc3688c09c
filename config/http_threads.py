"""Two thread pools for Django's WSGI handler: one for requests with a large body.

With bodies streamed (config/daphne_streaming.py) a request runs while its body is still
arriving, so an upload holds its thread for as long as its client takes to send it. On
the one pool of CONFAB_HTTP_THREADS, four slow uploads would leave nothing for the pings,
history reads and posts behind them. Requests that declare a body over
CONFAB_HTTP_LARGE_BODY_BYTES (or send one in chunks, of unknown size) go to a pool of
their own, CONFAB_HTTP_UPLOAD_THREADS wide; the rest of the API keeps its threads.
"""

from __future__ import annotations

from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.asgi_typing import HTTPScope, Receive, Send


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
