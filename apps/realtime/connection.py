"""One authenticated socket as the hub sees it: a bounded send queue drained by a writer
task that stamps each event with the connection's own `seq`.

ASGI gives a server no way to push back on `send`: daphne hands every frame to Twisted,
which hands what it can to the kernel and buffers the rest, and while a client does not
read the kernel grows the socket's send buffer by itself (to megabytes) before Twisted's
buffer grows without bound. So the writer also watches what the transport holds unsent
when the server exposes it (daphne does: both buffers), and stops draining the queue until
the client catches up. A connection whose queue and transport together hold more than its
byte budget, or whose queue is full of frames, is dropped with 4013 (SECURITY 24): memory
per socket stays within the budget, whatever the size of its events. The queue goes at
once; the close frame follows what the transport holds, for a bounded time
(`daphne_writer.daphne_close_now`).

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
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from apps.realtime import conf
from apps.realtime.events import CLOSE_TOO_SLOW

logger = logging.getLogger(__name__)

SendText = Callable[[str], Awaitable[None]]
SendNow = Callable[[str], int]  # writes a frame at once; returns the bytes handed over
Close = Callable[[int], Coroutine[Any, Any, None]]  # run as a task of its own
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
        self._queued_bytes = 0
        # Bytes queued here and held by the transport, together; past it the client goes.
        self._budget = conf.send_queue_bytes()
        self._in_flight_limit = conf.send_buffer_bytes()
        # What the transport holds, as last measured plus what was written since: never
        # below the truth, so a client that keeps up is measured once per limit written.
        self._in_flight = 0
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
        if self._idle and self._send_now is not None and self._room_in_flight():
            self._write_now(frame, is_event)
            return
        self._queued_bytes += len(frame)
        if self._queue.full() or self._queued_bytes + self._measure_in_flight() > self._budget:
            logger.warning("Dropping %r: it stopped reading its events.", self)
            self.shut(CLOSE_TOO_SLOW)
            return
        self._queue.put_nowait((frame, is_event))

    def _room_in_flight(self) -> bool:
        """Whether the transport may take a frame at once. The estimate is checked against
        a measure only when it is over the limit: one system call per limit written."""
        if self._backlog is None:
            return True
        if self._in_flight > self._in_flight_limit:
            self._in_flight = self._backlog()
        return self._in_flight <= self._in_flight_limit

    def _measure_in_flight(self) -> int:
        """Bytes written to the transport that the client has not taken (0 when the server
        does not tell)."""
        if self._backlog is None:
            return 0
        self._in_flight = self._backlog()
        return self._in_flight

    def _write_now(self, frame: str, is_event: bool) -> None:
        """Write without the queue: a fan-out to many sockets then costs each one a write,
        not a task switch as well (the writer task stays for a socket that falls behind)."""
        assert self._send_now is not None
        if is_event:
            self._keep_sent(self._seq, frame)
            frame = _with_seq(frame, self._seq)
            self._seq += 1
        try:
            self._in_flight += self._send_now(frame)
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
                if self._measure_in_flight() > self._in_flight_limit:
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
                if self._measure_in_flight() > self._in_flight_limit:
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
        while self._sent_bytes > self._budget and len(self._sent) > 1:
            self._sent_bytes -= len(self._sent.popleft()[1])

    async def _wait_for_drain(self) -> None:
        """Let the client catch up; events queue meanwhile, within the budget (`_push`
        drops the client past it, which cancels this wait)."""
        while self._measure_in_flight() > self._in_flight_limit // 2:
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
        # The socket is gone: events queue here only, within the same budget.
        self._backlog = self._send_now = None
        self._in_flight = 0
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
