"""The search benchmark: a seeded chat corpus in PostgreSQL, then twenty timed searches.

Run it with `make bench` or:

    DJANGO_SETTINGS_MODULE=config.settings.bench .venv/bin/python -m bench.search \\
        [--posts 1000000] [--samples 30] [--reseed]

It works in a database of its own (`--database`, default `confab_bench_search`) on the
PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432), which it
creates and migrates. It makes users, teams and channels through the services, then
inserts the posts in bulk and indexes them with `search_index_new_posts`, which takes a
few minutes for a million posts; a later run with the same `--posts` and `--seed` reuses
the database (`--reseed` rebuilds it). The queries run as one user who is a member of
many channels, through `post_search` (the selector the API calls), in that user's main
team. Each query runs `--warmup` times untimed, then `--samples` times timed; the report
gives p50 and p95 per query and per class (both queries of a class pooled), the first
page's hits, and the size of the index. The same figures go to var/bench/search.json.
"""

import argparse
import itertools
import json
import math
import multiprocessing
import os
import random
import statistics
import sys
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import django

if __name__ == "__main__":  # settings first: the imports below load models
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()

from django.db import DatabaseError, connection, transaction

from apps.accounts.models import User
from apps.accounts.services.users import user_create
from apps.channels.models import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    TOWN_SQUARE,
    Channel,
    ChannelMember,
)
from apps.channels.services import (
    channel_create,
    channel_get_or_create_direct,
    channel_get_or_create_group,
)
from apps.core.ids import new_id
from apps.posts.models import Post
from apps.posts.text import parse_hashtags
from apps.search.grammar import parse_search
from apps.search.selectors import post_search
from apps.search.services import search_index_new_posts
from apps.teams.models import Team, TeamMember
from apps.teams.services import team_create, team_member_add
from bench.corpus import (
    CHINESE_WORDS,
    KOREAN_WORDS,
    Corpus,
    frequent_word,
    person_names,
)
from bench.harness import log, percentile
from config.env import VAR_DIR

DEFAULT_POSTS = 1_000_000
DEFAULT_SEED = 1
DATABASE_NAME = "confab_bench_search"
TARGET_P95_MS = 50.0
# Part of the seeded database's marker: bump it when the corpus or the world changes, so
# that an older database is rebuilt rather than reused.
CORPUS_VERSION = 1

ADMIN = "sysadmin"
SEARCHER = "searcher"
TEAM_NAMES = ["acme", "engineering", "sales", "support", "marketing", "design", "ops", "data",
              "mobile", "finance", "people", "research"]  # fmt: skip
CHANNEL_AREAS = ["eng", "web", "mobile", "infra", "data", "security", "design", "product",
                 "sales", "support", "ops", "marketing", "finance", "people", "legal",
                 "qa"]  # fmt: skip
CHANNEL_TOPICS = ["general", "alerts", "standup", "releases", "incidents", "planning", "random",
                  "reviews", "oncall", "help", "announcements", "dev", "team", "social",
                  "hiring", "docs"]  # fmt: skip

# Posts are spread evenly over two years, oldest first, as a server fills up.
CORPUS_START_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
CORPUS_SPAN_MS = 730 * 24 * 3600 * 1000

CLASSES = [
    "single word",
    "phrase",
    "exclusion",
    "from:",
    "in:",
    "date range",
    "hashtag",
    "prefix",
    "Korean substring",
    "Chinese substring",
]


# --- the world: users, teams, channels, memberships -------------------------------------------


@dataclass
class BenchChannel:
    id: str
    name: str
    type: str
    team_name: str  # "" for direct and group messages
    members: list[str]  # user ids
    member_cum: list[float] = field(default_factory=list)  # authors' activity, cumulative


@dataclass
class BenchWorld:
    """What seeding and querying need, read back from the database (see `load_world`)."""

    searcher: User
    team: Team  # the searcher's main team: every user is in it
    channels: list[BenchChannel]
    channel_cum: list[float]  # how busy each channel is, cumulative
    usernames: list[str]
    top_posters: list[str]  # the two who wrote most of what the searcher reads
    busiest_channels: list[str]  # the searcher's two busiest channels in the main team


def _team_names(count: int) -> list[str]:
    return [TEAM_NAMES[i] if i < len(TEAM_NAMES) else f"team{i}" for i in range(count)]


def _channel_names(rng: random.Random, count: int) -> list[str]:
    names = [f"{area}-{topic}" for area in CHANNEL_AREAS for topic in CHANNEL_TOPICS]
    rng.shuffle(names)
    names += [f"channel-{i}" for i in range(count - len(names))]
    return names[:count]


def seed_world(
    *,
    seed: int,
    users: int = 1000,
    teams: int = 10,
    channels: int = 1000,
    searcher_share: float = 0.5,
    log: Callable[[str], None] = log,
) -> None:
    """Users, teams and channels through the services; extra channel memberships in bulk.

    About 15% of `channels` are direct messages and 5% group messages (2 in 5 of them
    with the searcher); the rest are team channels, a fifth of them private. Everyone
    is in the first team and about one in ten in each other team; the searcher is in
    every team and in `searcher_share` of the public channels (less of the private ones).
    """
    started = time.perf_counter()
    rng = random.Random(f"{seed}:world")  # noqa: S311 (data, not secrets)
    admin = user_create(username=ADMIN, email=f"{ADMIN}@example.com", password=None)
    searcher = user_create(
        username=SEARCHER, email=f"{SEARCHER}@example.com", password=None, first_name="Sam"
    )
    people = [
        user_create(
            username=username,
            email=f"{username}@example.com",
            password=None,
            first_name=first,
            last_name=last,
        )
        for username, first, last in person_names(rng, max(2, users - 2))
    ]
    log(f"  {len(people) + 2} users ({time.perf_counter() - started:.1f} s)")

    team_objects = [
        team_create(actor=admin, name=name, display_name=name.title())
        for name in _team_names(teams)
    ]
    team_members: dict[str, list[User]] = {t.id: [searcher] for t in team_objects}
    for team in team_objects:
        team_member_add(actor=admin, team_id=team.id, user_id=searcher.id)
    main, others = team_objects[0], team_objects[1:]
    for user in people:
        joined = [main, *rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2))))]
        for team in joined:
            team_member_add(actor=admin, team_id=team.id, user_id=user.id)
            team_members[team.id].append(user)
    log(
        f"  {teams} teams, {TeamMember.objects.count()} team members "
        f"({time.perf_counter() - started:.1f} s)"
    )

    directs = max(1, channels * 15 // 100)
    groups = max(1, channels * 5 // 100)
    per_team = max(0, (channels - directs - groups) // teams - 2)  # Town Square, Off-Topic
    extra_members: list[ChannelMember] = []
    for team in team_objects:
        members = team_members[team.id]
        for name in _channel_names(rng, per_team):
            private = rng.random() < 0.2
            creator = rng.choice(members[1:] or members)
            channel = channel_create(
                actor=creator,
                team=team,
                name=name,
                display_name=name.replace("-", " ").title(),
                channel_type=CHANNEL_PRIVATE if private else CHANNEL_OPEN,
            )
            size = max(2, round(len(members) ** rng.uniform(0.25, 0.85)))
            chosen = set(rng.sample(members[1:], min(size, len(members) - 1))) - {creator}
            if rng.random() < (searcher_share * 0.6 if private else searcher_share):
                chosen.add(searcher)
            # Memberships in bulk: channel_member_add per row would also post a system
            # message each, tens of thousands of them, and search never sees those.
            extra_members += [ChannelMember(channel=channel, user=user) for user in chosen]
    ChannelMember.objects.bulk_create(extra_members, batch_size=5000)

    made = 0
    while made < directs:
        first, second = rng.sample(people, 2)
        if rng.random() < 0.4:
            first = searcher
        created_before = Channel.objects.filter(type=CHANNEL_DIRECT).count()
        channel_get_or_create_direct(actor=first, other_user_id=second.id)
        made += Channel.objects.filter(type=CHANNEL_DIRECT).count() - created_before
    for _ in range(groups):
        actor, *rest = rng.sample(people, rng.randint(3, 6))
        if rng.random() < 0.4:
            actor = searcher
        channel_get_or_create_group(actor=actor, user_ids=[u.id for u in rest])
    log(
        f"  {Channel.objects.count()} channels, {ChannelMember.objects.count()} channel "
        f"members ({time.perf_counter() - started:.1f} s)"
    )


def load_world(*, seed: int) -> BenchWorld:
    """The seeded world as the database holds it; how busy each channel and user is
    follows from the seed and the names, so it is the same on every run."""
    searcher = User.objects.get(username=SEARCHER)
    team = Team.objects.get(name=_team_names(1)[0])
    users = dict(User.objects.values_list("id", "username"))
    activity_order = sorted(users.values())
    random.Random(f"{seed}:activity").shuffle(activity_order)  # noqa: S311
    activity = {name: 1.0 / (rank + 1) ** 0.8 for rank, name in enumerate(activity_order)}
    activity[ADMIN] = activity[ADMIN] * 0.01  # the admin rarely talks

    # Ids are random, so everything is ordered by names: the same seed then gives the
    # same authors in the same channels on every machine.
    members: dict[str, list[str]] = defaultdict(list)
    for channel_id, user_id in ChannelMember.objects.order_by("user__username").values_list(
        "channel_id", "user_id"
    ):
        members[channel_id].append(user_id)
    rows = Channel.objects.values_list("id", "name", "type", "team__name")
    channels = [
        BenchChannel(id=i, name=n, type=t, team_name=team_name or "", members=members[i])
        for i, n, t, team_name in rows
        if members[i]
    ]
    # Direct and group message names are made of ids: name those by their members.
    channels.sort(
        key=lambda c: (
            (c.team_name, c.name)
            if c.team_name
            else ("~", ",".join(sorted(users[u] for u in c.members)))
        )
    )
    for channel in channels:
        channel.member_cum = _cumulative([activity[users[u]] for u in channel.members])
    order = list(range(len(channels)))
    random.Random(f"{seed}:channels").shuffle(order)  # noqa: S311
    weights = [0.0] * len(channels)
    for rank, index in enumerate(order):
        channel = channels[index]
        weight = 1.0 / (rank + 1) ** 0.9
        if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            weight *= 0.3
        elif channel.name == TOWN_SQUARE:
            weight *= 3
        weights[index] = weight
    # What the searcher reads in the main team: its channels there, busiest first, and
    # the people expected to have written most of it.
    readable = set(ChannelMember.objects.filter(user=searcher).values_list("channel_id", flat=True))
    in_view = [
        i
        for i, c in enumerate(channels)
        if c.id in readable and c.team_name in (team.name, "") and c.type != CHANNEL_GROUP
    ]
    expected: dict[str, float] = defaultdict(float)
    for i in in_view:
        channel = channels[i]
        for user_id in channel.members:
            expected[users[user_id]] += (
                weights[i] * activity[users[user_id]] / channel.member_cum[-1]
            )
    writers = sorted(expected, key=expected.__getitem__, reverse=True)
    busiest = sorted(
        (i for i in in_view if channels[i].team_name), key=weights.__getitem__, reverse=True
    )
    return BenchWorld(
        searcher=searcher,
        team=team,
        channels=channels,
        channel_cum=_cumulative(weights),
        usernames=sorted(users.values()),
        top_posters=[n for n in writers if n not in (ADMIN, SEARCHER)][:2],
        busiest_channels=[channels[i].name for i in busiest[:2]],
    )


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, cum: list[float]) -> int:
    return min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)


# --- the posts ---------------------------------------------------------------------------------


POST_BATCH = 5000  # posts per insert, each batch from its own random stream


def _batch_posts(world: BenchWorld, *, seed: int, count: int, batch: int) -> tuple[list, dict]:
    """The posts of batch `batch` of the corpus, and how many are in each language.

    Each batch draws from its own `Corpus(f"{seed}:{batch}")` and random stream, so the
    corpus is the same whichever process makes which batch, in whatever order.
    """
    corpus = Corpus(f"{seed}:{batch}", mention_names=world.usernames)
    rng = random.Random(f"{seed}:posts:{batch}")  # noqa: S311
    step = CORPUS_SPAN_MS / max(1, count)
    last_root: dict[str, str] = {}
    posts = []
    for number in range(batch * POST_BATCH, min(count, (batch + 1) * POST_BATCH)):
        channel = world.channels[_pick(rng, world.channel_cum)]
        author = channel.members[_pick(rng, channel.member_cum)]
        at = CORPUS_START_MS + int(number * step) + rng.randrange(max(1, int(step)))
        message = corpus.message()
        root_id = last_root.get(channel.id) if rng.random() < 0.2 else None
        post_id = new_id()
        if root_id is None:
            last_root[channel.id] = post_id
        posts.append(
            Post(
                id=post_id,
                user_id=author,
                channel_id=channel.id,
                root_id=root_id,
                message=message,
                hashtags=parse_hashtags(message),
                create_at=at,
                update_at=at,
            )
        )
    return posts, corpus.counts


def _seed_batch(world: BenchWorld, seed: int, count: int, batch: int) -> dict:
    began = time.perf_counter()
    posts, languages = _batch_posts(world, seed=seed, count=count, batch=batch)
    generated = time.perf_counter()
    with transaction.atomic():
        Post.objects.bulk_create(posts)
    inserted = time.perf_counter()
    search_index_new_posts(posts)
    indexed = time.perf_counter()
    return {
        "posts": len(posts),
        "generate_s": generated - began,
        "insert_posts_s": inserted - generated,
        "index_s": indexed - inserted,
        "languages": languages,
    }


_worker_world: BenchWorld | None = None  # the world of forked seeding processes


def _seed_batch_in_worker(job: tuple[int, int, int]) -> dict:
    assert _worker_world is not None
    return _seed_batch(_worker_world, *job)


def seed_posts(
    world: BenchWorld,
    *,
    count: int,
    seed: int,
    jobs: int = 1,
    log: Callable[[str], None] = log,
) -> dict:
    """`count` posts, oldest first over two years, in busy channels by active users (a
    fifth of them replies), inserted and indexed in batches by `jobs` processes.

    Posts are inserted with `bulk_create`, bypassing `post_create`: a million calls of
    the per-post service (permission checks, mention counting, channel counters,
    events) would take hours and none of it changes what search reads. The index is
    written by the service that imports use, `search_index_new_posts`. Channel
    counters and reply counts are left as they were; search does not read them.
    Times in the result are summed over the processes (CPU-seconds of each step).
    """
    global _worker_world
    jobs_list = [(seed, count, batch) for batch in range(math.ceil(count / POST_BATCH))]
    totals: dict = {"generate_s": 0.0, "insert_posts_s": 0.0, "index_s": 0.0}
    languages: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    done, next_report = 0, 0

    def record(result: dict) -> None:
        nonlocal done, next_report
        for key in totals:
            totals[key] += result[key]
        for language, n in result["languages"].items():
            languages[language] += n
        done += result["posts"]
        if done >= next_report or done == count:
            elapsed = time.perf_counter() - started
            rate = done / elapsed
            log(
                f"  {done:>9,} posts  {elapsed:7.1f} s  {rate:7,.0f}/s  "
                f"eta {(count - done) / rate:6.0f} s"
            )
            next_report = done + max(POST_BATCH, count // 20)

    if jobs > 1 and len(jobs_list) > 1:
        # Forked workers inherit the world; each opens its own database connection.
        _worker_world = world
        connection.close()
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for result in pool.imap_unordered(_seed_batch_in_worker, jobs_list):
                    record(result)
        finally:
            _worker_world = None
    else:
        for job in jobs_list:
            record(_seed_batch(world, *job))
    totals["total_s"] = time.perf_counter() - started
    totals["jobs"] = jobs
    totals["languages"] = dict(languages)
    return totals


# --- the queries -------------------------------------------------------------------------------


def build_queries(world: BenchWorld) -> list[tuple[str, str]]:
    """Twenty (class, search text) pairs, two per class, as people type them."""
    top, second = (world.top_posters * 2)[:2]
    busy, second_busy = (world.busiest_channels * 2)[:2]
    korean = [frequent_word(KOREAN_WORDS, length=3), frequent_word(KOREAN_WORDS, length=3, skip=1)]
    chinese = [
        frequent_word(CHINESE_WORDS, length=3),
        frequent_word(CHINESE_WORDS, length=3, skip=1),
    ]
    return [
        ("single word", "check"),
        ("single word", "latency"),
        ("phrase", '"pull request"'),
        ("phrase", '"root cause"'),
        ("exclusion", "deploy -staging"),
        ("exclusion", "error -timeout"),
        ("from:", f"from:{top}"),
        ("from:", f"from:{second} release"),
        ("in:", f"in:{busy}"),
        ("in:", f"in:{second_busy} deploy"),
        ("date range", "after:2025-02-28 before:2025-03-15 deploy"),
        ("date range", "after:2025-05-31 before:2025-06-08"),
        ("hashtag", "#release"),
        ("hashtag", "#incident"),
        ("prefix", "rev*"),
        ("prefix", "data*"),
        # Inside longer words: the middle of one, the start of another.
        ("Korean substring", korean[0][1:]),
        ("Korean substring", korean[1][:2]),
        ("Chinese substring", chinese[0][1:]),
        ("Chinese substring", chinese[1][:2]),
    ]


@dataclass
class QueryResult:
    query_class: str
    query: str
    hits: int  # posts on the first page (60 at most)
    more: bool  # whether there is a next page
    samples_ms: list[float]  # the whole `post_search` call
    db_samples_ms: list[float]  # of which in the database driver (SQL sent to rows back)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def db_p50(self) -> float:
        return statistics.median(self.db_samples_ms)


class _SqlClock:
    """A `connection.execute_wrapper` adding up the time spent executing SQL."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


def run_query(world: BenchWorld, text: str):
    """One search as the API makes it: parse the text, then the selector."""
    query = parse_search(text)
    return post_search(actor=world.searcher, query=query, team_id=world.team.id)


def run_queries(
    world: BenchWorld,
    queries: Sequence[tuple[str, str]],
    *,
    samples: int = 30,
    warmup: int = 3,
) -> list[QueryResult]:
    results = []
    for query_class, text in queries:
        for _ in range(warmup):
            run_query(world, text)
        timings, db_timings = [], []
        for _ in range(samples):
            clock = _SqlClock()
            with connection.execute_wrapper(clock):
                began = time.perf_counter()
                found = run_query(world, text)
                timings.append((time.perf_counter() - began) * 1000)
            db_timings.append(clock.seconds * 1000)
        results.append(
            QueryResult(query_class, text, len(found.posts), found.has_next, timings, db_timings)
        )
    return results


def class_summary(results: Sequence[QueryResult]) -> dict[str, dict[str, float]]:
    """p50 and p95 of each class, over the samples of all its queries."""
    pooled: dict[str, list[float]] = defaultdict(list)
    for result in results:
        pooled[result.query_class] += result.samples_ms
    return {
        name: {
            "p50_ms": statistics.median(samples),
            "p95_ms": percentile(samples, 95),
            "samples": len(samples),
        }
        for name, samples in pooled.items()
    }


def index_sizes(post_count: int) -> dict[str, int | float] | None:
    """Bytes on disk of the search tables (with their indexes and TOAST) and of the GIN
    index alone; None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('search_postsearchentry'),"
            " pg_relation_size('search_postsearchentry'),"
            " pg_relation_size('search_entry_vector_idx'),"
            " pg_total_relation_size('posts_post')"
        )
        entries, entries_heap, gin, posts = cursor.fetchone()
    return {
        "search_postsearchentry_bytes": entries,
        "search_postsearchentry_heap_bytes": entries_heap,
        "gin_index_bytes": gin,
        "search_total_bytes": entries,
        "search_bytes_per_post": entries / max(1, post_count),
        "gin_bytes_per_post": gin / max(1, post_count),
        "posts_post_bytes": posts,
    }


def server_context() -> dict:
    """What the figures depend on besides the code: the machine and the server's memory."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'),"
            " current_setting('work_mem'), current_setting('effective_cache_size')"
        )
        version, shared_buffers, work_mem, cache = cursor.fetchone()
    return {
        "cpus": os.cpu_count(),
        "server_version": version,
        "shared_buffers": shared_buffers,
        "work_mem": work_mem,
        "effective_cache_size": cache,
    }


# --- the report --------------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:,.1f} MB"


def report(
    results: Sequence[QueryResult],
    *,
    posts: int,
    sizes: dict | None,
    samples: int,
    log: Callable[[str], None] = log,
) -> dict[str, dict[str, float]]:
    summary = class_summary(results)
    log("")
    log(f"Search over {posts:,} posts; {samples} timed runs per query after warm-up (ms).")
    log(f"{'class':<18} {'query':<44} {'hits':>5} {'p50':>7} {'p95':>7} {'SQL p50':>8}")
    for r in results:
        hits = f"{r.hits}+" if r.more else str(r.hits)
        log(
            f"{r.query_class:<18} {r.query:<44} {hits:>5} {r.p50:7.1f} {r.p95:7.1f} {r.db_p50:8.1f}"
        )
    log("")
    log(f"{'class':<18} {'p50':>7} {'p95':>7}   (both queries pooled: {2 * samples} samples)")
    for name in CLASSES:
        if name in summary:
            row = summary[name]
            flag = "" if row["p95_ms"] < TARGET_P95_MS else f"  over the {TARGET_P95_MS:.0f} ms"
            log(f"{name:<18} {row['p50_ms']:7.1f} {row['p95_ms']:7.1f}{flag}")
    if sizes:
        log("")
        log(
            f"Index: search_postsearchentry {_mb(sizes['search_postsearchentry_bytes'])} "
            f"(heap {_mb(sizes['search_postsearchentry_heap_bytes'])}), "
            f"GIN index {_mb(sizes['gin_index_bytes'])}; "
            f"{sizes['search_bytes_per_post']:,.0f} bytes per post "
            f"(GIN {sizes['gin_bytes_per_post']:,.0f}). "
            f"Posts table {_mb(sizes['posts_post_bytes'])}. Indexes as built after the "
            "bulk load; ones grown by live inserts run larger (about 917 B/post here)."
        )
    return summary


# --- the database ------------------------------------------------------------------------------


def _marker(seed: int, posts: int) -> str:
    return f"bench.search corpus v{CORPUS_VERSION}: seed={seed} posts={posts}"


def is_seeded(*, seed: int, posts: int) -> bool:
    return Team.objects.filter(name=_team_names(1)[0], description=_marker(seed, posts)).exists()


def mark_seeded(*, seed: int, posts: int) -> None:
    Team.objects.filter(name=_team_names(1)[0]).update(description=_marker(seed, posts))


def create_database(name: str, *, drop: bool) -> None:
    """Create the benchmark database on the server of the default connection, first
    dropping it when `drop`."""
    import psycopg
    from psycopg import sql

    settings_dict = connection.settings_dict
    params = {
        "dbname": "postgres",
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
    }
    connection.close()
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or drop:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


BULK_LOADED_TABLES = ("posts_post", "search_postsearchentry")


@contextmanager
def indexes_built_after(tables: Sequence[str]) -> Iterator[dict[str, float]]:
    """Drop the tables' secondary indexes for a bulk load and build them again after it,
    as one restores a dump: maintaining thirteen indexes on the posts and the GIN index
    on the entries row by row was most of the seeding time. Indexes that back a
    constraint (primary keys, unique) stay. Yields a dict that gets the rebuild's time."""
    timing = {"seconds": 0.0}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        saved = cursor.fetchall()
        for name, _definition in saved:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield timing
    finally:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in saved:
                cursor.execute(definition)
        timing["seconds"] = time.perf_counter() - began


def vacuum_analyze() -> None:
    """What autovacuum would do after a big load: planner statistics, the visibility map
    and the GIN pending list flushed, so the first queries are not measured against a
    table PostgreSQL has never looked at."""
    with connection.cursor() as cursor:
        for table in ("posts_post", "search_postsearchentry",
                      "chat_channels_channel", "chat_channels_channelmember"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")


def settle(timeout_s: float = 120.0) -> float:
    """Let PostgreSQL finish the work a fresh load leaves behind before anything is timed:
    write the dirty pages now (CHECKPOINT) rather than under the queries, and wait for any
    autovacuum worker the load woke. Returns the seconds it took. On a fresh clone the
    timings otherwise ran beside that I/O: one p95 went over the target that a settled
    database meets."""
    began = time.perf_counter()
    with connection.cursor() as cursor:
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError as error:  # needs superuser or pg_checkpoint
            log(f"  (no CHECKPOINT: {error})")
        while time.perf_counter() - began < timeout_s:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if not cursor.fetchone()[0]:
                break
            time.sleep(1.0)
    return time.perf_counter() - began


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--posts", type=int, default=int(os.environ.get("BENCH_POSTS", DEFAULT_POSTS))
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--samples", type=int, default=30, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per query first")
    parser.add_argument("--reseed", action="store_true", help="rebuild the database")
    parser.add_argument("--database", default=DATABASE_NAME)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="seeding processes"
    )
    parser.add_argument("--output", type=Path, default=VAR_DIR / "bench" / "search.json")
    args = parser.parse_args(argv)

    if connection.vendor != "postgresql":
        log("The search benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    connection.close()
    connection.settings_dict["NAME"] = args.database
    create_database(args.database, drop=args.reseed)
    migrate()
    seeding = None
    if is_seeded(seed=args.seed, posts=args.posts):
        log(
            f"Reusing {args.database}: {args.posts:,} posts of seed {args.seed} "
            "(--reseed to rebuild)."
        )
    else:
        if User.objects.exists():
            log(f"{args.database} holds another corpus; rebuilding it.")
            create_database(args.database, drop=True)
            migrate()
        log(
            f"Seeding {args.database}: {args.users} users, {args.teams} teams, "
            f"{args.channels} channels"
        )
        started = time.perf_counter()
        seed_world(seed=args.seed, users=args.users, teams=args.teams, channels=args.channels)
        world_s = time.perf_counter() - started
        log(f"Seeding {args.posts:,} posts (seed {args.seed})")
        with indexes_built_after(BULK_LOADED_TABLES) as rebuild:
            seeding = seed_posts(
                load_world(seed=args.seed), count=args.posts, seed=args.seed, jobs=args.jobs
            )
        seeding["index_build_s"] = rebuild["seconds"]
        began = time.perf_counter()
        vacuum_analyze()
        seeding["vacuum_analyze_s"] = time.perf_counter() - began
        seeding["settle_s"] = settle()
        seeding["world_s"] = world_s
        seeding["seeding_s"] = time.perf_counter() - started
        mark_seeded(seed=args.seed, posts=args.posts)
        log(
            f"Seeded in {seeding['seeding_s']:.0f} s (world {world_s:.0f} s, posts "
            f"{seeding['total_s']:.0f} s, indexes {seeding['index_build_s']:.0f} s, "
            f"vacuum analyze {seeding['vacuum_analyze_s']:.0f} s, "
            f"checkpoint and autovacuum {seeding['settle_s']:.0f} s)"
        )

    world = load_world(seed=args.seed)
    queries = build_queries(world)
    log(
        f"Timing {len(queries)} queries as @{SEARCHER} in team {world.team.name}, "
        f"member of {ChannelMember.objects.filter(user=world.searcher).count()} channels"
    )
    load_before = os.getloadavg()
    results = run_queries(world, queries, samples=args.samples, warmup=args.warmup)
    load_after = os.getloadavg()
    posts = Post.objects.filter(type="").count()
    sizes = index_sizes(posts)
    summary = report(results, posts=posts, sizes=sizes, samples=args.samples)
    machine = server_context()
    log(
        f"Machine: {machine['cpus']} CPUs, load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after the timings; PostgreSQL {machine['server_version']}, "
        f"shared_buffers {machine['shared_buffers']}, work_mem {machine['work_mem']}."
    )

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "benchmark": "search",
                "posts": posts,
                "seed": args.seed,
                "samples_per_query": args.samples,
                "warmup_per_query": args.warmup,
                "target_p95_ms": TARGET_P95_MS,
                "machine": {**machine, "load_before": load_before, "load_after": load_after},
                "searcher_channels": ChannelMember.objects.filter(user=world.searcher).count(),
                "queries": [
                    {**asdict(r), "p50_ms": r.p50, "p95_ms": r.p95, "sql_p50_ms": r.db_p50}
                    for r in results
                ],
                "classes": summary,
                "index": sizes,
                "seeding": seeding,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    log(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
