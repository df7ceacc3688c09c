"""`POST /users/search`: who matches, in which order, and what each caller may search.

Every test shares the cast of `tests/channels/world.py`, with a few profile details.
"""

import pytest
from django.urls import resolve

from apps.accounts.models import User
from apps.accounts.services.users import user_deactivate, user_update_profile
from apps.core.ids import new_id
from tests.channels.world import World, build_world
from tests.openapi import Checked, _generate

pytestmark = pytest.mark.django_db

SEARCH = "users/search"


@pytest.fixture
def world() -> World:
    world = build_world()
    user_update_profile(
        actor=world.admin, user=world.bob, data={"nickname": "Bobby", "last_name": "Kim"}
    )
    user_update_profile(actor=world.admin, user=world.carol, data={"last_name": "Bobson"})
    return world


def _names(users: list[dict]) -> list[str]:
    return [u["username"] for u in users]


def _error(api, body) -> tuple[int, str, str]:
    """A refusal as status, error id and message (the request id differs per call)."""
    response = api.client.post(
        f"/api/v4/{SEARCH}", body, content_type="application/json", **api._headers()
    )
    data = response.json()
    return response.status_code, data["id"], data["message"]


# --- matching and ordering -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("bo", ["bob", "carol"]),  # bob's username, carol's last name Bobson
        ("BOBBY", ["bob"]),  # nickname, any case
        ("kim", ["bob"]),  # last name
        ("@kim", ["bob"]),  # a leading @ is ignored
        ("ali", ["alice"]),  # username (and first name Alice)
        ("bo kim", ["bob"]),  # every word must match
        ("bo zzz", []),
        ("ob", []),  # prefixes only
        ("o", ["outsider", "owner"]),
    ],
)
def test_search_matches_name_prefixes_in_username_order(
    world: World, api_as, term: str, expected: list[str]
) -> None:
    assert _names(api_as(world.alice).post(SEARCH, {"term": term})) == expected


def test_results_are_users_as_the_caller_may_see_them(world: World, api_as) -> None:
    as_alice, as_admin = api_as(world.alice), api_as(world.admin)

    [bob] = as_alice.post(SEARCH, {"term": "kim"})
    [bob_for_admin] = as_admin.post(SEARCH, {"term": "kim"})

    assert bob == as_alice.get(f"users/{world.bob.id}")
    assert bob["email"] == "" and "notify_props" not in bob
    assert bob_for_admin["email"] == "bob@example.com"


def test_emails_are_searched_for_system_admins_only(world: World, api_as) -> None:
    as_alice, as_admin = api_as(world.alice), api_as(world.admin)

    # Not even your own address: a match would tell whose address starts so.
    for term in ("bob@", "bob@example.com", "alice@", "example"):
        assert as_alice.post(SEARCH, {"term": term}) == []
    assert _names(as_admin.post(SEARCH, {"term": "bob@ex"})) == ["bob"]
    assert _names(as_admin.post(SEARCH, {"term": "BOB@EXAMPLE.COM"})) == ["bob"]


def test_deactivated_users_only_for_admins_asking_allow_inactive(world: World, api_as) -> None:
    user_deactivate(actor=world.admin, user=world.dave)
    as_alice, as_admin = api_as(world.alice), api_as(world.admin)

    assert as_alice.post(SEARCH, {"term": "da"}) == []
    assert as_alice.post(SEARCH, {"term": "da", "allow_inactive": True}) == []
    assert as_admin.post(SEARCH, {"term": "da"}) == []
    [dave] = as_admin.post(SEARCH, {"term": "da", "allow_inactive": True})
    assert dave["id"] == world.dave.id and dave["delete_at"] > 0


# --- limits ----------------------------------------------------------------------------------


def test_limit_defaults_to_100_and_cuts_the_username_order(world: World, api_as) -> None:
    User.objects.bulk_create(
        User(username=f"zed{n:03}", email=f"zed{n:03}@example.com") for n in range(101)
    )
    as_alice = api_as(world.alice)

    assert _names(as_alice.post(SEARCH, {"term": "zed"})) == [f"zed{n:03}" for n in range(100)]
    assert _names(as_alice.post(SEARCH, {"term": "zed", "limit": 0})) == [
        f"zed{n:03}" for n in range(100)
    ]
    assert _names(as_alice.post(SEARCH, {"term": "zed", "limit": 2})) == ["zed000", "zed001"]
    assert len(as_alice.post(SEARCH, {"term": "zed", "limit": 1000})) == 101


def test_search_costs_a_fixed_number_of_queries(
    world: World, api_as, django_assert_max_num_queries
) -> None:
    User.objects.bulk_create(
        User(username=f"zed{n:03}", email=f"zed{n:03}@example.com") for n in range(50)
    )
    as_alice = api_as(world.alice)
    body = {"term": "zed", "team_id": world.team.id, "not_in_channel_id": world.lobby.id}

    with django_assert_max_num_queries(3):
        assert as_alice.post(SEARCH, {"term": "zed"})[49]["username"] == "zed049"
    with django_assert_max_num_queries(8):
        assert as_alice.post(SEARCH, body) == []


# --- filters ---------------------------------------------------------------------------------


def test_team_and_channel_filters_narrow_the_search(world: World, api_as) -> None:
    as_alice = api_as(world.alice)
    team, lobby, secret = world.team.id, world.lobby.id, world.secret.id

    assert _names(as_alice.post(SEARCH, {"term": "o", "team_id": team})) == ["owner"]
    assert _names(as_alice.post(SEARCH, {"term": "o", "not_in_team_id": team})) == ["outsider"]
    assert _names(as_alice.post(SEARCH, {"term": "bo", "in_channel_id": lobby})) == [
        "bob",
        "carol",
    ]
    assert _names(as_alice.post(SEARCH, {"term": "bo", "in_channel_id": secret})) == ["bob"]
    body = {"term": "bo", "team_id": team, "not_in_channel_id": secret}
    assert _names(as_alice.post(SEARCH, body)) == ["carol"]
    assert _names(api_as(world.bob).post(SEARCH, {"term": "a", "in_channel_id": world.dm.id})) == [
        "alice"
    ]


def test_system_admins_filter_by_any_team_and_find_users_without_team(world: World, api_as) -> None:
    as_admin = api_as(world.admin)

    assert _names(as_admin.post(SEARCH, {"term": "o", "team_id": world.other_team.id})) == [
        "outsider"
    ]
    # without_team wins over the other filters, as in Mattermost.
    body = {"term": "a", "without_team": True, "team_id": world.team.id}
    assert _names(as_admin.post(SEARCH, body)) == ["admin"]
    error = api_as(world.alice).post(SEARCH, {"term": "a", "without_team": True}, status=403)
    assert error["id"] == "api.context.permissions.app_error"


@pytest.mark.parametrize(
    ("caller", "field", "target"),
    [
        ("outsider", "team_id", "team"),  # a team the caller is not in
        ("outsider", "not_in_team_id", "team"),
        ("alice", "team_id", "other_team"),
        ("dave", "in_channel_id", "secret"),  # a private channel the caller is not in
        ("carol", "in_channel_id", "dm"),  # someone else's direct messages
        ("outsider", "in_channel_id", "lobby"),  # a public channel of another team
    ],
)
def test_hidden_teams_and_channels_answer_like_missing_ones(
    world: World, api_as, caller: str, field: str, target: str
) -> None:
    api = api_as(getattr(world, caller))
    extra = {"team_id": world.team.id} if field == "not_in_channel_id" else {}

    hidden = _error(api, {"term": "a", field: getattr(world, target).id, **extra})
    missing = _error(api, {"term": "a", field: new_id(), **extra})

    assert hidden == missing
    assert hidden[0] == 404


def test_not_in_channel_hides_private_channels_like_in_channel(world: World, api_as) -> None:
    as_dave = api_as(world.dave)
    body = {"term": "a", "team_id": world.team.id}

    hidden = _error(as_dave, {**body, "not_in_channel_id": world.secret.id})
    missing = _error(as_dave, {**body, "not_in_channel_id": new_id()})

    assert hidden == missing and hidden[0] == 404
    # A member asks the same and gets an answer.
    as_bob = api_as(world.bob)
    assert _names(as_bob.post(SEARCH, {**body, "not_in_channel_id": world.secret.id})) == []


# --- bad requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"term": None},
        {"term": ""},
        {"term": "   "},
        {"term": 5},
        {"term": ["bob"]},
        {"term": "bob", "team_id": 5},
        {"term": "bob", "in_channel_id": {"id": "x"}},
        {"term": "bob", "allow_inactive": "yes"},
        {"term": "bob", "without_team": 1},
        {"term": "bob", "group_constrained": "true"},
        {"term": "bob", "limit": "10"},
        {"term": "bob", "limit": True},
        {"term": "bob", "limit": 2.5},
        {"term": "bob", "limit": -1},
        {"term": "bob", "limit": 1001},
        {"term": "bob", "not_in_channel_id": "x" * 26},  # needs team_id
        ["bob"],
        "bob",
    ],
)
def test_malformed_searches_answer_400(world: World, api_as, body) -> None:
    error = api_as(world.alice).post(SEARCH, body, status=400)

    assert error["id"].startswith("api.context.invalid_")


def test_group_constrained_is_accepted_and_changes_nothing(world: World, api_as) -> None:
    as_alice = api_as(world.alice)
    body = {"term": "bo", "team_id": world.team.id, "not_in_channel_id": world.secret.id}

    assert as_alice.post(SEARCH, {**body, "group_constrained": True}) == as_alice.post(SEARCH, body)


def test_search_needs_a_session(world: World, api_as) -> None:
    error = api_as(None).post(SEARCH, {"term": "bob"}, status=401)

    assert error["id"] == "api.context.session_expired.app_error"


def test_the_search_route_comes_before_users_user_id() -> None:
    assert resolve("/api/v4/users/search").url_name == "user-search"
    assert resolve("/api/v4/users/abc").url_name == "user-detail"


def test_answers_match_the_documented_schema(world: World, api_as, tmp_path) -> None:
    schema = _generate(tmp_path / "schema.json")
    as_alice, as_admin = Checked(schema, api_as(world.alice)), Checked(schema, api_as(world.admin))

    assert as_alice("post", SEARCH, {"term": "bo"})
    assert as_admin("post", SEARCH, {"term": "bo"})
    as_alice("post", SEARCH, {"term": ""}, status=400)
    as_alice("post", SEARCH, {"term": "a", "without_team": True}, status=403)
    as_dave = Checked(schema, api_as(world.dave))
    as_dave("post", SEARCH, {"term": "a", "in_channel_id": world.dm.id}, status=404)
    Checked(schema, api_as(None))("post", SEARCH, {"term": "bo"}, status=401)
