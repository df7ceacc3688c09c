"""Scenario 4, the floors: what the machine does with no application in the way.

- INSERT: single-row INSERTs through psycopg, one per transaction (autocommit), from as
  many connections as the post-throughput scenario has senders, into a table of the same
  width as `posts_post` (`LIKE posts_post INCLUDING ALL`: same columns and indexes), with
  rows shaped like real posts. Dropped afterwards.
- Redis: PUBLISH of a ~1 KB payload until one subscriber has it, one at a time.
- Bare ASGI: `bench.echo_app` under daphne, started like Confab: a WebSocket echo round
  trip (one client, one message at a time) and small HTTP GETs from the same load
  process and concurrency as the history-read scenario.

Each Confab figure is printed as a ratio to its floor; `fanout_floor_ms` (Redis round
trip plus WebSocket echo) is what a fan-out delivery cannot beat.

    .venv/bin/python -m bench.floors [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time

import psycopg

from bench import harness
from bench.harness import log, print_table, summary_ms
from bench.load_http import summarize

SENDERS = 16  # as the post-throughput scenario
READERS = 16  # as the history-read scenario
FLOOR_TABLE = "bench_floor_posts"
PAYLOAD_BYTES = 1024
REDIS_CHANNEL = "bench:floor"


def settings(quick: bool) -> dict:
    return {
        "insert_s": 3.0 if quick else 10.0,
        "redis_samples": 200 if quick else 2000,
        "echo_samples": 200 if quick else 2000,
        "http_s": 3.0 if quick else 10.0,
    }


# --- INSERT ----------------------------------------------------------------------------------


def _post_row(rng: random.Random, users: list[str], channels: list[str], message: str) -> dict:
    """A row as `post_create` writes it (no FKs on the copy: any ids of the right shape)."""
    from apps.core.ids import new_id

    now = int(time.time() * 1000)
    return {
        "id": new_id(),
        "create_at": now,
        "update_at": now,
        "delete_at": 0,
        "user_id": rng.choice(users),
        "channel_id": rng.choice(channels),
        "root_id": None,
        "edit_at": 0,
        "is_pinned": False,
        "original_id": "",
        "message": message,
        "type": "",
        "props": "{}",
        "hashtags": "",
        "file_ids": "[]",
        "pending_post_id": f"{rng.choice(users)}:{now}",
        "has_reactions": False,
        "reply_count": 0,
        "last_reply_at": 0,
    }


def _insert_statement(columns: list[str]) -> str:
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {FLOOR_TABLE} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608


async def _insert_worker(url: str, rows, statement: str, end: float, samples: list[float]) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        while time.perf_counter() < end:
            values = next(rows)
            began = time.perf_counter()
            await conn.execute(statement, values)
            samples.append((time.perf_counter() - began) * 1000)


def insert_floor(
    *, seconds: float, connections: int = SENDERS, name: str = harness.DATABASE_NAME
) -> dict:
    """Single-row INSERTs per second into a posts-wide table from `connections` clients."""
    from bench.corpus import Corpus

    url = harness.database_url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        conn.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE posts_post INCLUDING ALL)")
        table_columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                [FLOOR_TABLE],
            )
        ]
    rng = random.Random("floors")  # noqa: S311 - data, not secrets
    users = [f"u{n:025d}" for n in range(64)]
    channels = [f"c{n:025d}" for n in range(4)]
    messages = Corpus("floors").messages(2000)
    template = _post_row(rng, users, channels, "")
    missing = [c for c in table_columns if c not in template]
    if missing:
        raise RuntimeError(f"posts_post has columns the INSERT floor does not fill: {missing}")
    columns = list(template)

    def rows():
        number = 0
        while True:
            row = _post_row(rng, users, channels, messages[number % len(messages)])
            number += 1
            yield [row[c] for c in columns]

    source = rows()
    samples: list[list[float]] = [[] for _ in range(connections)]
    statement = _insert_statement(columns)

    async def main() -> float:
        # A short warm-up: connections open and statements prepared before the clock.
        end = time.perf_counter() + 0.5
        await asyncio.gather(
            *(_insert_worker(url, source, statement, end, []) for _ in range(connections))
        )
        began = time.perf_counter()
        end = began + seconds
        await asyncio.gather(*(_insert_worker(url, source, statement, end, s) for s in samples))
        return time.perf_counter() - began

    try:
        elapsed = asyncio.run(main())
        with psycopg.connect(url, autocommit=True) as conn:
            size = conn.execute(
                f"SELECT pg_total_relation_size('{FLOOR_TABLE}'), count(*) FROM {FLOOR_TABLE}"  # noqa: S608
            ).fetchone()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    pooled = [s for worker in samples for s in worker]
    figures = summary_ms(pooled)
    return {
        "connections": connections,
        "duration_s": round(elapsed, 2),
        "per_s": round(len(pooled) / elapsed, 1),
        "n": figures["n"],
        "p50_ms": figures["p50"],
        "p99_ms": figures["p99"],
        "bytes_per_row": round(size[0] / max(1, size[1]), 1),
    }


# --- Redis PUBLISH → subscriber -----------------------------------------------------------------


def _payload(number: int) -> str:
    head = json.dumps({"n": number, "t": time.perf_counter_ns(), "pad": ""})
    return head[:-2] + "x" * max(0, PAYLOAD_BYTES - len(head)) + '"}'


async def _redis_round_trips(url: str, samples: int) -> list[float]:
    import redis.asyncio as redis

    publisher = redis.Redis.from_url(url)
    subscriber = redis.Redis.from_url(url)
    pubsub = subscriber.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(REDIS_CHANNEL)
    timings: list[float] = []
    try:
        for number in range(samples + 20):  # the first 20 warm up
            began = time.perf_counter()
            await publisher.publish(REDIS_CHANNEL, _payload(number))
            deadline = began + 5.0
            while True:
                # None also for the subscription's own confirmation: wait on until the deadline.
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and json.loads(message["data"])["n"] == number:
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError("a PUBLISH did not reach the subscriber within 5 s")
            if number >= 20:
                timings.append((time.perf_counter() - began) * 1000)
    finally:
        await pubsub.unsubscribe(REDIS_CHANNEL)
        await pubsub.aclose()
        await publisher.aclose()
        await subscriber.aclose()
    return timings


def redis_floor(*, samples: int) -> dict:
    return summary_ms(asyncio.run(_redis_round_trips(harness.REDIS_URL, samples)))


# --- bare ASGI under daphne ---------------------------------------------------------------------


async def _echo_round_trips(url: str, samples: int) -> list[float]:
    from websockets.asyncio.client import connect

    payload = _payload(0)
    timings: list[float] = []
    async with connect(url, max_size=None) as socket:
        for number in range(samples + 20):
            began = time.perf_counter()
            await socket.send(payload)
            await socket.recv()
            if number >= 20:
                timings.append((time.perf_counter() - began) * 1000)
    return timings


def http_floor_config(base_url: str, *, seconds: float, clients: int = READERS) -> dict:
    return {
        "duration_s": seconds,
        "warmup_s": 0.5,
        "workers": [
            {"base_url": base_url, "requests": [{"label": "get", "method": "GET", "path": "/"}]}
            for _ in range(clients)
        ],
        "expect": [200],
    }


def asgi_floors(*, echo_samples: int, http_s: float) -> dict:
    from bench.http import CpuMeter, per_request_cpu

    with harness.servers(1, app="bench.echo_app:app") as (server,):
        echo = summary_ms(
            asyncio.run(_echo_round_trips(f"ws://127.0.0.1:{server.port}/", echo_samples))
        )
        meter = CpuMeter([server.process.pid])
        meter.start()
        raw = harness.run_load(
            "bench.load_http", http_floor_config(server.url, seconds=http_s), timeout=http_s + 60
        )
        http = summarize(raw)
        http.update(per_request_cpu(meter.stop(), http))
    return {"ws_echo": echo, "http": http}


# --- the scenario -------------------------------------------------------------------------------


def run(*, quick: bool) -> dict:
    """Measure every floor, print them, save var/bench/floors.json and return them."""
    plan = settings(quick)
    began = time.perf_counter()
    log(f"Floors ({'quick' if quick else 'full'})")
    insert = insert_floor(seconds=plan["insert_s"])
    redis_rtt = redis_floor(samples=plan["redis_samples"])
    asgi = asgi_floors(echo_samples=plan["echo_samples"], http_s=plan["http_s"])
    echo, http = asgi["ws_echo"], asgi["http"]
    result = {
        "quick": quick,
        "insert": insert,
        "redis_pubsub_ms": redis_rtt,
        "ws_echo_ms": echo,
        "http": http,
        # What one fan-out delivery cannot beat: through Redis, then out of a socket.
        "fanout_floor_ms": {
            "p50": round(redis_rtt["p50"] + echo["p50"], 3),
            "p99": round(redis_rtt["p99"] + echo["p99"], 3),
        },
        "wall_s": round(time.perf_counter() - began, 1),
    }
    print_table(
        ["floor", "samples", "per s", "p50 ms", "p99 ms"],
        [
            [f"INSERT, {insert['connections']} connections, autocommit", insert["n"],
             insert["per_s"], insert["p50_ms"], insert["p99_ms"]],
            ["Redis PUBLISH -> subscriber, 1 KB", redis_rtt["n"], "", f"{redis_rtt['p50']:.2f}",
             f"{redis_rtt['p99']:.2f}"],
            ["daphne bare ASGI WebSocket echo, 1 KB", echo["n"], "", f"{echo['p50']:.2f}",
             f"{echo['p99']:.2f}"],
            [f"daphne bare ASGI HTTP GET, {READERS} clients", http["n"], http["per_s"],
             http["p50_ms"], http["p99_ms"]],
            ["fan-out floor (Redis + echo)", "", "", f"{result['fanout_floor_ms']['p50']:.2f}",
             f"{result['fanout_floor_ms']['p99']:.2f}"],
        ],
    )  # fmt: skip
    log(
        f"  HTTP floor: daphne busy {http['server_cpu_share']:.0%} of a core "
        f"({http['server_cpu_ms_per_request']:.3f} ms CPU per request), the load process "
        f"{http['load_cpu_share']:.0%}."
    )
    harness.save_results("floors", result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.floors", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="short runs (make bench QUICK=1)")
    args = parser.parse_args(argv)
    harness.ensure_database()
    harness.setup_django()
    run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
