"""Scenarios 2, 3 and 6: post throughput, history read and storage, over HTTP.

- Post throughput: 16 senders (distinct users of the benchmark world, all members of its
  channel) create posts through `POST /api/v4/posts` as fast as they are answered, for
  30 s (quick: 5 s), against one daphne process and then two.
- History read: a channel holding 100,000 posts (quick: 10,000), seeded in bulk and kept
  for later runs; 16 readers ask for `GET /api/v4/channels/{id}/posts?per_page=60`, page 0
  (the headline), then deeper pages and `before=`, and page 0 from a single reader (the
  time one request takes when nothing queues).
- Storage: bytes per post of `posts_post` (table, TOAST and indexes) and of the search
  index, with the arithmetic for 1,000,000 posts.

Each figure is printed beside its floor (`bench.floors`, measured in the same run) and as
a ratio to it. The load comes from `bench.load_http` in another process; the server and
PostgreSQL CPU time spent per request is read from /proc.

    .venv/bin/python -m bench.http [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

from bench import harness
from bench.harness import log, print_table
from bench.load_http import ratio, summarize

SENDERS = 16
READERS = 16
PER_PAGE = 60
POST_BATCH = 5000
PROJECTED_POSTS = 1_000_000
TARGET_POSTS_PER_S = 1000.0
TARGET_HISTORY_P50_MS = 10.0
TARGET_BYTES_PER_POST = 1536  # 1.5 KB: posts_post with its indexes and TOAST
HISTORY_SPAN_MS = 180 * 24 * 3600 * 1000  # the seeded history covers half a year


def settings(quick: bool) -> dict:
    return {
        "post_s": 5.0 if quick else 30.0,
        "two_processes_s": None if quick else 10.0,
        "read_s": 5.0 if quick else 30.0,
        "variants_s": 2.0 if quick else 10.0,
        "single_s": 2.0 if quick else 10.0,
        "warmup_s": 0.5 if quick else 1.0,
        "history_posts": 10_000 if quick else 100_000,
    }


# --- CPU accounting from /proc ------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU time of a process so far (Linux /proc); with `children`, also
    that of its children that have exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICKS


def postgres_cpu_seconds() -> float:
    """CPU time of every local PostgreSQL process so far, backends that have exited
    included (the postmaster collects their time as its children's)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += process_cpu_seconds(int(entry.name), children=True)
            except OSError:
                continue
    return total


class CpuMeter:
    """CPU seconds the servers and PostgreSQL spend between `start` and `stop`."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def start(self) -> None:
        self.began = time.perf_counter()
        self.server = sum(process_cpu_seconds(p) for p in self.pids)
        self.postgres = postgres_cpu_seconds()

    def stop(self) -> dict:
        wall = time.perf_counter() - self.began
        server = sum(process_cpu_seconds(p) for p in self.pids) - self.server
        postgres = postgres_cpu_seconds() - self.postgres
        return {"wall_s": wall, "server_cpu_s": server, "postgres_cpu_s": postgres}


def per_request_cpu(cpu: dict, figures: dict) -> dict:
    """Server and PostgreSQL CPU per answered request (ms), and how busy the servers were
    (1.0 = one core all the time), over every request of the run, warm-up included."""
    answered = max(1, figures.get("total_requests") or figures["n"])
    return {
        "server_cpu_ms_per_request": round(cpu["server_cpu_s"] * 1000 / answered, 3),
        "postgres_cpu_ms_per_request": round(cpu["postgres_cpu_s"] * 1000 / answered, 3),
        "server_cpu_share": round(cpu["server_cpu_s"] / cpu["wall_s"], 2),
        "postgres_cpu_share": round(cpu["postgres_cpu_s"] / cpu["wall_s"], 2),
    }


def _load(config: dict, servers: list, *, label: str | None = None) -> dict:
    meter = CpuMeter([s.process.pid for s in servers])
    meter.start()
    raw = harness.run_load(
        "bench.load_http", config, timeout=config["duration_s"] + config["warmup_s"] + 120
    )
    cpu = meter.stop()
    figures = summarize(raw, label)
    figures.update(per_request_cpu(cpu, figures))
    figures["statuses"] = raw["statuses"]
    if raw["error_samples"]:
        figures["error_samples"] = raw["error_samples"]
    return figures


# --- the history channel -----------------------------------------------------------------------


def _history_channel(world, count: int):
    """The channel `history-<count>` of the world's team, with the readers in it."""
    from apps.accounts.models import User
    from apps.channels.models import Channel, ChannelMember
    from apps.channels.services import channel_create, channel_join
    from apps.teams.models import Team

    admin = User.objects.get(id=world.users[0]["id"])
    team = Team.objects.get(id=world.team_id)
    name = f"history-{count}"
    channel = Channel.objects.filter(team=team, name=name).first() or channel_create(
        actor=admin, team=team, name=name, display_name=f"History {count:,}"
    )
    joined = set(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))
    for reader in world.users[1 : READERS + 1]:
        if reader["id"] not in joined:
            channel_join(actor=User.objects.get(id=reader["id"]), channel_id=channel.id)
    return channel


def _history_batch(
    rng: random.Random,
    corpus,
    *,
    channel_id: str,
    authors: list[str],
    author_cum: list[float],
    numbers: range,
    start_ms: int,
    step: float,
) -> list:
    """Posts `numbers` of the history, oldest first; a fifth are replies to a recent root
    of the same batch, whose reply count and last reply time they move."""
    from apps.core.ids import new_id
    from apps.posts.models import Post
    from apps.posts.text import parse_hashtags

    posts, roots = [], []
    for number in numbers:
        at = start_ms + int(number * step) + rng.randrange(max(1, int(step)))
        message = corpus.message()
        root = rng.choice(roots[-5:]) if roots and rng.random() < 0.2 else None
        post = Post(
            id=new_id(),
            user_id=rng.choices(authors, cum_weights=author_cum)[0],
            channel_id=channel_id,
            root_id=root.id if root else None,
            message=message,
            hashtags=parse_hashtags(message),
            create_at=at,
            update_at=at,
        )
        if root is None:
            roots.append(post)
        else:
            root.reply_count += 1
            root.last_reply_at = root.update_at = at
        posts.append(post)
    return posts


def _recount(channel) -> dict:
    """The channel's counters as `post_create` would have left them, from its posts; its
    members have read everything."""
    from django.db.models import Count, Max, Q

    from apps.channels.models import Channel, ChannelMember
    from apps.posts.models import JOIN_LEAVE_TYPES, Post

    counted = ~Q(type__in=JOIN_LEAVE_TYPES)
    totals = Post.objects.filter(channel=channel).aggregate(
        total=Count("id", filter=counted),
        roots=Count("id", filter=counted & Q(root__isnull=True)),
        last=Max("create_at"),
        last_root=Max("create_at", filter=Q(root__isnull=True)),
    )
    Channel.objects.filter(id=channel.id).update(
        total_msg_count=totals["total"],
        total_msg_count_root=totals["roots"],
        last_post_at=totals["last"] or 0,
        last_root_post_at=totals["last_root"] or 0,
    )
    ChannelMember.objects.filter(channel=channel).mark_read(
        total_msg_count=totals["total"], total_msg_count_root=totals["roots"], at=totals["last"]
    )
    return totals


def vacuum_analyze() -> None:
    """What autovacuum would do after a bulk load (PostgreSQL only; inside a transaction,
    as in the tests, VACUUM cannot run and only ANALYZE does)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in ("posts_post", "search_postsearchentry", "chat_channels_channel"):
            cursor.execute(f"{command} {table}")


def seed_history(world, count: int) -> dict:
    """A channel holding `count` user posts, oldest first over half a year up to now,
    inserted in bulk (as `bench.search` does: `post_create` per post would take far
    longer and measure itself), indexed for search, with its counters right. Reused when
    it already holds `count` posts."""
    from django.db import transaction

    from apps.channels.models import ChannelMember
    from apps.core.timeutils import now_ms
    from apps.posts.models import Post
    from apps.search.services import search_index_new_posts
    from bench.corpus import Corpus

    channel = _history_channel(world, count)
    existing = Post.objects.filter(channel=channel, type="")
    have = existing.count()
    if have == count:
        log(f"  reusing channel {channel.name}: {have:,} posts")
        return {"channel_id": channel.id, "posts": have, "seeded_s": 0.0}
    if have:
        log(f"  channel {channel.name} holds {have:,} posts, not {count:,}: seeding it again")
        existing.delete()
    began = time.perf_counter()
    members = list(
        ChannelMember.objects.filter(channel=channel)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    authors = [user_id for user_id, _ in members]
    author_cum, total = [], 0.0
    for rank in range(len(authors)):
        total += 1.0 / (rank + 1)
        author_cum.append(total)
    rng = random.Random(f"history:{count}")  # noqa: S311 - data, not secrets
    corpus = Corpus(f"history:{count}", mention_names=[name for _, name in members])
    end_ms = now_ms()
    step = HISTORY_SPAN_MS / count
    for first in range(0, count, POST_BATCH):
        posts = _history_batch(
            rng,
            corpus,
            channel_id=channel.id,
            authors=authors,
            author_cum=author_cum,
            numbers=range(first, min(count, first + POST_BATCH)),
            start_ms=end_ms - HISTORY_SPAN_MS,
            step=step,
        )
        with transaction.atomic():
            Post.objects.bulk_create(posts)
        search_index_new_posts(posts)
        done = first + len(posts)
        if done % (count // 5 or 1) < POST_BATCH or done == count:
            log(f"    {done:,} posts ({time.perf_counter() - began:.0f} s)")
    _recount(channel)
    vacuum_analyze()
    seeded = time.perf_counter() - began
    log(f"  seeded {count:,} posts in {channel.name} in {seeded:.0f} s")
    return {"channel_id": channel.id, "posts": count, "seeded_s": round(seeded, 1)}


# --- storage -----------------------------------------------------------------------------------


def storage_figures(*, total_bytes: int, rows: int, projected: int = PROJECTED_POSTS) -> dict:
    """Bytes per row and what `projected` rows would take (MB, 1 MB = 1,048,576 bytes)."""
    per_row = total_bytes / rows if rows else math.nan
    return {
        "bytes": total_bytes,
        "rows": rows,
        "bytes_per_post": round(per_row, 1),
        "projected_posts": projected,
        "projected_mb": round(per_row * projected / 1024 / 1024, 1),
    }


def measure_storage() -> dict | None:
    """posts_post (heap, TOAST, each index) and the search index, per row they hold;
    None off PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('posts_post'), pg_relation_size('posts_post'),"
            " pg_indexes_size('posts_post'), (SELECT count(*) FROM posts_post),"
            " pg_total_relation_size('search_postsearchentry'),"
            " (SELECT count(*) FROM search_postsearchentry)"
        )
        total, heap, indexes, posts, search_total, entries = cursor.fetchone()
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes"
            " WHERE relname = 'posts_post' ORDER BY 2 DESC"
        )
        by_index = dict(cursor.fetchall())
        cursor.execute("SELECT avg(pg_column_size(p.*)) FROM posts_post p")
        (average_row,) = cursor.fetchone()
    posts_figures = storage_figures(total_bytes=total, rows=posts)
    posts_figures.update(
        heap_bytes=heap,
        index_bytes=indexes,
        toast_bytes=total - heap - indexes,
        heap_bytes_per_post=round(heap / max(1, posts), 1),
        index_bytes_per_post=round(indexes / max(1, posts), 1),
        average_row_bytes=round(float(average_row or 0), 1),
        indexes={name: round(size / max(1, posts), 1) for name, size in by_index.items()},
    )
    return {
        "posts_post": posts_figures,
        "search_postsearchentry": storage_figures(total_bytes=search_total, rows=entries),
    }


# --- the load ------------------------------------------------------------------------------------


def _world_and_senders():
    from bench import world as bench_world

    world = bench_world.load_or_seed(max(SENDERS, READERS))
    return world, world.users[1 : SENDERS + 1]


def post_throughput(
    servers: list, world, senders: list[dict], *, seconds: float, warmup: float
) -> dict:
    """Senders split evenly over `servers`, each posting as soon as it is answered."""
    config = {
        "duration_s": seconds,
        "warmup_s": warmup,
        "workers": [
            {
                "base_url": servers[number % len(servers)].url,
                "token": sender["token"],
                "post": {"channel_id": world.channel_id, "user_id": sender["id"]},
            }
            for number, sender in enumerate(senders)
        ],
        "corpus": {
            "seed": f"throughput:{time.time_ns()}",
            "mention_names": [s["username"] for s in senders],
        },
        "expect": [201],
    }
    return _load(config, servers)


def history_read(
    server, readers: list[dict], requests: list[dict], *, seconds: float, warmup: float
) -> dict:
    """Readers on one server, each on its own connection, going through `requests` in
    turn (each from a different starting place). One summary per request label, plus
    "all" with the CPU figures when there are several labels."""
    shift = len(requests)
    config = {
        "duration_s": seconds,
        "warmup_s": warmup,
        "workers": [
            {
                "base_url": server.url,
                "token": reader["token"],
                "requests": requests[n % shift :] + requests[: n % shift],
            }
            for n, reader in enumerate(readers)
        ],
        "expect": [200],
    }
    labels = sorted({r["label"] for r in requests})
    if len(labels) == 1:
        return _load(config, [server], label=labels[0])
    meter = CpuMeter([server.process.pid])
    meter.start()
    raw = harness.run_load("bench.load_http", config, timeout=seconds + warmup + 120)
    cpu = meter.stop()
    figures = {label: summarize(raw, label) for label in labels}
    everything = summarize(raw)
    everything.update(per_request_cpu(cpu, everything))
    figures["all"] = everything
    return figures


def _history_requests(channel_id: str, count: int) -> dict[str, list[dict]]:
    from apps.posts.models import Post

    path = f"/api/v4/channels/{channel_id}/posts?per_page={PER_PAGE}"
    middle = (
        Post.objects.filter(channel_id=channel_id, delete_at=0)
        .order_by("-create_at", "-id")
        .values_list("id", flat=True)[count // 2]
    )
    return {
        "page0": [{"label": "page 0", "method": "GET", "path": f"{path}&page=0"}],
        "variants": [
            {"label": "page 10", "method": "GET", "path": f"{path}&page=10"},
            {"label": "page 100", "method": "GET", "path": f"{path}&page=100"},
            {"label": "before=middle", "method": "GET", "path": f"{path}&before={middle}"},
        ],
    }


def flush_jobs() -> None:
    """Empty the benchmark's Redis database: the search-index jobs posts queue (no worker
    runs during the benchmark) and anything else left there."""
    import redis

    client = redis.Redis.from_url(harness.REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


# --- the scenarios -------------------------------------------------------------------------------


def run(*, quick: bool, floors: dict | None = None, server: str = "daphne") -> dict:
    """Scenarios 2, 3 and 6; `floors` from `bench.floors.run` of the same run, measured
    here when not given; Confab served by `server` (daphne, or uvicorn to compare). Prints
    the table, saves var/bench/http.json (http-uvicorn.json under uvicorn), returns the
    figures."""
    if floors is None:
        from bench import floors as bench_floors

        floors = bench_floors.run(quick=quick)
    plan = settings(quick)
    began = time.perf_counter()
    log(f"HTTP: post throughput, history read, storage ({'quick' if quick else 'full'}, {server})")
    world, senders = _world_and_senders()
    readers = world.users[1 : READERS + 1]
    history = seed_history(world, plan["history_posts"])
    storage = measure_storage()
    requests = _history_requests(history["channel_id"], history["posts"])
    flush_jobs()
    result: dict = {"quick": quick, "server": server, "history_channel": history}
    try:
        with harness.servers(1, server=server) as one:
            result["post_1"] = post_throughput(
                one, world, senders, seconds=plan["post_s"], warmup=plan["warmup_s"]
            )
            result["read_page0"] = history_read(
                one[0], readers, requests["page0"], seconds=plan["read_s"], warmup=plan["warmup_s"]
            )
            result["read_variants"] = history_read(
                one[0],
                readers,
                requests["variants"],
                seconds=plan["variants_s"],
                warmup=plan["warmup_s"],
            )
            result["read_page0_single"] = history_read(
                one[0],
                readers[:1],
                requests["page0"],
                seconds=plan["single_s"],
                warmup=plan["warmup_s"],
            )
        if plan["two_processes_s"]:
            with harness.servers(2, server=server) as two:
                result["post_2"] = post_throughput(
                    two, world, senders, seconds=plan["two_processes_s"], warmup=plan["warmup_s"]
                )
    finally:
        flush_jobs()
    result["storage"] = storage
    result["floors"] = {
        "insert_per_s": floors["insert"]["per_s"],
        "http_per_s": floors["http"]["per_s"],
        "http_p50_ms": floors["http"]["p50_ms"],
        "http_p99_ms": floors["http"]["p99_ms"],
    }
    result["ratios"] = {
        "post_throughput_to_insert_floor": ratio(
            result["post_1"]["per_s"], floors["insert"]["per_s"]
        ),
        "history_p50_to_http_floor_p50": ratio(
            result["read_page0"]["p50_ms"], floors["http"]["p50_ms"]
        ),
        "history_per_s_to_http_floor_per_s": ratio(
            result["read_page0"]["per_s"], floors["http"]["per_s"]
        ),
    }
    result["targets"] = {
        "post_throughput_per_s": TARGET_POSTS_PER_S,
        "history_p50_ms": TARGET_HISTORY_P50_MS,
        "bytes_per_post": TARGET_BYTES_PER_POST,
    }
    result["wall_s"] = round(time.perf_counter() - began, 1)
    report(result, floors)
    harness.save_results("http" if server == "daphne" else f"http-{server}", result)
    return result


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _row(name: str, figures: dict) -> list:
    return [
        name,
        figures["n"],
        figures["per_s"],
        figures["p50_ms"],
        figures["p99_ms"],
        figures.get("errors", 0),
        figures.get("server_cpu_ms_per_request", ""),
        figures.get("postgres_cpu_ms_per_request", ""),
    ]


def report(result: dict, floors: dict) -> None:
    post, read, single = result["post_1"], result["read_page0"], result["read_page0_single"]
    insert, http = floors["insert"], floors["http"]
    kind = result.get("server", "daphne")
    rows = [_row(f"post create, {SENDERS} senders, 1 {kind}", post)]
    if "post_2" in result:
        rows.append(_row(f"post create, {SENDERS} senders, 2 {kind}", result["post_2"]))
    rows.append(_row(f"INSERT floor, {insert['connections']} connections", insert))
    rows.append(_row(f"history page 0, {READERS} readers", read))
    for label in ("page 10", "page 100", "before=middle"):
        rows.append(
            _row(f"history {label}, {READERS} readers mixed", result["read_variants"][label])
        )
    rows.append(_row("history page 0, 1 reader", single))
    rows.append(_row(f"bare ASGI HTTP GET floor, {READERS} clients", http))
    print_table(
        ["scenario", "samples", "per s", "p50 ms", "p99 ms", "errors", "server CPU ms/req",
         "PG CPU ms/req"],
        rows,
    )  # fmt: skip
    ratios = result["ratios"]
    log(
        f"Post throughput: {post['per_s']:,.0f}/s, target >= {TARGET_POSTS_PER_S:,.0f}/s "
        f"{_mark(post['per_s'] >= TARGET_POSTS_PER_S)}; "
        f"{ratios['post_throughput_to_insert_floor']:.3f} of the INSERT floor "
        f"({insert['per_s']:,.0f}/s). Server busy {post['server_cpu_share']:.0%} of a core, "
        f"PostgreSQL {post['postgres_cpu_share']:.0%}."
    )
    log(
        f"History page 0: p50 {read['p50_ms']:.1f} ms, target < {TARGET_HISTORY_P50_MS:.0f} ms "
        f"{_mark(read['p50_ms'] < TARGET_HISTORY_P50_MS)}; "
        f"{ratios['history_p50_to_http_floor_p50']:.1f}x the bare-ASGI p50, "
        f"{ratios['history_per_s_to_http_floor_per_s']:.3f} of its requests/s. "
        f"One reader alone: p50 {single['p50_ms']:.1f} ms."
    )
    posts_storage = result["storage"]["posts_post"]
    search_storage = result["storage"]["search_postsearchentry"]
    per_post = posts_storage["bytes_per_post"]
    rows_count = max(1, posts_storage["rows"])
    log(
        f"Storage: posts_post {posts_storage['bytes'] / 1048576:,.1f} MB / "
        f"{posts_storage['rows']:,} posts = {per_post:,.0f} B/post (heap "
        f"{posts_storage['heap_bytes_per_post']:,.0f}, indexes "
        f"{posts_storage['index_bytes_per_post']:,.0f}, TOAST "
        f"{posts_storage['toast_bytes'] / rows_count:,.0f}); x {PROJECTED_POSTS:,} = "
        f"{posts_storage['projected_mb']:,.0f} MB. Target <= {TARGET_BYTES_PER_POST:,} B/post "
        f"{_mark(per_post <= TARGET_BYTES_PER_POST)}."
    )
    log(
        "  posts_post indexes, B/post: "
        + ", ".join(f"{name} {size:,.0f}" for name, size in posts_storage["indexes"].items())
    )
    log(
        f"Search index: {search_storage['bytes'] / 1048576:,.1f} MB / "
        f"{search_storage['rows']:,} entries = {search_storage['bytes_per_post']:,.0f} B/post; "
        f"x {PROJECTED_POSTS:,} = {search_storage['projected_mb']:,.0f} MB."
    )
    for name in ("post_1", "post_2", "read_page0", "read_page0_single"):
        if result.get(name, {}).get("error_samples"):
            log(f"  {name} errors: {result[name]['error_samples'][:2]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.http", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="short runs (make bench QUICK=1)")
    parser.add_argument(
        "--server", choices=harness.SERVERS, default="daphne", help="the ASGI server"
    )
    args = parser.parse_args(argv)
    harness.ensure_database()
    harness.setup_django()
    from bench import floors as bench_floors

    floors = bench_floors.run(quick=args.quick)
    run(quick=args.quick, floors=floors, server=args.server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
