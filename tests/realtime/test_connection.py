"""A connection's byte budget counts its queue and what its transport holds (SECURITY 24;
issue 12, finding 8): a transport that a client never drains, the way Linux's send buffer
takes megabytes before anything stays in Twisted's, cannot hide bytes from the budget.

The transport here is a stand-in with daphne's shape: `send_now` writes at once, `backlog`
tells what is held unsent. tests/security/test_slow_socket.py shows the same on the wire."""

import asyncio

from apps.realtime.connection import Connection
from apps.realtime.events import CLOSE_TOO_SLOW

FRAME = '{"event":"posted","data":{"message":"' + "x" * 2000 + '"}}'
BUDGET = 20_000
IN_FLIGHT = 8_000


class StuckTransport:
    """Takes every frame and keeps it: the client reads nothing."""

    def __init__(self, *, client_reads: bool = False) -> None:
        self.client_reads = client_reads
        self.held = 0
        self.measured = 0
        self.closed_with: list[int] = []

    def send_now(self, text: str) -> int:
        self.held += 0 if self.client_reads else len(text)
        return len(text)

    async def send_text(self, text: str) -> None:
        self.send_now(text)

    def backlog(self) -> int:
        self.measured += 1
        return self.held

    async def close(self, code: int) -> None:
        self.closed_with.append(code)


def _connection(transport: StuckTransport) -> Connection:
    return Connection(
        connection_id="c" * 26,
        user_id="u" * 26,
        session_id="s" * 26,
        send_text=transport.send_text,
        close=transport.close,
        backlog=transport.backlog,
        send_now=transport.send_now,
    )


def _small_limits(settings) -> None:
    settings.CONFAB_WEBSOCKET_SEND_QUEUE = 1_000_000  # frames: out of reach
    settings.CONFAB_WEBSOCKET_SEND_QUEUE_BYTES = BUDGET
    settings.CONFAB_WEBSOCKET_SEND_BUFFER_BYTES = IN_FLIGHT


def test_bytes_held_by_the_transport_count_against_the_budget(settings) -> None:
    _small_limits(settings)
    transport = StuckTransport()

    async def scenario() -> int:
        conn = _connection(transport)
        conn.start()
        await asyncio.sleep(0)  # the writer waits on its empty queue: writes go straight out
        pushed = 0
        while not conn.closed:
            conn.push_event(FRAME)
            pushed += 1
            await asyncio.sleep(0)  # the writer takes what it may, then waits for a drain
        await asyncio.sleep(0)
        assert conn._writer is not None and conn._writer.done()  # its wait was ended too
        return pushed

    pushed = asyncio.run(scenario())
    assert transport.closed_with == [CLOSE_TOO_SLOW]
    # Dropped as soon as the queue and the transport together held more than the budget
    # (a frame-count limit was never near).
    assert (pushed - 1) * len(FRAME) <= BUDGET < pushed * len(FRAME)
    # The writer stopped handing frames to the stuck transport near the in-flight limit.
    assert transport.held < IN_FLIGHT + 2 * (len(FRAME) + 16)


def test_a_client_that_keeps_up_is_measured_once_per_in_flight_limit(settings) -> None:
    _small_limits(settings)
    transport = StuckTransport(client_reads=True)

    async def scenario() -> Connection:
        conn = _connection(transport)
        conn.start()
        await asyncio.sleep(0)
        for _ in range(100):
            conn.push_event(FRAME)
        return conn

    conn = asyncio.run(scenario())
    assert not conn.closed and transport.closed_with == []
    assert transport.measured <= 100 * len(FRAME) // IN_FLIGHT + 1
