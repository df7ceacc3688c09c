"""Post search end to end on the suite's database (SQLite locally, PostgreSQL in CI):
words, phrases, exclusions, prefixes, hashtags, modifiers, CJK substrings, and the
write path that keeps the index current."""

import datetime

import pytest

from apps.core.errors import InvalidInput
from apps.posts.models import Post
from apps.posts.services import post_create_system, post_delete, post_edit
from apps.search.models import PostSearchEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(world, posted):
    lobby, secret = world.lobby, world.secret
    posted(world.alice, lobby, "Deploy the payment service tonight")
    posted(world.bob, lobby, "The deployment failed again #release")
    posted(world.carol, lobby, "Lunch at noon? #food #release")
    posted(world.alice, lobby, "Payment gateway is slow")
    posted(world.bob, secret, "The secret payment plan")
    posted(world.bob, world.dm, "Payment for the pizza, alice")
    return world


def test_words_must_all_match(corpus, search):
    assert search(corpus.alice, "payment service") == ["Deploy the payment service tonight"]
    assert search(corpus.alice, "PAYMENT") == [
        "Payment for the pizza, alice",
        "The secret payment plan",
        "Payment gateway is slow",
        "Deploy the payment service tonight",
    ]


def test_or_search_takes_any_word(corpus, search):
    found = search(corpus.carol, "gateway lunch", is_or_search=True)
    assert found == ["Payment gateway is slow", "Lunch at noon? #food #release"]


def test_phrases_need_the_words_in_order(corpus, search):
    assert search(corpus.alice, '"payment gateway"') == ["Payment gateway is slow"]
    assert search(corpus.alice, '"gateway payment"') == []


def test_excluded_words_and_phrases(corpus, search):
    assert search(corpus.carol, "payment -gateway") == ["Deploy the payment service tonight"]
    assert search(corpus.carol, 'payment -"payment service"') == ["Payment gateway is slow"]


def test_prefixes(corpus, search):
    assert search(corpus.carol, "deploy*") == [
        "The deployment failed again #release",
        "Deploy the payment service tonight",
    ]
    assert search(corpus.carol, "deploy") == ["Deploy the payment service tonight"]


def test_hashtags(corpus, search):
    assert search(corpus.carol, "#release") == [
        "Lunch at noon? #food #release",
        "The deployment failed again #release",
    ]
    assert search(corpus.carol, "#release #food") == ["Lunch at noon? #food #release"]
    assert search(corpus.carol, "#release -#food") == ["The deployment failed again #release"]
    # A hashtag's text is a word of the message too.
    assert search(corpus.carol, "release") == search(corpus.carol, "#release")


def test_words_and_hashtags_are_joined_as_mattermost_does(corpus, search):
    assert search(corpus.carol, "gateway #food") == [
        "Payment gateway is slow",
        "Lunch at noon? #food #release",
    ]


def test_from_and_in(corpus, search):
    assert search(corpus.alice, "payment from:bob") == [
        "Payment for the pizza, alice",
        "The secret payment plan",
    ]
    assert search(corpus.alice, "payment in:lobby") == [
        "Payment gateway is slow",
        "Deploy the payment service tonight",
    ]
    assert search(corpus.alice, "payment in:@bob") == ["Payment for the pizza, alice"]
    assert search(corpus.alice, "payment -in:lobby -from:bob") == []
    assert search(corpus.alice, "from:carol") == ["Lunch at noon? #food #release"]


def test_unknown_users_and_channels_are_clear_errors(corpus, search):
    with pytest.raises(InvalidInput, match="No user is named @nobody"):
        search(corpus.alice, "from:nobody")
    with pytest.raises(InvalidInput, match="no channel named ~nowhere"):
        search(corpus.alice, "in:nowhere")
    # A private channel the searcher is not in answers exactly like a missing one.
    with pytest.raises(InvalidInput, match="no channel named ~secret"):
        search(corpus.carol, "in:secret")


def test_dates_in_the_searchers_time_zone(world, posted, search):
    post = posted(world.alice, world.lobby, "late night release")
    # 2024-03-05 23:30 in Seoul is 14:30 UTC the same day.
    seoul = datetime.timezone(datetime.timedelta(hours=9))
    at = datetime.datetime(2024, 3, 5, 23, 30, tzinfo=seoul)
    Post.objects.filter(id=post.id).update(create_at=int(at.timestamp() * 1000))
    PostSearchEntry.objects.filter(post_id=post.id).update(create_at=int(at.timestamp() * 1000))
    assert search(world.alice, "release on:2024-03-05", tz=seoul) == ["late night release"]
    assert search(world.alice, "release on:2024-03-06", tz=seoul) == []
    assert search(world.alice, "release after:2024-03-04 before:2024-03-06", tz=seoul) == [
        "late night release"
    ]
    # In New York it was still the morning of the 5th; in UTC too.
    assert search(world.alice, "release on:2024-03-05") == ["late night release"]
    assert search(world.alice, "release -on:2024-03-05") == []


def test_korean_chinese_and_japanese_are_found_by_any_substring(world, posted, search):
    posted(world.alice, world.lobby, "서울특별시에서 회의를 합니다")
    posted(world.alice, world.lobby, "我们明天去北京开会")
    posted(world.alice, world.lobby, "東京都庁で会いましょう")
    for substring, expected in [
        ("특별", "서울특별시에서 회의를 합니다"),
        ("특별시에서", "서울특별시에서 회의를 합니다"),
        ("회의", "서울특별시에서 회의를 합니다"),
        ("北京", "我们明天去北京开会"),
        ("京开", "我们明天去北京开会"),
        ("明天去北京", "我们明天去北京开会"),
        ("都庁", "東京都庁で会いましょう"),
        ("会いましょう", "東京都庁で会いましょう"),
    ]:
        assert search(world.bob, substring) == [expected], substring
    assert search(world.bob, "北京天") == []
    assert search(world.bob, "서울시") == []


def test_cjk_inside_latin_text_and_prefixes(world, posted, search):
    posted(world.alice, world.lobby, "Release 2.0のリリース予定")
    assert search(world.bob, "リリース") == ["Release 2.0のリリース予定"]
    assert search(world.bob, "release") == ["Release 2.0のリリース予定"]
    assert search(world.bob, "リリ*") == ["Release 2.0のリリース予定"]


def test_an_edited_post_is_found_by_its_new_text_only(
    world, posted, search, django_capture_on_commit_callbacks
):
    post = posted(world.alice, world.lobby, "old wording here")
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(actor=world.alice, post_id=post.id, message="new phrasing here")
    assert search(world.bob, "wording") == []
    assert search(world.bob, "phrasing") == ["new phrasing here"]


def test_deleted_posts_and_their_replies_are_not_found(
    world, posted, search, django_capture_on_commit_callbacks
):
    root = posted(world.alice, world.lobby, "vanishing root")
    posted(world.bob, world.lobby, "vanishing reply", root_id=root.id)
    assert len(search(world.bob, "vanishing")) == 2
    with django_capture_on_commit_callbacks(execute=True):
        post_delete(actor=world.alice, post_id=root.id)
    assert search(world.bob, "vanishing") == []
    assert not PostSearchEntry.objects.filter(post_id=root.id).exists()


def test_system_messages_are_not_found(world, search, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_create_system(
            actor=world.alice,
            channel=world.lobby,
            post_type="system_header_change",
            message="alice updated the channel header",
        )
    assert search(world.bob, "header") == []


def test_filters_alone_and_empty_queries(corpus, search):
    assert search(corpus.alice, "from:alice in:lobby") == [
        "Payment gateway is slow",
        "Deploy the payment service tonight",
    ]
    assert search(corpus.alice, "") == []
    assert search(corpus.alice, "!!! ...") == []


def test_pages_run_newest_first_across_the_recent_windows(world, posted):
    """The search looks at the last 30, 120 and 480 days before the whole index; pages
    must come out the same as one sorted scan would give them."""
    from apps.core.timeutils import now_ms
    from apps.search.grammar import parse_search
    from apps.search.selectors import post_search

    day = 24 * 60 * 60 * 1000
    ages = [1, 10, 40, 100, 200, 400, 700, 1500]  # days
    made = []
    for age in ages:
        post = posted(world.alice, world.lobby, f"window probe {age}")
        at = now_ms() - age * day
        Post.objects.filter(id=post.id).update(create_at=at)
        PostSearchEntry.objects.filter(post_id=post.id).update(create_at=at)
        made.append(f"window probe {age}")
    query = parse_search("window probe")
    pages = []
    for page in range(4):
        results = post_search(
            actor=world.bob, query=query, team_id=world.team.id, page=page, per_page=3
        )
        pages.append(([p.message for p in results.posts], results.has_next))
    assert pages == [
        (made[0:3], True),
        (made[3:6], True),
        (made[6:8], False),
        ([], False),
    ]
