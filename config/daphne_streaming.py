"""Request bodies streamed from daphne to Confab, in bounded memory.

Daphne 4 hands a request to the application only once Twisted has received all of its
body, and then puts the whole body into the application's queue at once; before that,
Twisted parses every `multipart/form-data` body in memory (several copies of it) to fill
`request.args`, which nothing here reads. Measured with `python -m bench.uploads`: a
200 MB upload took the server from about 200 MB to 2.6 GB of memory, an anonymous one
as much before its 401, and pings waited up to 11 s meanwhile.

`StreamingRequest` starts the application as soon as the headers are in, as uvicorn and
hypercorn do, and passes the body on chunk by chunk as it arrives. While the application
has more than `HIGH_WATER` bytes waiting, the socket is not read (TCP pushes back on the
client); it is read again once the application has taken the backlog below `LOW_WATER`.
So Confab sees the headers before any of the body, and answers a request it refuses
(no session, a Content-Length over the limit) without reading what follows: a client
that sent `Expect: 100-continue` is told `100 Continue` only when the body is first read.

After such an early answer the rest of the body must never be read as a next request on
the connection: the connection closes after the answer. Before closing it keeps reading
and discarding for up to `LINGER_SECONDS`, so a client still sending gets the answer
rather than a reset (the kernel resets a socket closed with unread data).

Requests without a body (most GETs, every WebSocket handshake) go through daphne
unchanged; any request with a body streams, whatever its other headers say.
`install()`, called when `config.asgi` is imported, makes daphne build these requests,
however daphne is started (its CLI, a test process).
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from daphne import http_protocol as daphne_http_protocol
from daphne.http_protocol import WebRequest
from daphne.utils import HEADER_NAME_RE, INVALID_HEADER_VALUE_BYTES, parse_x_forwarded_for

logger = logging.getLogger(__name__)

# Body bytes waiting for the application before the socket stops being read, and the
# level at which it is read again. Twisted reads up to 64 KiB at a time.
HIGH_WATER = 512 * 1024
LOW_WATER = 128 * 1024
# How long a connection answered before its body ended keeps discarding that body.
LINGER_SECONDS = 5.0


class _BodyQueue(asyncio.Queue):
    """The application's `receive`: tells the request when body bytes are taken, so it
    can read the socket again."""

    def __init__(self, request: StreamingRequest) -> None:
        super().__init__()
        self._request = request

    async def get(self) -> dict[str, Any]:
        self._request.body_wanted()
        message = await super().get()
        self._request.body_taken(len(message.get("body", b"")))
        return message


class StreamingRequest(WebRequest):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Twisted must never parse a form body into `request.args` (in memory, whole):
        # Django parses it, streaming.
        self._parsePOSTFormSubmission = False
        self._streaming = False
        self._body_complete = False
        self._waiting_bytes = 0
        self._reading_paused = False
        self._continue_pending = False
        self._lingering: Any = None  # the timer that ends a lingering connection

    # --- Twisted's callbacks ------------------------------------------------------------

    def gotLength(self, length: int | None) -> None:
        """The headers are in; `length` is the Content-Length, None when chunked."""
        if length == 0:  # no body (a WebSocket handshake among them): daphne's own path
            super().gotLength(length)
            return
        self._streaming = True
        self.content = BytesIO()  # stays empty: the body goes to the application
        expect = self.requestHeaders.getRawHeaders(b"expect") or [b""]
        if expect[0].lower() == b"100-continue":
            # Twisted would answer `100 Continue` right after this call; Confab says it
            # only when it reads the body, so a refused client never sends it.
            self.requestHeaders.removeHeader(b"expect")
            self._continue_pending = self.channel._version == b"HTTP/1.1"
        self._start_application(self.channel._command, self.channel._path, self.channel._version)

    def handleContentChunk(self, data: bytes) -> None:
        if not self._streaming:
            super().handleContentChunk(data)
            return
        if self._lingering is not None or self.application_queue is None:
            return  # answered already: the rest of the body is discarded
        self.application_queue.put_nowait({"type": "http.request", "body": data, "more_body": True})
        self._waiting_bytes += len(data)
        if self._waiting_bytes >= HIGH_WATER:
            # Every time, not only the first: Twisted resumes the socket on its own when a
            # full write buffer drains, and the bound must hold all the same.
            self._reading_paused = True
            self.channel._networkProducer.pauseProducing()

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if not self._streaming:
            super().requestReceived(command, path, version)
            return
        self._body_complete = True
        if self._lingering is not None:
            self._lingering.cancel()
            self._lingering = None
            super().finish()
        elif self.application_queue is not None:
            self.application_queue.put_nowait(
                {"type": "http.request", "body": b"", "more_body": False}
            )

    # --- the application's side ----------------------------------------------------------

    def body_wanted(self) -> None:
        """The application asks for body: now is the time for `100 Continue`."""
        if self._continue_pending:
            self._continue_pending = False
            if self.channel is not None and not self.startedWriting:
                self.channel._send100Continue()

    def body_taken(self, size: int) -> None:
        self._waiting_bytes -= size
        if self._reading_paused and self._waiting_bytes <= LOW_WATER:
            self._resume_reading()

    def handle_reply(self, message: dict[str, Any]) -> None:
        if (
            message.get("type") == "http.response.start"
            and self._streaming
            and not self._body_complete
        ):
            # Answered before the body ended: what follows on the socket is the rest of
            # this body, never a next request.
            self.channel.persistent = False
            self.responseHeaders.setRawHeaders(b"connection", [b"close"])
        super().handle_reply(message)

    def finish(self) -> None:
        if self._streaming and not self._body_complete and self.channel is not None:
            if self._lingering is None:
                self._lingering = _reactor().callLater(LINGER_SECONDS, self._stop_lingering)
                self._waiting_bytes = 0
                self._resume_reading()
            return
        super().finish()

    def connectionLost(self, reason: Any) -> None:
        if self._lingering is not None:
            self._lingering.cancel()
            self._lingering = None
        super().connectionLost(reason)

    # --- helpers ---------------------------------------------------------------------------

    def _stop_lingering(self) -> None:
        self._lingering = None
        self._body_complete = True  # as much of it as we will ever read
        if self.channel is not None and not self.finished:
            super().finish()

    def _resume_reading(self) -> None:
        if self._reading_paused and self.channel is not None:
            self._reading_paused = False
            self.channel._networkProducer.resumeProducing()

    def _start_application(self, method: bytes, uri: bytes, version: bytes) -> None:
        """Build the HTTP scope from the headers, as daphne does once a body is complete,
        and start the application with a queue the body will stream into."""
        self.method, self.uri, self.clientproto = method, uri, version
        self.path, _, self.query_string = uri.partition(b"?")
        self.args: dict[bytes, list[bytes]] = {}  # Twisted's request.args: nothing reads them
        self.request_start = _reactor().seconds()
        error = self._header_error()
        if error:
            self._body_complete = True  # nothing will read it
            self.channel.persistent = False
            self.basic_error(400, b"Bad Request", error)
            return
        if hasattr(self.client, "host") and hasattr(self.client, "port"):
            self.client_addr = [str(self.client.host), self.client.port]
            self.server_addr = [str(self.host.host), self.host.port]
        self.client_scheme = "https" if self.isSecure() else "http"
        if self.server.proxy_forwarded_address_header:
            self.client_addr, self.client_scheme = parse_x_forwarded_for(
                self.requestHeaders,
                self.server.proxy_forwarded_address_header,
                self.server.proxy_forwarded_port_header,
                self.server.proxy_forwarded_proto_header,
                self.client_addr,
                self.client_scheme,
            )
        self.root_path = self.server.root_path
        self.clean_headers = []
        for name, values in self.requestHeaders.getAllRawHeaders():
            if b"_" in name:  # CVE-2015-0219, as daphne drops them
                continue
            for value in values:
                if name.lower() == b"daphne-root-path":
                    self.root_path = unquote(value.decode("ascii"))
                else:
                    self.clean_headers.append((name.lower(), value))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": version.split(b"/")[-1].decode("ascii"),
            "method": method.decode("ascii"),
            "path": unquote(self.path.decode("ascii")),
            "raw_path": self.path,
            "root_path": self.root_path,
            "scheme": self.client_scheme,
            "query_string": self.query_string,
            "headers": self.clean_headers,
            "client": self.client_addr,
            "server": self.server_addr,
        }
        connections = self.server.connections
        if self not in connections or "application_instance" in connections[self]:
            return
        queue = _BodyQueue(self)
        instance = self.server.application(
            scope=scope, receive=queue.get, send=partial(self.server.handle_reply, self)
        )
        connections[self]["application_instance"] = asyncio.ensure_future(
            instance, loop=asyncio.get_event_loop()
        )
        self.application_queue = queue

    def _header_error(self) -> str:
        """daphne's own checks on a request line and headers, or '' when they pass."""
        for name, values in self.requestHeaders.getAllRawHeaders():
            if not HEADER_NAME_RE.fullmatch(name):
                return "Invalid header name"
            if any(INVALID_HEADER_VALUE_BYTES.intersection(value) for value in values):
                return "Invalid header value"
        try:
            self.path.decode("ascii")
            self.query_string.decode("ascii")
        except UnicodeDecodeError:
            self.path = b"/"
            return "Invalid characters in path or query string"
        return ""


def install() -> None:
    """Make daphne build `StreamingRequest`s. Its HTTP factory names the request class
    it builds through its module, `daphne.http_protocol.WebRequest`, when a connection
    opens: replacing that name holds whenever this runs before connections arrive, and
    whatever imported daphne's server first (under another ASGI server it changes nothing).
    """
    daphne_http_protocol.WebRequest = StreamingRequest


def _reactor() -> Any:
    # Imported when first needed: daphne has installed its asyncio reactor by then, and
    # importing the module must not install Twisted's default one.
    from twisted.internet import reactor

    return reactor
