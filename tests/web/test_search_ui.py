"""The web client's search: the results fragment (the API's grammar and selector, drawn
with the matched words marked), the search box on the chat page, and `highlight()`.

The fragment finds exactly what `POST /teams/{id}/posts/search` would for the same user,
so a private channel's posts stay hidden from non-members (SECURITY.md 1/2), and a query
the grammar refuses is explained in the panel, never answered with an error page.
"""

import datetime
import re

import pytest
from django.test import Client

from apps.posts.markdown import render_markdown
from apps.posts.models import Post
from apps.search.models import PostSearchEntry
from apps.web.highlight import highlight
from apps.web.views_search import PER_PAGE
from tests.channels.world import World, build_world, say
from tests.web.clients import signed_in_client

pytestmark = pytest.mark.django_db

MARK = '<mark class="search-hit">'


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def posted(django_capture_on_commit_callbacks):
    """Post and run the after-commit indexing (the Celery task is eager in tests)."""

    def post(actor, channel, message: str) -> Post:
        with django_capture_on_commit_callbacks(execute=True):
            return say(actor, channel, message)

    return post


@pytest.fixture
def corpus(world, posted):
    posted(world.alice, world.lobby, "Deploy the payment service tonight")
    posted(world.bob, world.lobby, "The deployment failed again #release")
    posted(world.alice, world.lobby, "Payment gateway is slow")
    posted(world.bob, world.secret, "The secret payment plan")
    posted(world.bob, world.lobby, "회의실 예약 확인")
    return world


def results(user, q: str, *, team=None, page: int = 0, status: int = 200, world=None):
    params = {"q": q, "page": page}
    if team is not None:
        params["team_id"] = team.id
    response = signed_in_client(user).get("/_/search/results", params)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def found_ids(html: str) -> list[str]:
    return re.findall(r'class="search-item" data-post-id="([a-z0-9]+)"', html)


def found_messages(html: str, posts) -> list[str]:
    by_id = {p.id: p.message for p in posts}
    return [by_id[i] for i in found_ids(html)]


def all_posts():
    return list(Post.objects.all())


# --- the results fragment ---------------------------------------------------------------------


def test_a_word_finds_its_posts_newest_first_with_the_word_marked(corpus):
    html = results(corpus.alice, "payment", team=corpus.team)

    assert found_messages(html, all_posts()) == [
        "The secret payment plan",
        "Payment gateway is slow",
        "Deploy the payment service tonight",
    ]
    assert f"{MARK}Payment</mark> gateway" in html
    assert f"the {MARK}payment</mark> service" in html
    assert 'data-rhs-kind="search"' in html
    # Each hit names its channel and author and links to its permalink.
    assert "Lobby" in html or "lobby" in html
    post = Post.objects.get(message="Payment gateway is slow")
    assert f'href="/pl/{post.id}"' in html
    assert "data-search-jump" in html


def test_a_phrase_needs_its_words_in_order(corpus):
    html = results(corpus.alice, '"payment gateway"', team=corpus.team)

    assert found_messages(html, all_posts()) == ["Payment gateway is slow"]
    assert f"{MARK}Payment gateway</mark>" in html
    assert found_ids(results(corpus.alice, '"gateway payment"', team=corpus.team)) == []


def test_from_and_in_narrow_the_search(corpus):
    html = results(corpus.alice, "payment from:bob", team=corpus.team)
    assert found_messages(html, all_posts()) == ["The secret payment plan"]

    html = results(corpus.alice, "payment in:lobby", team=corpus.team)
    assert found_messages(html, all_posts()) == [
        "Payment gateway is slow",
        "Deploy the payment service tonight",
    ]
    # Modifiers alone list everything they allow, with nothing to mark.
    html = results(corpus.alice, "from:bob in:lobby", team=corpus.team)
    assert found_messages(html, all_posts()) == [
        "회의실 예약 확인",
        "The deployment failed again #release",
    ]
    assert MARK not in html


def test_prefixes_mark_the_whole_word_and_hashtags_their_tag(corpus):
    html = results(corpus.alice, "deploy*", team=corpus.team)
    assert f"The {MARK}deployment</mark> failed" in html
    assert f"{MARK}Deploy</mark> the" in html

    html = results(corpus.alice, "#release", team=corpus.team)
    assert found_messages(html, all_posts()) == ["The deployment failed again #release"]
    assert f"{MARK}#release</mark>" in html


def test_korean_is_found_by_a_substring(corpus):
    html = results(corpus.carol, "예약", team=corpus.team)

    assert found_messages(html, all_posts()) == ["회의실 예약 확인"]
    assert f"회의실 {MARK}예약</mark> 확인" in html


def test_a_private_channel_stays_hidden_from_non_members(corpus):
    # Carol is in the team and the lobby, not in the private channel.
    html = results(corpus.carol, "secret payment", team=corpus.team)
    assert found_ids(html) == []
    assert "The secret payment plan" not in html
    assert "No results for" in html

    # Naming it answers exactly like a channel that does not exist.
    html = results(corpus.carol, "payment in:secret", team=corpus.team)
    assert "You are in no channel named ~secret." in html
    assert "The secret payment plan" not in html

    # Across every team too (no team_id), and for an outsider of the team.
    assert "The secret payment plan" not in results(corpus.carol, "secret")
    assert "The secret payment plan" not in results(corpus.outsider, "secret")


def test_a_team_the_user_is_not_in_is_not_found(corpus):
    response = signed_in_client(corpus.outsider).get(
        "/_/search/results", {"q": "payment", "team_id": corpus.team.id}
    )
    assert response.status_code == 404
    assert b"The secret payment plan" not in response.content


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"payment gateway', "The quote at the start of the search is never closed."),
        ("payment on:2024-13-45", "&quot;2024-13-45&quot; is not a date; use YYYY-MM-DD."),
        ("payment from:nobody", "No user is named @nobody."),
        ("from:", "&quot;from:&quot; needs a value, e.g. from:alice."),
        ("after:2024-03-05 before:2024-03-01", "do not overlap"),
        ("x" * 1001, "the limit is 1,000"),
    ],
)
def test_a_query_the_grammar_refuses_is_explained_in_the_panel(corpus, q, message):
    html = results(corpus.alice, q, team=corpus.team)

    assert 'role="alert"' in html
    assert message in html
    assert "Traceback" not in html
    assert found_ids(html) == []


@pytest.mark.parametrize("page", ["x", "-3", "99999999999999999999999"])
def test_odd_page_numbers_are_no_errors(corpus, page):
    response = signed_in_client(corpus.alice).get(
        "/_/search/results", {"q": "payment", "team_id": corpus.team.id, "page": page}
    )
    assert response.status_code == 200


def test_an_empty_query_asks_for_words(corpus):
    html = results(corpus.alice, "   ", team=corpus.team)
    assert "Search for messages" in html
    assert found_ids(html) == []


def test_load_more_fetches_the_next_page(world, posted):
    for n in range(PER_PAGE + 1):
        posted(world.alice, world.lobby, f"standup note {n}")

    first = results(world.alice, "standup", team=world.team)
    assert len(found_ids(first)) == PER_PAGE
    more = re.search(r'data-action="search-more" data-url="([^"]+)"', first)
    assert more is not None
    url = more.group(1).replace("&amp;", "&")
    assert url.startswith("/_/search/results?")

    response = signed_in_client(world.alice).get(url)
    assert response.status_code == 200
    second = response.content.decode()
    # Only the rows: no panel header, no empty state, no further "Load more".
    assert len(found_ids(second)) == 1
    assert "</mark> note 0</p>" in second
    assert "rhs-header" not in second
    assert "search-more" not in second
    assert set(found_ids(first)).isdisjoint(found_ids(second))


def test_dates_are_days_in_the_users_time_zone(world, posted):
    post = posted(world.alice, world.lobby, "late night release")
    # 01:30 on the 6th in Seoul is 16:30 on the 5th in UTC.
    seoul = datetime.timezone(datetime.timedelta(hours=9))
    at = int(datetime.datetime(2024, 3, 6, 1, 30, tzinfo=seoul).timestamp() * 1000)
    Post.objects.filter(id=post.id).update(create_at=at)
    PostSearchEntry.objects.filter(post_id=post.id).update(create_at=at)

    world.alice.timezone = {"useAutomaticTimezone": "true", "automaticTimezone": "Asia/Seoul"}
    world.alice.save(update_fields=["timezone"])
    assert found_ids(results(world.alice, "release on:2024-03-06", team=world.team)) == [post.id]
    assert found_ids(results(world.alice, "release on:2024-03-05", team=world.team)) == []

    # Bob reads times in UTC (no zone recorded): for him it was the 5th.
    assert found_ids(results(world.bob, "release on:2024-03-05", team=world.team)) == [post.id]


def test_anonymous_visitors_are_sent_to_sign_in(corpus):
    response = Client().get("/_/search/results", {"q": "payment"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login")

    response = Client().get("/_/search/results", {"q": "payment"}, headers={"HX-Request": "true"})
    assert response.status_code == 401


def test_a_message_with_markup_is_marked_without_breaking_it(world, posted):
    posted(world.alice, world.lobby, "See [the deploy guide](https://example.com/deploy?a=1&b=2)")
    posted(world.alice, world.lobby, "deploy <script>alert(1)</script> & co")

    html = results(world.alice, "deploy", team=world.team)

    assert 'href="https://example.com/deploy?a=1&amp;b=2"' in html
    assert f"the {MARK}deploy</mark> guide</a>" in html
    assert f"{MARK}deploy</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html


# --- the search box on the chat page ----------------------------------------------------------


def test_the_chat_page_has_the_search_box_and_its_hints(world):
    response = signed_in_client(world.alice).get("/acme/channels/lobby")
    assert response.status_code == 200
    html = response.content.decode()

    assert 'id="search-input"' in html
    assert 'role="combobox"' in html
    assert 'aria-controls="search-suggestions"' in html
    assert 'id="search-suggestions" role="listbox"' in html
    assert 'id="search-hints"' in html
    for modifier in ("from:", "in:", "on:", "before:", "after:"):
        assert f'data-insert="{modifier}"' in html
    assert "Messages from a person" in html
    assert 'id="search-strings" hidden' in html
    assert "web/css/search.css" in html


# --- highlight() ------------------------------------------------------------------------------


def rendered(message: str) -> str:
    return render_markdown(message, viewer_username="viewer").strip()


def test_highlight_marks_words_case_insensitively_in_text_only():
    html = rendered("Deploy **the** DEPLOY, see https://example.com/deploy")

    out = highlight(html, ["deploy"])

    assert out.count(MARK) == 3
    assert f"{MARK}Deploy</mark>" in out
    assert f"{MARK}DEPLOY</mark>" in out
    # The link's address is untouched; only its visible text is marked.
    assert 'href="https://example.com/deploy"' in out
    assert f"https://example.com/{MARK}deploy</mark></a>" in out


def test_highlight_respects_word_boundaries_and_prefixes():
    html = rendered("pay the payment; repay")

    assert highlight(html, ["pay"]) == f"<p>{MARK}pay</mark> the payment; repay</p>"
    assert highlight(html, ["pay"], prefixes={"pay"}) == (
        f"<p>{MARK}pay</mark> the {MARK}payment</mark>; repay</p>"
    )


def test_highlight_marks_cjk_substrings_and_phrases_across_spaces():
    assert highlight(rendered("서울특별시에서 회의를"), ["특별"]) == (
        f"<p>서울{MARK}특별</mark>시에서 회의를</p>"
    )
    assert highlight(rendered("Payment   gateway is slow"), ["payment gateway"]) == (
        f"<p>{MARK}Payment   gateway</mark> is slow</p>"
    )


def test_highlight_keeps_escaping():
    html = rendered("a < b && c > d")
    out = highlight(html, ["b", "c"])
    assert out == f"<p>a &lt; {MARK}b</mark> &amp;&amp; {MARK}c</mark> &gt; d</p>"


@pytest.mark.parametrize(
    "term",
    [
        "<script>",
        '" onmouseover=',
        "<img src=x onerror=alert(1)>",
        "</mark><script>alert(1)</script>",
        "&lt;",
        "'",
        "title",
        "href",
    ],
)
def test_highlight_terms_cannot_inject_markup(term):
    html = rendered(
        'A <script>alert(1)</script> " onmouseover=x and [title](https://e.com/href "title")'
    )

    out = str(highlight(html, [term]))

    # Removing the marks gives back exactly the sanitized input: nothing else changed.
    assert out.replace(MARK, "").replace("</mark>", "") == html
    assert "<script" not in out
    assert "<img" not in out
    assert 'href="https://e.com/href"' in out
    assert 'title="title"' in out


def test_highlight_without_terms_returns_the_html_unchanged():
    html = rendered("**bold** text")
    assert highlight(html, []) == html
    assert highlight(html, ["***", "   "]) == html
