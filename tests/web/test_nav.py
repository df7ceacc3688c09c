"""The navigation fragments: the quick switcher, the channel browser and the emoji list.

A private channel appears only to its members (SECURITY.md 2), whatever is typed.
"""

import pytest
from django.test import Client

from apps.channels.services import channel_member_add
from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_channel, make_team
from tests.web.clients import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """An admin (the first account), two members and a team with channels of each kind."""
    admin = UserFactory(username="root")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Liddell")
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    team = make_team(admin, name="acme", display_name="Acme")
    for user in (alice, bob, carol):
        team_member_add(actor=admin, team_id=team.id, user_id=user.id)
    launch = make_channel(alice, team, "launch-plans", purpose="Ship it")
    secret = make_channel(bob, team, "secret-plans", channel_type="P")
    mine_private = make_channel(alice, team, "alice-private", channel_type="P")
    lobby = make_channel(bob, team, "lobby")  # public, alice has not joined
    return {
        "admin": admin,
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "team": team,
        "launch": launch,
        "secret": secret,
        "mine_private": mine_private,
        "lobby": lobby,
    }


def switcher(client, team, q=""):
    return client.get("/_/nav/switcher", {"team_id": team.id, "q": q})


def test_switcher_lists_my_channels_and_never_a_private_one_i_am_not_in(world):
    client = signed_in_client(world["alice"])

    response = switcher(client, world["team"], "plans")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-url="/acme/channels/launch-plans"' in html
    assert "secret-plans" not in html
    assert "Secret-Plans" not in html


def test_switcher_offers_my_private_channel_and_unjoined_public_ones(world):
    client = signed_in_client(world["alice"])

    mine = switcher(client, world["team"], "alice").content.decode()
    others = switcher(client, world["team"], "lob").content.decode()

    assert 'data-url="/acme/channels/alice-private"' in mine
    assert 'data-url="/acme/channels/lobby"' in others
    assert f'data-join-channel-id="{world["lobby"].id}"' in others


def test_switcher_finds_people_to_write_to_but_not_yourself(world):
    client = signed_in_client(world["alice"])

    html = switcher(client, world["team"], "car").content.decode()
    me = switcher(client, world["team"], "alice").content.decode()

    assert 'data-url="/acme/messages/@carol"' in html
    assert "/acme/messages/@alice" not in me


def test_switcher_without_a_query_lists_recent_channels(world):
    client = signed_in_client(world["alice"])

    html = switcher(client, world["team"]).content.decode()

    assert "/acme/channels/town-square" in html
    assert "secret-plans" not in html


def test_switcher_of_a_team_you_are_not_in_is_not_found(world):
    outsider = UserFactory(username="mallory")
    other_team = make_team(world["admin"], name="hidden", display_name="Hidden")
    client = signed_in_client(outsider)

    response = switcher(client, world["team"], "plans")
    other = switcher(client, other_team, "")

    assert response.status_code == 404
    assert other.status_code == 404
    assert b"secret-plans" not in response.content


def test_switcher_matches_escape_what_people_typed(world):
    client = signed_in_client(world["alice"])

    html = switcher(client, world["team"], "<script>x").content.decode()

    assert "<script>x" not in html
    assert "&lt;script&gt;x" in html


def test_browse_lists_public_channels_only(world):
    channel_member_add(
        actor=world["alice"], channel_id=world["mine_private"].id, user_id=world["bob"].id
    )
    client = signed_in_client(world["bob"])

    response = client.get(f"/_/nav/teams/{world['team'].id}/browse")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Launch-Plans" in html and "Ship it" in html
    assert "Lobby" in html
    # Private channels are never browsed, even by their members.
    assert "Secret-Plans" not in html and "Alice-Private" not in html
    # Bob has not joined Launch-Plans: he gets a Join button for it, not for Lobby.
    assert f'data-channel-id="{world["launch"].id}"' in html
    assert f'data-channel-id="{world["lobby"].id}"' not in html


def test_browse_counts_members_and_filters_by_name(world):
    client = signed_in_client(world["alice"])
    url = f"/_/nav/teams/{world['team'].id}/browse"

    everything = client.get(url).content.decode()
    filtered = client.get(url, {"q": "lob"}).content.decode()

    assert "1 member" in filtered and "Lobby" in filtered
    assert "Launch-Plans" not in filtered
    assert "4 members" in everything  # town square: root, alice, bob, carol


def test_browse_of_a_team_you_are_not_in_is_not_found(world):
    client = signed_in_client(UserFactory(username="mallory"))

    response = client.get(f"/_/nav/teams/{world['team'].id}/browse")

    assert response.status_code == 404
    assert b"Lobby" not in response.content


def test_emoji_endpoint_completes_names(world):
    client = signed_in_client(world["alice"])

    data = client.get("/_/nav/emoji", {"q": "smil"}).json()

    names = [e["name"] for e in data["emoji"]]
    assert "smile" in names
    assert names[0].startswith("smil")
    assert all(e["char"] for e in data["emoji"])
    assert client.get("/_/nav/emoji", {"q": ""}).json() == {"emoji": []}


def test_nav_fragments_need_a_signed_in_user(world):
    client = Client()

    response = client.get("/_/nav/emoji", {"q": "smile"})
    htmx = client.get("/_/nav/switcher", {"team_id": world["team"].id}, HTTP_HX_REQUEST="true")

    assert response.status_code == 302
    assert response["Location"].startswith("/login")
    assert htmx.status_code == 401
