"""Backend parity: a seeded corpus searched through the real backend must give exactly
the posts a plain Python model of the rules gives. The suite runs on SQLite (`make test`
locally, and `.ci/run`'s second pass) and on PostgreSQL (CI), so both backends are held
to the same answers for the same corpus."""

import random

import pytest

from apps.search.analysis import tokens
from apps.search.backends import clause_matches, negative_clauses, positive_clauses
from apps.search.grammar import parse_search
from apps.search.selectors import post_search

pytestmark = pytest.mark.django_db

WORDS = [
    "deploy", "deployment", "release", "payment", "gateway", "service", "night", "lunch",
    "alpha", "beta", "e-mail", "v2.0", "Ünïcode", "naïve", "ÄPFEL",
    "서울", "특별시", "회의", "합니다", "北京", "明天", "开会", "我们", "東京", "会議",
    "서울특별시회의", "我们明天去北京开会", "東京会議室", "payment gateway",
]  # fmt: skip
QUERIES = [
    "deploy", "deploy*", "dep*", "payment gateway", "payment -gateway", '"payment gateway"',
    '"gateway payment"', "e-mail", "v2.0", "unicode", "ünïcode", "naïve", "äpfel",
    "서울", "울특", "특별시회의", "北京", "京明", "明天开会", "東京会議", "-deploy -payment",
    "alpha beta", '"alpha beta" -night', "北京*", "회*",
]  # fmt: skip


def _message(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        word = rng.choice(WORDS)
        # CJK words often run together without spaces, as they are written.
        glue = "" if parts and not word.isascii() and rng.random() < 0.5 else " "
        parts.append(glue + word)
    return "".join(parts).strip()


@pytest.fixture
def corpus(world, posted):
    rng = random.Random(20261123)
    return [posted(world.alice, world.lobby, _message(rng)) for _ in range(150)]


def _model(terms: str, posts) -> set[str]:
    """Which posts the rules say match, computed without any database."""
    query = parse_search(terms)
    wanted, unwanted = positive_clauses(query), negative_clauses(query)
    found = set()
    for post in posts:
        body = tokens(post.message)
        if any(clause_matches(c, body) for c in unwanted):
            continue
        if all(clause_matches(c, body) for c in wanted):
            found.add(post.id)
    return found


def test_the_backend_finds_exactly_what_the_rules_say(world, corpus):
    wrong = {}
    for terms in QUERIES:
        results = post_search(
            actor=world.bob, query=parse_search(terms), team_id=world.team.id, per_page=200
        )
        found = [p.id for p in results.posts]
        expected = _model(terms, corpus)
        if set(found) != expected or len(found) != len(expected):
            wrong[terms] = (len(found), len(expected))
    assert wrong == {}
    # The table is only a test if most queries find something and none finds everything
    # ("unicode" rightly finds nothing: accents are not folded away).
    sizes = [len(_model(terms, corpus)) for terms in QUERIES]
    assert sum(1 for n in sizes if n) >= len(QUERIES) - 3
    assert max(sizes) < len(corpus)
