"""The search benchmark (`make bench`) on a tiny corpus: its seeding and query functions
run against the test database and give every class of query. Structure only: speed is
measured by the benchmark itself, never asserted here."""

from collections import Counter

import pytest

from apps.posts.models import Post
from apps.search.analysis import is_cjk
from apps.search.models import PostSearchEntry
from bench import search as bench
from bench.corpus import CHINESE_WORDS, KOREAN_WORDS, Corpus


def quiet(message: str) -> None:
    pass


def test_the_corpus_is_deterministic_and_mixed():
    first, again, other = Corpus(7), Corpus(7), Corpus(8)
    messages = first.messages(2000)
    assert messages == again.messages(2000)
    assert messages[:50] != other.messages(50)
    assert first.counts["en"] > first.counts["ko"] > 0
    assert first.counts["zh"] > 0
    assert sum(first.counts.values()) == 2000
    hangul = [m for m in messages if any(0xAC00 <= ord(c) <= 0xD7A3 for c in m)]
    han = [m for m in messages if any(0x4E00 <= ord(c) <= 0x9FFF for c in m)]
    assert hangul and han
    assert all(2 <= len(w) <= 4 for w in KOREAN_WORDS)
    assert all(1 <= len(w) <= 3 and all(is_cjk(c) for c in w) for w in CHINESE_WORDS)
    lengths = sorted(len(m) for m in messages)
    assert lengths[len(lengths) // 2] < 100 < lengths[-1]  # mostly short, some long


@pytest.mark.django_db
def test_seeding_and_queries_on_a_tiny_corpus():
    bench.seed_world(seed=3, users=30, teams=2, channels=30, searcher_share=1.0, log=quiet)
    world = bench.load_world(seed=3)
    seeding = bench.seed_posts(world, count=300, seed=3, log=quiet)

    assert Post.objects.filter(type="").count() == 300
    assert PostSearchEntry.objects.count() == 300  # system posts are never indexed
    assert sum(seeding["languages"].values()) == 300
    assert len(world.top_posters) == 2
    assert len(world.busiest_channels) == 2

    queries = bench.build_queries(world)
    assert Counter(name for name, _ in queries) == dict.fromkeys(bench.CLASSES, 2)

    results = bench.run_queries(world, queries, samples=2, warmup=1)
    assert [(r.query_class, r.query) for r in results] == queries
    for result in results:
        assert len(result.samples_ms) == len(result.db_samples_ms) == 2
        assert result.db_p50 >= 0
        assert 0 < result.p50 <= result.p95
    hits = Counter()
    for result in results:
        hits[result.query_class] += result.hits
    for name in ("single word", "phrase", "Korean substring", "Chinese substring"):
        assert hits[name] > 0, name

    summary = bench.class_summary(results)
    assert set(summary) == set(bench.CLASSES)
    assert all(row["samples"] == 4 for row in summary.values())

    sizes = bench.index_sizes(300)
    if sizes is not None:  # PostgreSQL
        assert sizes["gin_index_bytes"] > 0
        assert sizes["search_bytes_per_post"] > 0
    lines: list[str] = []
    bench.report(results, posts=300, sizes=sizes, samples=2, log=lines.append)
    for name in bench.CLASSES:
        assert any(line.startswith(name) for line in lines), name
