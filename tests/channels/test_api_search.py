"""Finding a team's channels by name: `POST /teams/{id}/channels/search`,
`GET .../channels/autocomplete` and `GET .../channels/search_autocomplete`.

Every test shares the cast of `tests/channels/world.py`: in acme, Town Square and
Off-Topic (everyone), lobby (public: alice, bob, carol) and secret (private: alice, bob);
a direct channel of alice and bob and a group of alice, bob and carol.
"""

import pytest
from django.urls import resolve

from apps.channels.models import Channel, ChannelMember
from apps.channels.services import channel_archive, channel_member_add, channel_member_remove
from tests.channels.world import World, build_world
from tests.factories import make_channel
from tests.openapi import Checked, _generate

pytestmark = pytest.mark.django_db

ENDPOINTS = ("search", "autocomplete", "search_autocomplete")


@pytest.fixture
def world() -> World:
    return build_world()


def _find(api, team_id: str, endpoint: str, term: str, *, status: int = 200, **extra):
    path = f"teams/{team_id}/channels/{endpoint}"
    if endpoint == "search":
        return api.post(path, {"term": term, **extra}, status=status)
    return api.get(path, status=status, name=term, **extra)


def _names(channels: list[dict]) -> list[str]:
    return [c["name"] for c in channels]


def _answer(api, team_id: str, endpoint: str, term: str) -> tuple[int, object]:
    """Status and body of one call, whatever it is; error bodies without the request id."""
    path = f"/api/v4/teams/{team_id}/channels/{endpoint}"
    if endpoint == "search":
        response = api.client.post(
            path, {"term": term}, content_type="application/json", **api._headers()
        )
    else:
        response = api.client.get(path, {"name": term}, **api._headers())
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
    return response.status_code, body


# --- search: public channels to browse -------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("lo", ["lobby"]),
        ("LOB", ["lobby"]),
        ("town", ["town-square"]),
        ("squ", ["town-square"]),  # a word of the display name
        ("topic", ["off-topic"]),  # a word of the name
        ("obby", []),  # prefixes only
        ("", ["lobby", "off-topic", "town-square"]),  # by display name
        ("secret", []),  # private channels are never searched, even by their members
    ],
)
def test_search_finds_public_channels_by_name_prefix(
    world: World, api_as, term: str, expected: list[str]
) -> None:
    for caller in (world.dave, world.bob):
        assert _names(_find(api_as(caller), world.team.id, "search", term)) == expected


def test_archived_channels_are_searched_only_on_request(world: World, api_as) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    as_bob = api_as(world.bob)

    assert _find(as_bob, world.team.id, "search", "lo") == []
    archived = _find(as_bob, world.team.id, "search", "lo", include_deleted=True)
    assert _names(archived) == ["lobby"] and archived[0]["delete_at"] > 0
    assert _find(as_bob, world.team.id, "autocomplete", "lo") == []
    assert _find(as_bob, world.team.id, "search_autocomplete", "lo") == []


# --- autocomplete and search autocomplete ---------------------------------------------------


def test_autocomplete_offers_public_channels_and_your_own_private_ones(
    world: World, api_as
) -> None:
    team = world.team.id

    assert _names(_find(api_as(world.bob), team, "autocomplete", "s")) == [
        "secret",
        "town-square",
    ]
    assert _names(_find(api_as(world.dave), team, "autocomplete", "s")) == ["town-square"]
    # Public channels you have not joined are offered too.
    assert _names(_find(api_as(world.dave), team, "autocomplete", "lo")) == ["lobby"]


def test_search_autocomplete_offers_only_channels_you_are_in(world: World, api_as) -> None:
    team = world.team.id

    assert _names(_find(api_as(world.bob), team, "search_autocomplete", "s")) == [
        "secret",
        "town-square",
    ]
    assert _names(_find(api_as(world.carol), team, "search_autocomplete", "")) == [
        "lobby",
        "off-topic",
        "town-square",
    ]
    assert _find(api_as(world.dave), team, "search_autocomplete", "lo") == []


def test_a_removed_member_stops_seeing_the_private_channel_at_once(world: World, api_as) -> None:
    as_bob = api_as(world.bob)
    assert "secret" in _names(_find(as_bob, world.team.id, "autocomplete", "se"))

    channel_member_remove(actor=world.alice, channel_id=world.secret.id, user_id=world.bob.id)

    for endpoint in ENDPOINTS:
        assert "secret" not in _names(_find(as_bob, world.team.id, endpoint, "se")), endpoint


# --- limits and cost -------------------------------------------------------------------------


def test_search_answers_at_most_100_and_autocomplete_at_most_50(world: World, api_as) -> None:
    channels = Channel.objects.bulk_create(
        Channel(team=world.team, type="O", name=f"bulk{n:03}", display_name=f"Bulk {n:03}")
        for n in range(101)
    )
    ChannelMember.objects.bulk_create(
        ChannelMember(channel=channel, user=world.bob) for channel in channels[:51]
    )
    as_bob = api_as(world.bob)

    found = _names(_find(as_bob, world.team.id, "search", "bulk"))
    assert found == [f"bulk{n:03}" for n in range(100)]
    assert _names(_find(as_bob, world.team.id, "autocomplete", "bulk")) == found[:50]
    assert _names(_find(as_bob, world.team.id, "search_autocomplete", "bulk")) == found[:50]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_lookup_costs_a_fixed_number_of_queries(
    world: World, api_as, django_assert_max_num_queries, endpoint: str
) -> None:
    channels = Channel.objects.bulk_create(
        Channel(team=world.team, type="O", name=f"bulk{n:03}", display_name=f"Bulk {n:03}")
        for n in range(40)
    )
    ChannelMember.objects.bulk_create(ChannelMember(channel=c, user=world.bob) for c in channels)
    as_bob = api_as(world.bob)

    with django_assert_max_num_queries(6):
        assert len(_find(as_bob, world.team.id, endpoint, "bulk")) == 40


# --- who may ask -----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_only_team_members_and_system_admins_may_look(world: World, api_as, endpoint: str) -> None:
    for outsider_team in (world.team.id, "ybndrfg8ejkmcpqxot1uwisza3", "nope"):
        error = _find(api_as(world.outsider), outsider_team, endpoint, "", status=404)
        assert error["id"] == "app.team.get.find.app_error"
    # A system admin outside the team sees its public channels, and no private one.
    found = _names(_find(api_as(world.admin), world.team.id, endpoint, ""))
    expected = [] if endpoint == "search_autocomplete" else ["lobby", "off-topic", "town-square"]
    assert found == expected


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_lookups_need_a_session(world: World, api_as, endpoint: str) -> None:
    error = _find(api_as(None), world.team.id, endpoint, "lo", status=401)

    assert error["id"] == "api.context.session_expired.app_error"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"term": None},
        {"term": 5},
        {"term": ["lo"]},
        {"term": "lo", "include_deleted": "true"},
        ["lo"],
        "lo",
    ],
)
def test_malformed_channel_searches_answer_400(world: World, api_as, body) -> None:
    path = f"teams/{world.team.id}/channels/search"

    error = api_as(world.bob).post(path, body, status=400)

    assert error["id"] == "api.context.invalid_body_param.app_error"


def test_the_literal_routes_come_before_channel_name_patterns() -> None:
    base = "/api/v4/teams/ybndrfg8ejkmcpqxot1uwisza3/channels"

    assert resolve(f"{base}/search").url_name == "team-channel-search"
    assert resolve(f"{base}/autocomplete").url_name == "team-channel-autocomplete"
    assert resolve(f"{base}/search_autocomplete").url_name == "team-channel-search-autocomplete"
    assert resolve(f"{base}/name/search").url_name == "channel-by-name"


# --- SECURITY.md 2: a private channel's existence never leaks ---------------------------------


@pytest.mark.parametrize(
    ("caller", "is_member"),
    [
        ("outsider", False),  # in another team
        ("dave", False),  # in the team, not in the channel
        ("admin", False),  # a system admin outside the channel
        ("carol", False),  # shares other channels with its members
        ("bob", True),
        ("alice", True),  # its creator
    ],
)
def test_a_private_channel_shows_only_to_its_members(
    world: World, api_as, caller: str, is_member: bool
) -> None:
    api = api_as(getattr(world, caller))
    # "s" also matches Town Square and secret, so every answer has something in it.
    before = {e: _answer(api, world.team.id, e, "s") for e in ENDPOINTS}

    hidden = make_channel(world.alice, world.team, "sesame", "P")
    channel_member_add(actor=world.alice, channel_id=hidden.id, user_id=world.bob.id)
    after = {e: _answer(api, world.team.id, e, "s") for e in ENDPOINTS}

    for endpoint in ENDPOINTS:
        if is_member and endpoint != "search":
            status, channels = after[endpoint]
            assert status == 200 and "sesame" in _names(channels), endpoint
            without = [c for c in channels if c["name"] != "sesame"]
            assert (status, without) == before[endpoint], endpoint
        else:
            assert after[endpoint] == before[endpoint], endpoint


@pytest.mark.parametrize("caller", ["alice", "bob", "carol", "dave", "admin"])
def test_direct_and_group_messages_never_appear(world: World, api_as, caller: str) -> None:
    api = api_as(getattr(world, caller))
    private_ids = {world.dm.id, world.group.id}

    for endpoint in ENDPOINTS:
        for term in ("", world.dm.name[:8], world.group.name[:8]):
            found = _find(api, world.team.id, endpoint, term)
            assert {c["type"] for c in found} <= {"O", "P"}, (endpoint, term)
            assert not private_ids & {c["id"] for c in found}, (endpoint, term)


def test_answers_match_the_documented_schema(world: World, api_as, tmp_path) -> None:
    schema = _generate(tmp_path / "schema.json")
    as_bob, as_outsider = (
        Checked(schema, api_as(world.bob)),
        Checked(schema, api_as(world.outsider)),
    )
    team = world.team.id

    assert as_bob("post", "teams/{team_id}/channels/search", {"term": "lo"}, team_id=team)
    as_bob("post", "teams/{team_id}/channels/search", {"term": 5}, status=400, team_id=team)
    for endpoint in ("autocomplete", "search_autocomplete"):
        assert as_bob("get", f"teams/{{team_id}}/channels/{endpoint}", team_id=team, name="s")
        as_outsider("get", f"teams/{{team_id}}/channels/{endpoint}", status=404, team_id=team)
