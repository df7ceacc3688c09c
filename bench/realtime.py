"""The realtime benchmarks: fan-out (scenario 1), memory per idle socket (5) and fan-out
across two server processes (7).

    .venv/bin/python -m bench.realtime [--quick]

Confab runs as production runs it (`bench.harness.servers`: daphne, PostgreSQL, Redis);
the load runs in other processes (`bench.load_ws`): WebSocket clients, each a distinct
seeded user in the world's one channel, and a sender posting through the REST API at a
fixed rate. Latency is the time from the sender's request to a client's `posted` frame,
both read from the same clock (`time.time()`, one machine). Each scenario gets fresh
servers, so nothing left from the one before (parked connections, queues) weighs on it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import IO, Any

from bench import harness
from bench.harness import ROOT, log, print_table, summary_ms

RATE = 5.0  # posts a second
DURATION = 30.0
QUICK_DURATION = 5.0
GRACE = 5.0  # seconds to wait for stragglers after the last post
FANOUT_CLIENTS = (100, 500, 1000)
QUICK_CLIENTS = (50,)
MEMORY_SOCKETS = 1000
QUICK_MEMORY_SOCKETS = 100
# Clients per load process. One process takes a frame in ~25 µs (a parse and a substring
# test, no task switch), 12% of a core at 5,000 frames/s: one is enough for 1,000, and a
# second would only compete with the server for this machine's two cores.
CLIENTS_PER_LOADER = 1000
CONNECT_BATCH = 50  # daphne listens with Twisted's default backlog of 50
TARGET_P99_MS = 50.0
TARGET_MB_PER_1000 = 50.0
LOADER_TIMEOUT = 300.0


# --- load processes ------------------------------------------------------------------------


class Loader:
    """One `bench.load_ws` process of clients, talked to in JSON lines."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in `close`
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.load_ws"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.send(config)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def read(self, timeout: float = LOADER_TIMEOUT) -> dict[str, Any]:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if ready else ""
        if not line:
            self.stderr.seek(0)
            raise RuntimeError(
                f"bench.load_ws gave no answer (exit {self.process.poll()}):\n"
                f"{self.stderr.read()[-4000:]}"
            )
        return json.loads(line)

    def close(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


def split(items: list, parts: int) -> list[list]:
    """Deal `items` round-robin into `parts` lists."""
    return [items[index::parts] for index in range(parts)]


def loaders_for(clients: int) -> int:
    return max(1, math.ceil(clients / CLIENTS_PER_LOADER))


# --- server figures --------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def bring_online(users: list[dict], team_id: str) -> None:
    """Mark `users` online and active just now, as if on another device a moment ago.

    Each status change goes to everyone in the team who is connected. Without this, each
    user would come online as their socket connects (some N²/2 frames: half a million and
    ~40 s of server time at 1,000), and users left online by an earlier run with an old
    activity time would all turn away at the hub's next presence tick (every 30 s), a
    million frames in the middle of the measurement.
    """
    from apps.accounts.models import STATUS_ONLINE
    from apps.core.timeutils import now_ms
    from apps.realtime.services import status_record_activity, status_set_automatic

    for user in users:
        status_set_automatic(user_id=user["id"], status=STATUS_ONLINE, team_ids=[team_id])
    now = now_ms()
    status_record_activity(activity={user["id"]: now for user in users})


def warm(server: harness.Server, token: str) -> None:
    """A few requests, so the process has loaded what a served request needs."""
    import httpx

    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(5):
            client.get("/api/v4/users/me")
            client.get("/healthz")


# --- scenarios ----------------------------------------------------------------------------


def fanout_on(servers: list[harness.Server], world, **options: Any) -> dict[str, Any]:
    """`fanout` against benchmark servers: warmed first, their CPU time counted."""
    bring_online(world.users[1 : options["clients"] + 1], world.team_id)
    for server in servers:
        warm(server, world.users[0]["token"])
    return fanout(
        world,
        ws_urls=[s.ws_url for s in servers],
        http_url=servers[0].url,
        pids=[s.process.pid for s in servers],
        **options,
    )


def fanout(
    world,
    *,
    ws_urls: list[str],
    http_url: str,
    pids: Sequence[int] = (),
    clients: int,
    duration: float,
    rate: float = RATE,
    loaders: int | None = None,
    grace: float = GRACE,
) -> dict[str, Any]:
    """`clients` sockets spread evenly over `ws_urls`; one sender posting to `http_url`."""
    run_id = harness.new_run_id()
    marker = f"bench {run_id} "
    tokens = world.tokens(clients)
    sender = world.users[clients + 1]
    loaders = loaders or loaders_for(clients)
    sockets = [[ws_urls[i % len(ws_urls)], token] for i, token in enumerate(tokens)]
    started = time.perf_counter()
    processes = [
        Loader(
            {
                "mode": "clients",
                "sockets": part,
                "marker": marker,
                "batch": CONNECT_BATCH,
                "grace": grace,
            }
        )
        for part in split(sockets, loaders)
    ]
    try:
        connected = [p.read() for p in processes]
        connect_s = time.perf_counter() - started
        for p in processes:
            p.send({"cmd": "settle"})
        settled = [p.read() for p in processes]
        log(
            f"    {sum(c['connected'] for c in connected):,} connected in {connect_s:.1f} s, "
            f"quiet after {max(s['settled'] for s in settled):.1f} s more; posting"
        )
        cpu_before = [cpu_seconds(pid) for pid in pids]
        sent = harness.run_load(
            "bench.load_ws",
            {
                "mode": "sender",
                "url": http_url,
                "token": sender["token"],
                "channel_id": world.channel_id,
                "marker": marker,
                "rate": rate,
                "duration": duration,
            },
            timeout=duration + 120,
        )
        cpu_after = [cpu_seconds(pid) for pid in pids]
        posts = sent["posts"]
        ok = {str(p["seq"]): p["sent_at"] for p in posts if p["status"] == 201}
        for p in processes:
            p.send({"cmd": "stop", "sent": ok})
        results = [p.read() for p in processes]
    finally:
        for p in processes:
            p.close()

    samples = [ms for r in results for ms in r["latencies_ms"]]
    received = sum(r["received"] for r in results)
    # Every post to every client asked for: a socket that never opened or a post that
    # failed counts as lost too.
    expected = len(posts) * clients
    server_cpu = sum(after - before for before, after in zip(cpu_before, cpu_after, strict=True))
    return {
        "clients": clients,
        "servers": len(ws_urls),
        "loaders": loaders,
        "connected": sum(c["connected"] for c in connected),
        "connect_failures": sum(c["failed"] for c in connected),
        "connect_errors": [e for c in connected for e in c["errors"]][:5],
        "connect_s": round(connect_s, 1),
        "settle_s": max(s["settled"] for s in settled),
        "frames_before_posting": sum(s["frames"] for s in settled),
        "posts": len(posts),
        "post_failures": len(posts) - len(ok),
        "rate": rate,
        "duration_s": duration,
        "latency_ms": summary_ms(samples),
        "expected": expected,
        "received": received,
        "lost": expected - received,
        "duplicates": sum(r["duplicates"] for r in results),
        "misparsed": sum(r["misparsed"] for r in results),
        "closed_by_server": sum(r["closed_by_server"] for r in results),
        "deliveries_per_s": round(received / duration, 1),
        "rest_ms": summary_ms([p["rest_ms"] for p in posts if p["status"] == 201]),
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_us_per_delivery": (
            round(server_cpu / received * 1e6, 1) if received and pids else None
        ),
        "loader_cpu_share": [round(r["cpu_s"] / r["wall_s"], 2) for r in results],
        # Per post, in order: the last delivery over all load processes (ms).
        "per_post_last_ms": [
            max(values) for values in zip(*(r["per_post"]["last_ms"] for r in results), strict=True)
        ],
        "per_post_first_ms": [
            min(values)
            for values in zip(*(r["per_post"]["first_ms"] for r in results), strict=True)
        ],
    }


def memory(server: harness.Server, world, *, sockets: int) -> dict[str, Any]:
    """Server RSS with `sockets` idle authenticated sockets, minus RSS with none."""
    bring_online(world.users[1 : sockets + 1], world.team_id)
    warm(server, world.users[0]["token"])
    time.sleep(1)
    without = server.rss_bytes()
    tokens = world.tokens(sockets)
    pairs = [[server.ws_url, token] for token in tokens]
    loader = Loader(
        {"mode": "clients", "sockets": pairs, "marker": "idle ", "batch": CONNECT_BATCH}
    )
    try:
        connected = loader.read()
        loader.send({"cmd": "settle"})
        loader.read()
        time.sleep(3)
        with_sockets = server.rss_bytes()
        loader.send({"cmd": "stop", "sent": {}})
        loader.read()
    finally:
        loader.close()
    per_1000 = (with_sockets - without) / connected["connected"] * 1000 if connected else math.nan
    return {
        "sockets": sockets,
        "connected": connected["connected"],
        "rss_without_mb": round(without / 2**20, 1),
        "rss_with_mb": round(with_sockets / 2**20, 1),
        "mb_per_1000": round(per_1000 / 2**20, 1),
        "kb_per_socket": round(per_1000 / 1000 / 1024, 1),
    }


# --- the report ------------------------------------------------------------------------------


def fanout_row(name: str, f: dict[str, Any]) -> list[object]:
    latency, rest = f["latency_ms"], f["rest_ms"]
    return [
        name,
        f["clients"],
        f["servers"],
        latency["n"],
        latency["p50"],
        latency["p95"],
        latency["p99"],
        latency["max"],
        f["deliveries_per_s"],
        f["lost"],
        rest["p50"],
        rest["p99"],
        f["server_cpu_us_per_delivery"] or math.nan,
    ]


def report(results: dict[str, Any]) -> None:
    rows = [fanout_row("fan-out", f) for f in results["fanout"]]
    if results.get("two_processes"):
        rows.append(fanout_row("fan-out, 2 processes", results["two_processes"]))
    log("")
    log(
        f"Realtime fan-out ({results.get('server', 'daphne')}): one sender, {RATE:g} posts/s "
        f"for {results['duration_s']:g} s "
        "through POST /api/v4/posts; latency = sender's request -> client's `posted` frame "
        f"(ms). Target p99 < {TARGET_P99_MS:g} ms at 1,000 clients, 0 lost."
    )
    print_table(
        [
            "scenario",
            "clients",
            "procs",
            "samples",
            "p50",
            "p95",
            "p99",
            "max",
            "deliv/s",
            "lost",
            "REST p50",
            "REST p99",
            "srv µs/deliv",
        ],
        rows,
    )
    m = results["memory"]
    log("")
    log(
        f"Memory: RSS {m['rss_without_mb']:,.1f} MB with no sockets, {m['rss_with_mb']:,.1f} MB "
        f"with {m['connected']:,} idle authenticated sockets: {m['mb_per_1000']:,.1f} MB per "
        f"1,000 ({m['kb_per_socket']:,.1f} KB each; target < {TARGET_MB_PER_1000:g} MB)."
    )


# --- the whole run -------------------------------------------------------------------------


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(harness.REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def run(*, quick: bool, server: str = "daphne") -> dict[str, Any]:
    """Scenarios 1, 5 and 7 with Confab served by `server` (daphne, or uvicorn to
    compare). Prints the table, saves var/bench/realtime.json (realtime-uvicorn.json under
    uvicorn), returns the figures."""
    began = time.perf_counter()
    sizes = QUICK_CLIENTS if quick else FANOUT_CLIENTS
    duration = QUICK_DURATION if quick else DURATION
    sockets = QUICK_MEMORY_SOCKETS if quick else MEMORY_SOCKETS
    largest = max(sizes)
    harness.ensure_database()
    harness.setup_django()
    from bench import world as world_module

    world = world_module.load_or_seed(max(largest, sockets) + 1)
    flush_redis()
    results: dict[str, Any] = {
        "benchmark": "realtime",
        "quick": quick,
        "server": server,
        "rate": RATE,
        "duration_s": duration,
        "cpus": os.cpu_count(),
        "fanout": [],
    }
    try:
        for clients in sizes:
            log(f"  fan-out to {clients:,} clients, one process")
            with harness.servers(1, server=server) as servers:
                results["fanout"].append(
                    fanout_on(servers, world, clients=clients, duration=duration)
                )
        log(f"  memory with {sockets:,} idle sockets")
        with harness.servers(1, server=server) as servers:
            results["memory"] = memory(servers[0], world, sockets=sockets)
        log(f"  fan-out to {largest:,} clients, two processes")
        with harness.servers(2, server=server) as servers:
            results["two_processes"] = fanout_on(servers, world, clients=largest, duration=duration)
    finally:
        flush_redis()
    results["wall_s"] = round(time.perf_counter() - began, 1)
    report(results)
    harness.save_results("realtime" if server == "daphne" else f"realtime-{server}", results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realtime", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 clients, 5 s, 100 sockets")
    parser.add_argument(
        "--server", choices=harness.SERVERS, default="daphne", help="the ASGI server"
    )
    args = parser.parse_args(argv)
    run(quick=args.quick, server=args.server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
