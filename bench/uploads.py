"""Uploads under daphne: what a large multipart body costs the server, and whether it
refuses a body it will not take before reading it (issue 12, finding 1).

Three uploads to `POST /api/v4/files` of one production daphne, each sent from a raw socket
so that the client sends exactly the bytes it says and notices an early answer:
- signed in, a `--size` MB file: the server's resident memory above its idle level (its
  peak, sampled every 20 ms) and `GET /api/v4/system/ping` latency while it streams;
- anonymous, the same size: how many bytes went out before the 401, and the memory;
- signed in, a Content-Length over the limit: how many bytes before the 413.

    python -m bench.uploads [--size 200]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

from bench import harness, world
from bench.harness import log, print_table, rss_bytes, save_results, summary_ms

MB = 1024 * 1024
CHUNK = 256 * 1024
BOUNDARY = "confab-bench-upload-boundary"


@dataclass
class UploadFigures:
    status: int = 0
    answer_ms: float = 0.0
    sent_bytes: int = 0
    body_bytes: int = 0
    rss_idle: int = 0
    rss_peak: int = 0
    ping_ms: list[float] = field(default_factory=list)

    @property
    def rss_growth_mb(self) -> float:
        return (self.rss_peak - self.rss_idle) / MB

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "answer_ms": round(self.answer_ms, 1),
            "sent_mb": round(self.sent_bytes / MB, 2),
            "body_mb": round(self.body_bytes / MB, 2),
            "rss_idle_mb": round(self.rss_idle / MB, 1),
            "rss_peak_mb": round(self.rss_peak / MB, 1),
            "rss_growth_mb": round(self.rss_growth_mb, 1),
            "ping": summary_ms(self.ping_ms),
        }


def _multipart_parts(size: int) -> tuple[bytes, bytes]:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head, tail


def upload(
    port: int,
    pid: int,
    *,
    size: int,
    token: str | None,
    channel_id: str,
    declared_length: int | None = None,
) -> UploadFigures:
    """Send one multipart upload of `size` bytes of file data; stop sending once the server
    answers. Memory and ping latency are sampled on other threads meanwhile."""
    head, tail = _multipart_parts(size)
    body_length = len(head) + size + len(tail)
    headers = [
        f"POST /api/v4/files?channel_id={channel_id} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {declared_length or body_length}",
        "Connection: close",
    ]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    request_head = ("\r\n".join(headers) + "\r\n\r\n").encode()

    figures = UploadFigures(body_bytes=body_length, rss_idle=rss_bytes(pid))
    figures.rss_peak = figures.rss_idle
    done = threading.Event()
    answered = threading.Event()

    def sample_memory() -> None:
        while not done.is_set():
            figures.rss_peak = max(figures.rss_peak, rss_bytes(pid))
            time.sleep(0.02)

    def ping() -> None:
        while not done.is_set():
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/api/v4/system/ping")
                conn.getresponse().read()
                conn.close()
                figures.ping_ms.append((time.perf_counter() - began) * 1000)
            except OSError:
                pass
            time.sleep(0.1)

    sock = socket.create_connection(("127.0.0.1", port))

    def send() -> None:
        try:
            sock.sendall(request_head)
            sock.sendall(head)
            figures.sent_bytes = len(head)
            block = b"\0" * CHUNK
            remaining = size
            while remaining > 0 and not answered.is_set():
                piece = block[: min(CHUNK, remaining)]
                sock.sendall(piece)
                figures.sent_bytes += len(piece)
                remaining -= len(piece)
            if not answered.is_set():
                sock.sendall(tail)
                figures.sent_bytes += len(tail)
        except OSError:
            pass  # the server answered and closed: how far we got is the figure

    threads = [threading.Thread(target=f, daemon=True) for f in (sample_memory, ping, send)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    response = b""
    try:
        while b"\r\n" not in response:
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
    except OSError:
        pass
    answered.set()
    figures.answer_ms = (time.perf_counter() - began) * 1000
    status_line = response.split(b"\r\n", 1)[0].split()
    figures.status = int(status_line[1]) if len(status_line) > 1 else 0
    time.sleep(0.3)  # memory settles after the answer too
    done.set()
    for thread in threads:
        thread.join(timeout=30)
    sock.close()
    return figures


def run(*, size_mb: int) -> dict:
    """The three uploads against one server; Django is set up on the benchmark database."""
    people = world.load_or_seed(2)
    token = people.users[1]["token"]
    size = size_mb * MB
    env = {"CONFAB_MAX_FILE_SIZE": str(2 * size)}
    results: dict[str, dict] = {}
    with harness.servers(1, extra_env=env) as (server,):
        pid, port = server.process.pid, server.port
        time.sleep(1)
        cases = [
            ("signed in", {"token": token}),
            ("anonymous", {"token": None}),
            ("over the limit", {"token": token, "declared_length": 30 * size}),
        ]
        for label, kwargs in cases:
            log(f"  {label}: {size_mb} MB")
            results[label] = upload(
                port, pid, size=size, channel_id=people.channel_id, **kwargs
            ).as_dict()
    report(results, size_mb)
    figures = {"size_mb": size_mb, "cases": results}
    save_results("uploads", figures)
    return figures


def report(results: dict, size_mb: int) -> None:
    rows = []
    for label, r in results.items():
        rows.append(
            [
                f"{size_mb} MB upload, {label}",
                r["status"],
                f"{r['sent_mb']:,.1f} of {r['body_mb']:,.1f}",
                f"{r['rss_growth_mb']:,.1f}",
                f"{r['answer_ms']:,.0f}",
                f"{r['ping']['p50']} / {r['ping']['max']}",
            ]
        )
    print_table(
        ["upload", "status", "MB sent", "server RSS growth MB", "answer ms", "ping p50 / max ms"],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.uploads")
    parser.add_argument("--size", type=int, default=200, help="file size in MB (default 200)")
    args = parser.parse_args(argv)
    harness.ensure_database()
    harness.setup_django()
    run(size_mb=args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
