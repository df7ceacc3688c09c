"""The realtime benchmark's load: WebSocket clients, or one REST sender, in a process of
their own (`python -m bench.load_ws`), driven by the orchestrator in `bench.realtime`.

The first line on stdin is a JSON config; `mode` chooses the role.

- `sender`: posts `rate` messages a second for `duration` seconds to `POST /api/v4/posts`,
  each carrying `<marker><seq>`, on schedule whatever the answers take (an open loop),
  and prints one JSON line: for each post its send time (`time.time()`, just before the
  request goes out), status and REST latency.
- `clients`: opens `sockets` (pairs of URL and token) in batches, each authenticated by
  `Authorization: Bearer`, and waits for every `hello`; prints `{"connected": ...}`. Then it
  follows commands, one JSON line each on stdin:
  `{"cmd": "settle"}` waits until no frame has come for a while (connecting brings users
  online, and every status change goes to everyone already connected) and answers
  `{"settled": ...}`; `{"cmd": "stop", "sent": {seq: send time}}` waits (at most `grace`
  seconds) for every client to have every post, then prints the figures and exits.

Clients are plain asyncio protocols over websockets' sans-I/O `ClientProtocol`: a frame
costs a parse and a substring test, with no task switch per frame, and its receive time is
taken when its bytes arrive. Frames are parsed fully (JSON, then `data.post`) only to check
the fast path, after the run.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Iterable
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

POSTED_PREFIX = b'{"event":"posted"'
HELLO_PREFIX = b'{"event":"hello"'


# --- frames --------------------------------------------------------------------------------


def marker_seq(frame: bytes, marker: bytes) -> int | None:
    """The number after `marker` in a `posted` frame, found without parsing JSON.

    The message sits in `data.post`, a JSON string inside the frame, so the number ends at
    the escaped closing quote; None for any other frame.
    """
    if not frame.startswith(POSTED_PREFIX):
        return None
    at = frame.find(marker)
    if at < 0:
        return None
    start = end = at + len(marker)
    while end < len(frame) and 48 <= frame[end] <= 57:  # ASCII digits
        end += 1
    return int(frame[start:end]) if end > start else None


def posted_seq(frame: bytes | str, marker: str) -> int | None:
    """The same number, the slow and sure way: the frame's JSON, then `data.post`'s."""
    try:
        envelope = json.loads(frame)
        if envelope.get("event") != "posted":
            return None
        message = json.loads(envelope["data"]["post"])["message"]
    except (ValueError, KeyError, TypeError):
        return None
    if not message.startswith(marker):
        return None
    rest = message[len(marker) :]
    return int(rest) if rest.isdigit() else None


# --- clients -------------------------------------------------------------------------------


class Tally:
    """What every client of this process has seen, for the progress checks."""

    def __init__(self) -> None:
        self.frames = 0
        self.marked = 0
        self.last_frame = 0.0


class Client(asyncio.Protocol):
    def __init__(self, url: str, token: str, marker: bytes, tally: Tally) -> None:
        self.uri = parse_uri(url)
        self.token = token
        self.marker = marker
        self.tally = tally
        self.protocol = ClientProtocol(self.uri, max_size=None)
        self.hello: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.received: dict[int, float] = {}
        self.duplicates = 0
        self.sample: bytes | None = None  # the first marked frame, checked after the run
        self.transport: asyncio.Transport | None = None
        self.close_code: int | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        request = self.protocol.connect()
        request.headers["Authorization"] = f"Bearer {self.token}"
        self.protocol.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        protocol = self.protocol
        protocol.receive_data(data)
        for event in protocol.events_received():
            if type(event) is Frame:
                if event.opcode is Opcode.TEXT:
                    self._text(bytes(event.data), now)
                elif event.opcode is Opcode.CLOSE:
                    self.close_code = protocol.close_code
            elif (
                isinstance(event, Response)
                and protocol.handshake_exc is not None
                and not self.hello.done()
            ):
                self.hello.set_exception(protocol.handshake_exc)
        self._flush()

    def _text(self, frame: bytes, now: float) -> None:
        tally = self.tally
        tally.frames += 1
        tally.last_frame = now
        seq = marker_seq(frame, self.marker)
        if seq is None:
            if not self.hello.done() and frame.startswith(HELLO_PREFIX):
                self.hello.set_result(now)
            return
        if seq in self.received:
            self.duplicates += 1
            return
        self.received[seq] = now
        tally.marked += 1
        if self.sample is None:
            self.sample = frame

    def _flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            if self.transport is None or self.transport.is_closing():
                return
            if chunk:
                self.transport.write(chunk)
            else:
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.hello.done():
            self.hello.set_exception(exc or ConnectionError("closed before hello"))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.protocol.send_close(1000)
            self._flush()
            self.transport.close()


async def open_clients(
    sockets: list[tuple[str, str]], marker: bytes, tally: Tally, *, batch: int, timeout: float
) -> tuple[list[Client], list[str]]:
    """Connect in batches, each waiting for its `hello`s before the next starts."""
    loop = asyncio.get_running_loop()
    clients: list[Client] = []
    errors: list[str] = []
    for start in range(0, len(sockets), batch):
        group = [Client(url, token, marker, tally) for url, token in sockets[start : start + batch]]
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(_connect(loop, c), timeout) for c in group), return_exceptions=True
        )
        for client, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                errors.append(repr(outcome))
                client.close()
            else:
                clients.append(client)
    return clients, errors


async def _connect(loop: asyncio.AbstractEventLoop, client: Client) -> None:
    await loop.create_connection(lambda: client, client.uri.host, client.uri.port)
    await client.hello


async def settle(tally: Tally, *, quiet: float, limit: float) -> float:
    """Wait until no frame has arrived for `quiet` seconds (at most `limit`)."""
    started = time.time()
    tally.last_frame = max(tally.last_frame, started)
    while time.time() - tally.last_frame < quiet and time.time() - started < limit:
        await asyncio.sleep(0.05)
    return time.time() - started


def latencies(
    clients: Iterable[Client], sent: dict[int, float], marker: str
) -> tuple[list[float], dict[str, int]]:
    """Receive minus send time (ms) of every expected delivery, and the counts."""
    samples: list[float] = []
    counts = {"received": 0, "lost": 0, "duplicates": 0, "unexpected": 0, "misparsed": 0}
    for client in clients:
        counts["duplicates"] += client.duplicates
        for seq, sent_at in sent.items():
            received_at = client.received.get(seq)
            if received_at is None:
                counts["lost"] += 1
            else:
                counts["received"] += 1
                samples.append(round((received_at - sent_at) * 1000, 3))
        counts["unexpected"] += len(set(client.received) - set(sent))
        if client.sample is not None and posted_seq(client.sample, marker) != marker_seq(
            client.sample, marker.encode()
        ):
            counts["misparsed"] += 1
    return samples, counts


def per_post(clients: Iterable[Client], sent: dict[int, float]) -> dict[str, list[float]]:
    """For each post (by seq) the first and the last delivery here, ms after sending: where
    in the run the slow ones were."""
    clients = list(clients)
    first: list[float] = []
    last: list[float] = []
    for seq, sent_at in sorted(sent.items()):
        times = [c.received[seq] for c in clients if seq in c.received]
        first.append(round((min(times) - sent_at) * 1000, 2) if times else -1.0)
        last.append(round((max(times) - sent_at) * 1000, 2) if times else -1.0)
    return {"first_ms": first, "last_ms": last}


async def read_command(loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if not line:
        return {"cmd": "stop", "sent": {}}
    return json.loads(line)


def emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def run_clients(config: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    marker = config["marker"]
    tally = Tally()
    started = time.time()
    clients, errors = await open_clients(
        [tuple(pair) for pair in config["sockets"]],
        marker.encode(),
        tally,
        batch=config.get("batch", 50),
        timeout=config.get("hello_timeout", 60),
    )
    emit(
        {
            "connected": len(clients),
            "failed": len(errors),
            "errors": errors[:5],
            "connect_s": round(time.time() - started, 3),
            "frames": tally.frames,
        }
    )
    window_cpu, window_wall = time.process_time(), time.time()
    while True:
        command = await read_command(loop)
        if command["cmd"] == "settle":
            waited = await settle(
                tally, quiet=config.get("quiet", 1.0), limit=config.get("settle_limit", 120)
            )
            emit({"settled": round(waited, 3), "frames": tally.frames})
            window_cpu, window_wall = time.process_time(), time.time()
            continue
        break
    sent = {int(seq): at for seq, at in command.get("sent", {}).items()}
    expected = len(sent) * len(clients)
    deadline = time.time() + config.get("grace", 5)
    while time.time() < deadline and _have(clients, sent) < expected:
        await asyncio.sleep(0.05)
    cpu, wall = time.process_time() - window_cpu, time.time() - window_wall
    samples, counts = latencies(clients, sent, marker)
    by_post = per_post(clients, sent)
    emit(
        {
            "clients": len(clients),
            "expected": expected,
            **counts,
            "closed_by_server": sum(1 for c in clients if c.lost or c.close_code is not None),
            "frames": tally.frames,
            "cpu_s": round(cpu, 3),
            "wall_s": round(wall, 3),
            "latencies_ms": samples,
            "per_post": by_post,
        }
    )
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)


def _have(clients: list[Client], sent: dict[int, float]) -> int:
    return sum(1 for c in clients for seq in sent if seq in c.received)


# --- the sender ----------------------------------------------------------------------------


async def run_sender(config: dict[str, Any]) -> None:
    import httpx

    rate, duration = config["rate"], config["duration"]
    count = int(rate * duration)
    marker = config["marker"]
    headers = {"Authorization": f"Bearer {config['token']}"}
    records: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(
        base_url=config["url"], headers=headers, limits=limits, timeout=30
    ) as client:
        # One request before the clock starts: the connection is open and kept alive.
        await client.get("/api/v4/users/me")

        async def post(seq: int) -> None:
            body = {"channel_id": config["channel_id"], "message": f"{marker}{seq}"}
            sent_at, started = time.time(), time.perf_counter()
            try:
                answer = await client.post("/api/v4/posts", json=body)
                status = answer.status_code
            except httpx.HTTPError as exc:
                status = repr(exc)
            records.append(
                {
                    "seq": seq,
                    "sent_at": sent_at,
                    "status": status,
                    "rest_ms": round((time.perf_counter() - started) * 1000, 3),
                }
            )

        start = loop.time() + 0.05
        tasks = []
        for seq in range(count):
            delay = start + seq / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(seq)))
        await asyncio.gather(*tasks)
    records.sort(key=lambda r: r["seq"])
    emit({"posts": records, "duration_s": duration})


def main() -> None:
    config = json.loads(sys.stdin.readline())
    runner = run_sender if config["mode"] == "sender" else run_clients
    asyncio.run(runner(config))


if __name__ == "__main__":
    main()
