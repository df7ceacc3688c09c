"""Post search over HTTP, as Mattermost clients call it: the PostSearchResults shape,
paging, time zones, which teams each route covers, and who may find what (SECURITY 1-2)."""

import datetime

import pytest
from mattermostdriver.exceptions import InvalidOrMissingParameters

from apps.channels.services import channel_archive, channel_join, channel_member_remove
from apps.core.ids import new_id
from apps.posts.models import Post
from apps.search.models import PostSearchEntry
from apps.teams.services import team_member_add, team_member_remove
from tests.clients.conftest import make_driver
from tests.factories import UserFactory, make_channel

POST_LIST_KEYS = {
    "order",
    "posts",
    "next_post_id",
    "prev_post_id",
    "has_next",
    "first_inaccessible_post_time",
}
SEOUL = 9 * 3600


def _path(team) -> str:
    return "posts/search" if team is None else f"teams/{team.id}/posts/search"


def found(api, terms: str, *, team=None, **body) -> list[str]:
    """The messages a search answers, in the order given."""
    data = api.post(_path(team), {"terms": terms, **body})
    return [data["posts"][post_id]["message"] for post_id in data["order"]]


def refused(api, body, *, team=None, status: int = 400) -> dict:
    return api.post(_path(team), body, status=status)


def _set_create_at(post: Post, ms: int) -> None:
    Post.objects.filter(id=post.id).update(create_at=ms, update_at=ms)
    PostSearchEntry.objects.filter(post_id=post.id).update(create_at=ms)


def _ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def corpus(world, posted):
    """Posts in every kind of channel of the world, a minute apart, oldest first."""
    made = [
        posted(world.alice, world.lobby, "Deploy the payment service tonight"),
        posted(world.bob, world.lobby, "The deployment failed again #release"),
        posted(world.carol, world.lobby, "Lunch at noon? #food #release"),
        posted(world.alice, world.lobby, "Payment gateway is slow"),
        posted(world.bob, world.secret, "The secret payment plan"),
        posted(world.bob, world.dm, "Payment for the pizza, alice"),
        posted(world.carol, world.group, "Payment split three ways"),
    ]
    start = _ms(datetime.datetime(2024, 3, 1, 12, tzinfo=datetime.UTC))
    for n, post in enumerate(made):
        _set_create_at(post, start + n * 60_000)
    return world


# --- the answer -------------------------------------------------------------------------------


def test_results_are_a_post_list_newest_first_with_matches(corpus, api_as):
    data = api_as(corpus.alice).post(f"teams/{corpus.team.id}/posts/search", {"terms": "payment"})
    assert set(data) == POST_LIST_KEYS | {"matches"}
    messages = [data["posts"][i]["message"] for i in data["order"]]
    assert messages == [
        "Payment split three ways",
        "Payment for the pizza, alice",
        "The secret payment plan",
        "Payment gateway is slow",
        "Deploy the payment service tonight",
    ]
    assert set(data["posts"]) == set(data["order"])
    assert data["matches"] == {post_id: ["payment"] for post_id in data["order"]}
    assert (data["next_post_id"], data["prev_post_id"], data["has_next"]) == ("", "", False)
    assert data["first_inaccessible_post_time"] == 0
    post = data["posts"][data["order"][0]]
    assert post["channel_id"] == corpus.group.id
    assert post["user_id"] == corpus.carol.id
    assert post["create_at"] == _ms(datetime.datetime(2024, 3, 1, 12, 6, tzinfo=datetime.UTC))


def test_matches_name_each_posts_words_and_or_search(corpus, api_as):
    api = api_as(corpus.carol)
    data = api.post(_path(corpus.team), {"terms": "gateway lunch noon", "is_or_search": True})
    by_message = {data["posts"][i]["message"]: data["matches"][i] for i in data["order"]}
    assert by_message == {
        "Payment gateway is slow": ["gateway"],
        "Lunch at noon? #food #release": ["lunch", "noon"],
    }
    assert found(api, "gateway lunch", team=corpus.team) == []  # all words, by default
    assert found(api, '"payment gateway"', team=corpus.team) == ["Payment gateway is slow"]
    assert found(api, "payment -gateway", team=corpus.team, is_or_search=False) == [
        "Payment split three ways",
        "Deploy the payment service tonight",
    ]


def test_hashtags_are_search_terms(corpus, api_as):
    data = api_as(corpus.carol).post(_path(corpus.team), {"terms": "#release"})
    assert [data["posts"][i]["message"] for i in data["order"]] == [
        "Lunch at noon? #food #release",
        "The deployment failed again #release",
    ]
    assert data["matches"] == {post_id: ["#release"] for post_id in data["order"]}
    assert found(api_as(corpus.carol), "#release -#food", team=corpus.team) == [
        "The deployment failed again #release"
    ]


def test_filters_alone_search_by_author_and_channel(corpus, api_as):
    api = api_as(corpus.alice)
    assert found(api, "from:bob in:lobby", team=corpus.team) == [
        "The deployment failed again #release"
    ]
    assert found(api, "payment in:@bob") == ["Payment for the pizza, alice"]


def test_paging_walks_every_hit_once(world, posted, api_as):
    made = [posted(world.alice, world.lobby, f"standup note {n}") for n in range(5)]
    for n, post in enumerate(made):
        _set_create_at(post, 1_700_000_000_000 + n * 1000)
    api = api_as(world.bob)
    pages = []
    for page in range(4):
        data = api.post(_path(world.team), {"terms": "standup", "page": page, "per_page": 2})
        pages.append(([data["posts"][i]["message"] for i in data["order"]], data["has_next"]))
    assert pages == [
        (["standup note 4", "standup note 3"], True),
        (["standup note 2", "standup note 1"], True),
        (["standup note 0"], False),
        ([], False),
    ]
    data = api.post(_path(world.team), {"terms": "standup", "page": 3, "per_page": 2})
    assert (data["posts"], data["matches"]) == ({}, {})
    # More than 200 a page counts as 200, Mattermost's most.
    assert len(found(api, "standup", team=world.team, per_page=10_000)) == 5
    assert len(found(api, "standup", team=world.team)) == 5


def test_time_zone_offset_sets_which_day_on_means(world, posted, api_as):
    post = posted(world.alice, world.lobby, "late night release")
    # 01:30 on March 5th in Seoul is 16:30 on March 4th in UTC.
    seoul = datetime.timezone(datetime.timedelta(seconds=SEOUL))
    _set_create_at(post, _ms(datetime.datetime(2024, 3, 5, 1, 30, tzinfo=seoul)))
    api = api_as(world.bob)
    team = world.team
    assert found(api, "release on:2024-03-05", team=team, time_zone_offset=SEOUL) == [
        "late night release"
    ]
    assert found(api, "release on:2024-03-04", team=team, time_zone_offset=SEOUL) == []
    assert found(api, "release on:2024-03-05", team=team) == []
    assert found(api, "release on:2024-03-04", team=team, time_zone_offset=0) == [
        "late night release"
    ]
    assert found(api, "after:2024-03-04", team=team, time_zone_offset=SEOUL) == [
        "late night release"
    ]
    assert found(api, "after:2024-03-04", team=team) == []
    # New York (UTC-5): still 11:30 on March 4th.
    assert found(api, "on:2024-03-04", team=team, time_zone_offset=-5 * 3600) == [
        "late night release"
    ]


def test_archived_channels_only_when_asked(corpus, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        channel_archive(actor=corpus.alice, channel_id=corpus.lobby.id)
    api = api_as(corpus.carol)
    assert found(api, "gateway", team=corpus.team) == []
    assert found(api, "gateway", team=corpus.team, include_deleted_channels=True) == [
        "Payment gateway is slow"
    ]
    assert found(api, "gateway", include_deleted_channels=False) == []


# --- which teams each route covers ----------------------------------------------------------


@pytest.fixture
def two_teams(world, posted, django_capture_on_commit_callbacks):
    """Alice is in both teams; bob only in the first. One post per place."""
    team_member_add(actor=world.outsider, team_id=world.other_team.id, user_id=world.alice.id)
    plans = make_channel(world.outsider, world.other_team, "plans")
    channel_join(actor=world.alice, channel_id=plans.id)
    posted(world.alice, world.lobby, "quarterly numbers for acme")
    posted(world.outsider, plans, "quarterly numbers for globex")
    posted(world.bob, world.dm, "quarterly numbers between us")
    return world


def test_the_all_teams_route_spans_teams_and_the_team_route_does_not(two_teams, api_as):
    w = two_teams
    api = api_as(w.alice)
    everywhere = set(found(api, "quarterly"))
    assert everywhere == {
        "quarterly numbers for acme",
        "quarterly numbers for globex",
        "quarterly numbers between us",
    }
    # Direct messages belong to no team: every team route finds them, as in Mattermost.
    assert set(found(api, "quarterly", team=w.team)) == {
        "quarterly numbers for acme",
        "quarterly numbers between us",
    }
    assert set(found(api, "quarterly", team=w.other_team)) == {
        "quarterly numbers for globex",
        "quarterly numbers between us",
    }
    assert set(found(api_as(w.bob), "quarterly")) == {
        "quarterly numbers for acme",
        "quarterly numbers between us",
    }
    assert found(api_as(w.outsider), "quarterly") == ["quarterly numbers for globex"]


def test_leaving_a_team_ends_finding_its_channels(two_teams, api_as):
    w = two_teams
    api = api_as(w.alice)
    assert "quarterly numbers for globex" in found(api, "quarterly")
    team_member_remove(actor=w.outsider, team_id=w.other_team.id, user_id=w.alice.id)
    assert set(found(api, "quarterly")) == {
        "quarterly numbers for acme",
        "quarterly numbers between us",
    }
    refused(api, {"terms": "quarterly"}, team=w.other_team, status=404)


# --- who may find what (SECURITY 1-2) ---------------------------------------------------------


def test_a_private_channel_is_found_by_its_members_only(corpus, api_as):
    for member in (corpus.alice, corpus.bob):
        assert "The secret payment plan" in found(api_as(member), "payment", team=corpus.team)
    for outsider in (corpus.carol, corpus.dave, corpus.admin, corpus.outsider):
        assert "The secret payment plan" not in found(api_as(outsider), "secret payment plan")
    for team in (corpus.team, None):
        assert found(api_as(corpus.dave), "secret", team=team) == []


def test_naming_a_hidden_channel_answers_as_a_missing_one(corpus, api_as):
    api = api_as(corpus.carol)
    for team in (corpus.team, None):
        hidden = refused(api, {"terms": "plan in:secret"}, team=team)
        missing = refused(api, {"terms": "plan in:secrets"}, team=team)
        assert hidden["id"] == missing["id"] == "app.search.unknown_channel.app_error"
        assert hidden["message"] == "You are in no channel named ~secret."
        assert missing["message"] == "You are in no channel named ~secrets."
        assert hidden["detailed_error"] == missing["detailed_error"]


def test_other_peoples_direct_messages_are_never_found(corpus, api_as):
    api = api_as(corpus.carol)
    assert found(api, "pizza") == []
    assert found(api, "pizza", team=corpus.team) == []
    message = refused(api, {"terms": "pizza in:@bob"})["message"]
    assert message == "You are in no channel named ~@bob."
    # The group carol is in is hers to search.
    assert found(api, "split") == ["Payment split three ways"]
    assert found(api_as(corpus.dave), "split") == []


def test_another_teams_channels_are_never_found(corpus, posted, api_as):
    plans = make_channel(corpus.outsider, corpus.other_team, "plans")
    posted(corpus.outsider, plans, "payment terms for globex")
    assert "payment terms for globex" not in found(api_as(corpus.alice), "payment")
    assert found(api_as(corpus.outsider), "payment") == ["payment terms for globex"]
    assert found(api_as(corpus.outsider), "payment gateway") == []


def test_a_removed_member_stops_finding_the_channel_at_once(corpus, api_as):
    api = api_as(corpus.bob)  # one session, kept across the removal
    assert found(api, "secret plan", team=corpus.team) == ["The secret payment plan"]
    assert found(api, "plan in:secret") == ["The secret payment plan"]
    channel_member_remove(actor=corpus.alice, channel_id=corpus.secret.id, user_id=corpus.bob.id)
    assert found(api, "secret plan", team=corpus.team) == []
    assert found(api, "secret plan") == []
    message = refused(api, {"terms": "plan in:secret"})["message"]
    assert message == "You are in no channel named ~secret."


def test_the_team_route_is_for_members_of_the_team(corpus, api_as):
    for team_id in (corpus.team.id, new_id(), "not-an-id"):
        error = api_as(corpus.outsider).post(
            f"teams/{team_id}/posts/search", {"terms": "payment"}, status=404
        )
        assert error["id"] == "app.team.get.find.app_error"
    # A system admin may look into any team, and still finds only their own channels.
    assert found(api_as(corpus.admin), "payment", team=corpus.team) == []


def test_a_session_is_required(corpus, api_as):
    for team in (corpus.team, None):
        error = refused(api_as(None), {"terms": "payment"}, team=team, status=401)
        assert error["id"] == "api.context.session_expired.app_error"


# --- bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "terms is required: the text to search for."),
        ({"terms": None}, "terms is required: the text to search for."),
        ({"terms": ""}, "terms is required: the text to search for."),
        ({"terms": ["payment"]}, "terms must be a string."),
        ({"terms": 7}, "terms must be a string."),
        ({"terms": "x", "is_or_search": "yes"}, "is_or_search must be true or false."),
        ({"terms": "x", "include_deleted_channels": 1}, "include_deleted_channels must be "),
        ({"terms": "x", "time_zone_offset": "3600"}, "time_zone_offset must be a whole number."),
        ({"terms": "x", "time_zone_offset": True}, "time_zone_offset must be a whole number."),
        ({"terms": "x", "time_zone_offset": 90000}, "90000 is not a time zone offset"),
        ({"terms": "x", "page": "1"}, "page must be a whole number."),
        ({"terms": "x", "page": 1.5}, "page must be a whole number."),
        ({"terms": "x", "page": -1}, "page must be at least 0."),
        ({"terms": "x", "per_page": 0}, "per_page must be at least 1."),
        ({"terms": "x", "per_page": {"n": 2}}, "per_page must be a whole number."),
        (["payment"], "The request body must be a JSON object."),
        ({"terms": '"payment plan'}, "The quote at the start of the search is never closed."),
        ({"terms": 'deploy "payment plan'}, 'The quote after "deploy" is never closed.'),
        ({"terms": "on:2024-02-30"}, '"2024-02-30" is not a date; use YYYY-MM-DD.'),
        ({"terms": "before:yesterday"}, '"yesterday" is not a date; use YYYY-MM-DD.'),
        ({"terms": "from:nobody"}, "No user is named @nobody."),
        ({"terms": "in:"}, '"in:" needs a value, e.g. in:town-square.'),
        ({"terms": "x" * 1001}, "The search is 1,001 characters long; the limit is 1,000."),
    ],
)
def test_bad_bodies_are_400_with_a_message(corpus, api_as, body, message):
    api = api_as(corpus.alice)
    for team in (corpus.team, None):
        error = refused(api, body, team=team)
        assert error["message"].startswith(message), error


# --- an unmodified client against a live server -----------------------------------------------


@pytest.mark.slow
def test_mattermostdriver_searches_team_posts(live_server_url):
    UserFactory(username="alice")
    UserFactory(username="bob")
    alice = make_driver(live_server_url, login_id="alice", password="Correct-Horse-7")
    bob = make_driver(live_server_url, login_id="bob", password="Correct-Horse-7")
    alice.login()
    bob_me = bob.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bob_me["id"]})
    channel = alice.channels.create_channel(
        {"team_id": team["id"], "name": "launch", "display_name": "Launch", "type": "O"}
    )
    alice.channels.add_user(channel["id"], {"user_id": bob_me["id"]})
    first = alice.posts.create_post({"channel_id": channel["id"], "message": "launch plan v1"})
    second = alice.posts.create_post({"channel_id": channel["id"], "message": "launch plan #v2"})
    alice.posts.create_post({"channel_id": channel["id"], "message": "unrelated chatter"})

    results = bob.posts.search_for_team_posts(
        team["id"], {"terms": "launch plan", "is_or_search": False}
    )
    assert results["order"] == [second["id"], first["id"]]
    assert results["posts"][first["id"]]["message"] == "launch plan v1"
    assert results["matches"][second["id"]] == ["launch", "plan"]
    tagged = bob.posts.search_for_team_posts(team["id"], {"terms": "#v2", "is_or_search": False})
    assert tagged["order"] == [second["id"]]
    with pytest.raises(InvalidOrMissingParameters, match="never closed"):
        bob.posts.search_for_team_posts(team["id"], {"terms": '"launch', "is_or_search": False})
