"""The channels API (reference §a.3): create, read, update, archive and list channels.

Every test shares the cast of `tests/channels/world.py`.
"""

import pytest

from apps.channels.models import Channel, ChannelMember
from apps.core.ids import new_id
from apps.teams.services import team_update
from tests.channels.conftest import CHANNEL_KEYS
from tests.channels.world import World, build_world, fresh, say

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _names(channels: list[dict]) -> set[str]:
    return {c["name"] for c in channels}


# --- create ----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel_type", ["O", "P"])
def test_creating_a_channel_answers_201_and_makes_the_creator_its_admin(
    world: World, api_as, capture_events, channel_type: str
) -> None:
    body = {
        "team_id": world.team.id,
        "name": "launch",
        "display_name": "Launch",
        "type": channel_type,
        "purpose": "ship it",
    }
    with capture_events() as events:
        created = api_as(world.dave).post("channels", body, status=201)
    assert set(created) == CHANNEL_KEYS
    assert (created["name"], created["type"], created["team_id"]) == (
        "launch",
        channel_type,
        world.team.id,
    )
    assert (created["creator_id"], created["purpose"]) == (world.dave.id, "ship it")
    me = api_as(world.dave).get(f"channels/{created['id']}/members/me")
    assert me["roles"] == "channel_user channel_admin"
    assert events.named("channel_created")[0].data["channel_id"] == created["id"]


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "lobby"},  # taken in this team
        {"name": "Bad Name!"},
        {"name": "a" * 26 + "__" + "b" * 26},  # shaped like a direct channel
        {"name": ""},
        {"display_name": ""},
        {"type": "D"},
        {"type": ""},
        {"team_id": ""},
        {"team_id": "nope"},
        {"header": "h" * 1025},
        {"purpose": 7},
    ],
)
def test_an_invalid_channel_is_refused_with_400_and_nothing_is_created(
    world: World, api_as, changes: dict
) -> None:
    body = {"team_id": world.team.id, "name": "fine", "display_name": "Fine", "type": "O"}
    before = Channel.objects.count()
    error = api_as(world.bob).post("channels", {**body, **changes}, status=400)
    assert error["message"]
    assert Channel.objects.count() == before


def test_a_channel_cannot_be_created_in_someone_elses_team(world: World, api_as) -> None:
    body = {"team_id": world.other_team.id, "name": "x1", "display_name": "X", "type": "O"}
    api_as(world.bob).post("channels", body, status=403)  # an open team, not joined
    team_update(actor=world.outsider, team_id=world.other_team.id, patch={"type": "I"})
    api_as(world.bob).post("channels", body, status=404)  # now hidden
    api_as(world.bob).post("channels", ["not", "an", "object"], status=400)
    assert not Channel.objects.filter(name="x1").exists()


# --- read ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "channel_name", "status"),
    [
        ("dave", "lobby", 200),  # public: every team member reads it
        ("admin", "lobby", 200),
        ("bob", "secret", 200),
        ("dave", "secret", 404),  # private: invisible to non-members
        ("owner", "secret", 404),
        ("outsider", "lobby", 404),  # another team's channel
        ("carol", "dm", 404),  # someone else's direct channel
        ("admin", "dm", 404),
        ("dave", "group", 404),
    ],
)
def test_a_channel_is_read_by_those_who_may_see_it(
    world: World, api_as, actor_name: str, channel_name: str, status: int
) -> None:
    channel = getattr(world, channel_name)
    body = api_as(getattr(world, actor_name)).get(f"channels/{channel.id}", status=status)
    if status == 200:
        assert set(body) == CHANNEL_KEYS and body["id"] == channel.id
    else:
        assert body["id"] == "app.channel.get.existing.app_error"


def test_missing_and_malformed_channel_ids_are_not_found(world: World, api_as) -> None:
    api_as(world.bob).get(f"channels/{new_id()}", status=404)
    api_as(world.bob).get("channels/nope", status=404)


def test_a_channel_is_found_by_team_id_or_team_name_and_its_name(world: World, api_as) -> None:
    api = api_as(world.dave)
    assert api.get(f"teams/{world.team.id}/channels/name/lobby")["id"] == world.lobby.id
    assert api.get("teams/name/acme/channels/name/LOBBY")["id"] == world.lobby.id


@pytest.mark.parametrize(
    ("actor_name", "team_name", "channel_name"),
    [
        ("dave", "acme", "secret"),
        ("outsider", "acme", "lobby"),
        ("bob", "acme", "no-such-channel"),
        ("bob", "globex", "town-square"),  # a team bob is not in
        ("bob", "no-such-team", "lobby"),
    ],
)
def test_hidden_or_missing_channel_names_are_not_found(
    world: World, api_as, actor_name: str, team_name: str, channel_name: str
) -> None:
    api = api_as(getattr(world, actor_name))
    team_id = {"acme": world.team.id, "globex": world.other_team.id}.get(team_name, new_id())
    api.get(f"teams/{team_id}/channels/name/{channel_name}", status=404)
    api.get(f"teams/name/{team_name}/channels/name/{channel_name}", status=404)


# --- update ----------------------------------------------------------------------------------


def test_a_member_updates_a_channel_with_the_full_channel(world: World, api_as) -> None:
    api = api_as(world.bob)
    channel = api.get(f"channels/{world.lobby.id}")
    channel.update(display_name="The Lobby", header="welcome", purpose="chat")
    updated = api.put(f"channels/{world.lobby.id}", channel)
    assert (updated["display_name"], updated["header"], updated["purpose"]) == (
        "The Lobby",
        "welcome",
        "chat",
    )
    # Mattermost's PUT replaces header and purpose: absent means empty.
    cleared = api.put(f"channels/{world.lobby.id}", {"id": world.lobby.id})
    assert (cleared["display_name"], cleared["header"], cleared["purpose"]) == (
        "The Lobby",
        "",
        "",
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "someotherchannelid00000000"},
        {"id": None},
        {"name": "renamed"},  # renames are not supported
        {"type": "P"},
        {"display_name": 5},
        {"header": "h" * 1025},
    ],
)
def test_an_invalid_full_update_is_refused_and_changes_nothing(
    world: World, api_as, changes: dict
) -> None:
    api = api_as(world.bob)
    channel = {**api.get(f"channels/{world.lobby.id}"), "header": "new", **changes}
    api.put(f"channels/{world.lobby.id}", channel, status=400)
    assert (fresh(world.lobby).name, fresh(world.lobby).header) == ("lobby", "")


def test_the_header_of_a_direct_channel_is_updated_but_not_its_purpose(
    world: World, api_as
) -> None:
    api = api_as(world.bob)
    channel = api.get(f"channels/{world.dm.id}")
    assert api.put(f"channels/{world.dm.id}", {**channel, "header": "hi"})["header"] == "hi"
    api.put(f"channels/{world.dm.id}", {**channel, "purpose": "no"}, status=400)
    api.put(f"channels/{world.dm.id}/patch", {"display_name": "no"}, status=400)


def test_a_patch_changes_only_the_fields_given(world: World, api_as) -> None:
    api = api_as(world.bob)
    api.put(f"channels/{world.lobby.id}/patch", {"purpose": "chat"})
    patched = api.put(
        f"channels/{world.lobby.id}/patch", {"header": "welcome", "purpose": None, "extra": 1}
    )
    assert (patched["header"], patched["purpose"], patched["display_name"]) == (
        "welcome",
        "chat",
        "Lobby",
    )


@pytest.mark.parametrize(
    ("actor_name", "channel_name", "patch", "status"),
    [
        ("bob", "lobby", {}, 400),  # nothing to change
        ("bob", "lobby", {"purpose": None}, 400),
        ("bob", "lobby", {"display_name": ""}, 400),
        ("bob", "lobby", {"name": "Bad Name"}, 400),
        ("dave", "lobby", {"header": "mine"}, 403),  # visible, but dave is not a member
        ("dave", "secret", {"header": "mine"}, 404),
        ("carol", "dm", {"header": "mine"}, 404),
    ],
)
def test_patches_are_refused_by_who_and_what(
    world: World, api_as, actor_name: str, channel_name: str, patch: dict, status: int
) -> None:
    channel = getattr(world, channel_name)
    api_as(getattr(world, actor_name)).put(f"channels/{channel.id}/patch", patch, status=status)
    stored = fresh(channel)
    assert (stored.header, stored.display_name) == (channel.header, channel.display_name)


# --- archive and restore ----------------------------------------------------------------------


def test_channel_admins_archive_and_restore_a_channel(world: World, api_as) -> None:
    alice, bob = api_as(world.alice), api_as(world.bob)
    bob.delete(f"channels/{world.lobby.id}", status=403)
    assert not fresh(world.lobby).is_archived
    assert alice.delete(f"channels/{world.lobby.id}") == {"status": "OK"}
    assert bob.get(f"channels/{world.lobby.id}")["delete_at"] > 0
    bob.get(f"teams/{world.team.id}/channels/name/lobby", status=404)
    found = bob.get(f"teams/{world.team.id}/channels/name/lobby", include_deleted="true")
    assert found["id"] == world.lobby.id
    listing = f"users/me/teams/{world.team.id}/channels"
    assert "lobby" not in _names(bob.get(listing))
    assert "lobby" in _names(bob.get(listing, include_deleted="true"))
    bob.post(f"channels/{world.lobby.id}/restore", status=403)
    restored = alice.post(f"channels/{world.lobby.id}/restore")
    assert restored["delete_at"] == 0 and not fresh(world.lobby).is_archived


def test_town_square_cannot_be_archived_and_hidden_channels_are_not_found(
    world: World, api_as
) -> None:
    api_as(world.admin).delete(f"channels/{world.town_square.id}", status=400)
    api_as(world.dave).delete(f"channels/{world.secret.id}", status=404)
    api_as(world.carol).delete(f"channels/{world.dm.id}", status=404)
    assert not fresh(world.town_square).is_archived and not fresh(world.secret).is_archived


# --- lists -----------------------------------------------------------------------------------


def test_a_teams_public_channels_are_listed_and_paged(world: World, api_as) -> None:
    api = api_as(world.dave)
    listed = api.get(f"teams/{world.team.id}/channels")
    assert [c["name"] for c in listed] == ["lobby", "off-topic", "town-square"]
    assert set(listed[0]) == CHANNEL_KEYS
    pages = [api.get(f"teams/{world.team.id}/channels", page=n, per_page=2) for n in range(3)]
    assert [len(p) for p in pages] == [2, 1, 0]
    assert _names(api_as(world.admin).get(f"teams/{world.team.id}/channels")) >= {"lobby"}


def test_another_teams_channels_cannot_be_listed(world: World, api_as) -> None:
    outsider = api_as(world.outsider)
    outsider.get(f"teams/{world.team.id}/channels", status=404)
    outsider.get(f"users/me/teams/{world.team.id}/channels", status=404)
    outsider.get(f"users/me/teams/{world.team.id}/channels/members", status=404)
    outsider.get(f"teams/{new_id()}/channels", status=404)


def test_a_users_channels_of_a_team_include_direct_and_group_channels(world: World, api_as) -> None:
    listed = api_as(world.bob).get(f"users/me/teams/{world.team.id}/channels")
    assert _names(listed) == {"town-square", "off-topic", "lobby", "secret"} | {
        world.dm.name,
        world.group.name,
    }
    assert len(listed) == 6
    dave = _names(api_as(world.dave).get(f"users/{world.dave.id}/teams/{world.team.id}/channels"))
    assert dave == {"town-square", "off-topic"}  # no private channel he is not in


def test_a_users_channels_across_teams(world: World, api_as) -> None:
    assert _names(api_as(world.outsider).get("users/me/channels")) == {"town-square", "off-topic"}
    assert len(api_as(world.bob).get("users/me/channels")) == 6


def test_only_system_admins_list_someone_elses_channels(world: World, api_as) -> None:
    for path in (
        f"users/{world.bob.id}/teams/{world.team.id}/channels",
        f"users/{world.bob.id}/channels",
        f"users/{world.bob.id}/teams/{world.team.id}/channels/members",
    ):
        api_as(world.carol).get(path, status=403)
        assert len(api_as(world.admin).get(path)) == 6


def test_listing_a_users_channels_costs_the_same_for_many_channels(
    world: World, api_as, django_assert_max_num_queries
) -> None:
    api = api_as(world.bob)
    for n in range(15):
        api.post(
            "channels",
            {"team_id": world.team.id, "name": f"extra-{n}", "display_name": "X", "type": "O"},
            status=201,
        )
    say(world.alice, world.lobby)
    with django_assert_max_num_queries(8):
        listed = api.get(f"users/me/teams/{world.team.id}/channels")
    assert len(listed) == 21
    with django_assert_max_num_queries(8):
        members = api.get(f"users/me/teams/{world.team.id}/channels/members")
    assert len(members) == ChannelMember.objects.filter(user=world.bob).count() == 21
