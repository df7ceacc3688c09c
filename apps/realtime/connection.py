"""One authenticated socket as the hub sees it: a bounded send queue drained by a writer
task that stamps each event with the connection's own `seq`.

ASGI gives a server no way to push back on `send`: daphne hands every frame to Twisted,
whose write buffer grows without bound while a client does not read. So the writer also
watches that buffer when the server exposes it (daphne does), and stops draining the queue
until the client catches up; the queue then fills, and a full queue (in frames or in
bytes) drops the client (SECURITY 24). Memory per socket stays below the queue's limits
plus the buffer limit.

Under daphne, a connection whose writer is idle (nothing queued, the client keeping up)
writes an event at once instead, through daphne's protocol: a fan-out to a thousand
sockets then costs a write each, not a queue and a task switch as well, and the queue
takes over as soon as the client falls behind.

A socket that drops without the server closing it leaves its connection *parked*: events
still queue (within the same limits) and the last frames written are kept, so a client
that reconnects with the connection's id and the next `seq` it expects gets what it missed,
in order, under the same numbers (Mattermost's reliable WebSocket; SECURITY 22).
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from apps.realtime import conf
from apps.realtime.events import CLOSE_TOO_SLOW

logger = logging.getLogger(__name__)

SendText = Callable[[str], Awaitable[None]]
SendNow = Callable[[str], None]
Close = Callable[[int], Awaitable[None]]
Backlog = Callable[[], int]

DRAIN_POLL_SECONDS = 0.05


class Connection:
    def __init__(
        self,
        *,
        connection_id: str,
        user_id: str,
        session_id: str,
        send_text: SendText,
        close: Close,
        backlog: Backlog | None = None,
        send_now: SendNow | None = None,
    ) -> None:
        self.connection_id = connection_id
        self.user_id = user_id
        self.session_id = session_id
        self._send_text = send_text
        self._close = close
        self._backlog = backlog
        self._send_now = send_now
        # The writer waits on an empty queue: a frame may be written at once, in order.
        self._idle = False
        self._queue: asyncio.Queue[tuple[str, bool]] = asyncio.Queue(maxsize=conf.send_queue_size())
        self._buffer_limit = conf.send_buffer_bytes()
        self._queued_bytes = 0
        self._queue_bytes_limit = conf.send_queue_bytes()
        self._seq = 0
        # (seq, frame without seq) of the latest events written, to resend after a resume.
        self._sent: deque[tuple[int, str]] = deque(maxlen=conf.resume_frames())
        self._sent_bytes = 0
        # Frames to send again after a resume, stamped one at a time as they go out.
        self._resend: deque[tuple[int, str]] = deque()
        self.parked_at: float | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None
        self.closed = False
        # Called once when the connection ends for a reason of the server's (the hub
        # forgets it at once instead of waiting for the socket to report the close).
        self.on_shut: Callable[[Connection], None] | None = None

    def __repr__(self) -> str:
        return f"<Connection {self.connection_id} of {self.user_id}>"

    # --- writing -------------------------------------------------------------------------

    def push_event(self, frame: str) -> None:
        """Queue a serialized event (a JSON object without `seq`); never blocks."""
        self._push(frame, True)

    def push_response(self, frame: str) -> None:
        """Queue a response to a client action (it carries no `seq`)."""
        self._push(frame, False)

    def _push(self, frame: str, is_event: bool) -> None:
        if self.closed:
            return
        if (
            self._idle
            and self._send_now is not None
            and (self._backlog is None or self._backlog() <= self._buffer_limit)
        ):
            self._write_now(frame, is_event)
            return
        self._queued_bytes += len(frame)
        try:
            if self._queued_bytes > self._queue_bytes_limit:
                raise asyncio.QueueFull
            self._queue.put_nowait((frame, is_event))
        except asyncio.QueueFull:
            logger.warning("Dropping %r: it stopped reading its events.", self)
            self.shut(CLOSE_TOO_SLOW)

    def _write_now(self, frame: str, is_event: bool) -> None:
        """Write without the queue: a fan-out to many sockets then costs each one a write,
        not a task switch as well (the writer task stays for a socket that falls behind)."""
        assert self._send_now is not None
        if is_event:
            self._keep_sent(self._seq, frame)
            frame = _with_seq(frame, self._seq)
            self._seq += 1
        try:
            self._send_now(frame)
        except Exception:
            logger.exception("Writing to %r failed.", self)
            self.shut(CLOSE_TOO_SLOW)

    def start(self) -> None:
        """Start writing what is queued (the hello first, since it was queued first)."""
        if self._writer is None and not self.closed:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._resend:
                seq, frame = self._resend[0]
                await self._send_text(_with_seq(frame, seq))
                self._resend.popleft()
                if self._backlog is not None and self._backlog() > self._buffer_limit:
                    await self._wait_for_drain()
            while True:
                self._idle = self._queue.empty()
                try:
                    frame, is_event = await self._queue.get()
                finally:
                    self._idle = False
                self._queued_bytes -= len(frame)
                if is_event:
                    # Kept before it is written: a frame cut off mid-write is resent.
                    self._keep_sent(self._seq, frame)
                    frame = _with_seq(frame, self._seq)
                    self._seq += 1
                await self._send_text(frame)
                if self._backlog is not None and self._backlog() > self._buffer_limit:
                    await self._wait_for_drain()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Writing to %r failed.", self)
            self.shut(CLOSE_TOO_SLOW)

    def _keep_sent(self, seq: int, frame: str) -> None:
        """Remember a written event for a resume, within a frame and a byte budget (the
        frames are usually shared with other connections, but need not be)."""
        if len(self._sent) == self._sent.maxlen:
            self._sent_bytes -= len(self._sent[0][1])
        self._sent.append((seq, frame))
        self._sent_bytes += len(frame)
        while self._sent_bytes > self._queue_bytes_limit and len(self._sent) > 1:
            self._sent_bytes -= len(self._sent.popleft()[1])

    async def _wait_for_drain(self) -> None:
        assert self._backlog is not None
        while self._backlog() > self._buffer_limit // 2:
            await asyncio.sleep(DRAIN_POLL_SECONDS)

    # --- parking and resuming -------------------------------------------------------------

    @property
    def parked(self) -> bool:
        return self.parked_at is not None

    def park(self) -> None:
        """The socket dropped: stop writing, keep queueing events for a resume."""
        if self.closed or self.parked:
            return
        self._idle = False
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        self._resend.clear()  # still in `_sent`: a resume asks for them again
        self.parked_at = time.monotonic()

    def resume(
        self,
        *,
        next_seq: int,
        send_text: SendText,
        close: Close,
        backlog: Backlog | None,
        send_now: SendNow | None = None,
    ) -> bool:
        """Carry on over a new socket from `next_seq`, the first event the client lacks.

        Events it lost in flight are resent with their own numbers, then what queued
        while it was away. False, and nothing changes, when `next_seq` is not one this
        connection can continue from (a frame it needs is no longer kept).
        """
        if self.closed or not self.parked or not 0 <= next_seq <= self._seq:
            return False
        missed = [(seq, frame) for seq, frame in self._sent if seq >= next_seq]
        if len(missed) != self._seq - next_seq:
            return False
        self._resend = deque(missed)
        self._send_text, self._close, self._backlog = send_text, close, backlog
        self._send_now = send_now
        self.parked_at = None
        return True

    # --- ending ---------------------------------------------------------------------------

    def shut(self, code: int) -> None:
        """End the connection from the server's side (revoked, too slow, deactivated)."""
        if self.closed:
            return
        was_parked = self.parked
        self.stop()
        if self.on_shut is not None:
            self.on_shut(self)
        if not was_parked:  # a parked connection has no socket left to close
            self._closing = asyncio.get_running_loop().create_task(self._close(code))

    def stop(self) -> None:
        """Forget the queue and stop writing (the socket is closed or closing)."""
        self.closed = True
        self._idle = False
        if self._writer is not None:
            self._writer.cancel()
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queued_bytes = 0
        self._sent.clear()
        self._sent_bytes = 0
        self._resend.clear()


def _with_seq(frame: str, seq: int) -> str:
    # The event was serialized once for every recipient; only this connection's sequence
    # number is added, by string surgery.
    return f'{frame[:-1]},"seq":{seq}}}'
