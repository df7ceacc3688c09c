"""Looking users up and listing them: /users, /users/ids, /users/autocomplete, ..."""

import json

import pytest
from django.test import Client

from apps.accounts.services.users import user_deactivate
from apps.channels.services import channel_member_add
from apps.core.ids import new_id
from apps.teams.models import TEAM_INVITE
from apps.teams.services import team_member_add
from tests.conftest import ApiClient
from tests.factories import UserFactory, make_channel, make_team

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "ybndrfg8ejkmcpqxot1uwisza3"

USER_KEYS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "username",
    "auth_service",
    "email",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "roles",
    "locale",
    "timezone",
    "is_bot",
    "props",
    "last_picture_update",
}


@pytest.fixture
def alice(admin):
    return UserFactory(username="alice", first_name="Alice", last_name="Martin")


@pytest.fixture
def bob(admin):
    return UserFactory(username="bob", first_name="Bob", last_name="Kim", nickname="bobby")


@pytest.fixture
def carol(admin):
    return UserFactory(username="carol", first_name="Carol")


@pytest.fixture
def world(alice, bob, carol):
    """acme (invite only): alice and bob; lobby (public): alice and bob; secret (private):
    alice only; other (invite only): carol only."""
    acme = make_team(alice, name="acme", team_type=TEAM_INVITE)
    team_member_add(actor=alice, team_id=acme.id, user_id=bob.id)
    lobby = make_channel(alice, acme, "lobby")
    channel_member_add(actor=alice, channel_id=lobby.id, user_id=bob.id)
    secret = make_channel(alice, acme, "secret", channel_type="P")
    other = make_team(carol, name="other", display_name="Other", team_type=TEAM_INVITE)
    return {"acme": acme, "lobby": lobby, "secret": secret, "other": other}


def _names(users) -> list[str]:
    return [u["username"] for u in users]


# --- single lookups --------------------------------------------------------------------------


def test_get_user_shows_private_fields_only_to_the_user_and_admins(api_as, admin, alice, bob):
    as_alice = api_as(alice)

    me = as_alice.get("users/me")
    other = as_alice.get(f"users/{bob.id}")
    seen_by_admin = api_as(admin).get(f"users/{bob.id}")

    assert me["id"] == alice.id and me["email"] == "alice@example.com"
    assert me["notify_props"]["push"] == "mention"
    assert set(other) == USER_KEYS
    assert other["email"] == "" and other["username"] == "bob"
    assert seen_by_admin["email"] == "bob@example.com"
    assert "notify_props" not in seen_by_admin


@pytest.mark.parametrize("path", [f"users/{UNKNOWN_ID}", "users/short", "users/username/nobody"])
def test_unknown_users_answer_404_in_the_envelope(api_as, alice, path):
    body = api_as(alice).get(path, status=404)

    assert body["id"] == "app.user.missing_account.const"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "users"),
        ("get", "users/me"),
        ("get", "users/username/alice"),
        ("get", "users/email/alice@example.com"),
        ("post", "users/ids"),
        ("post", "users/usernames"),
        ("get", "users/autocomplete"),
        ("put", "users/me/patch"),
        ("delete", "users/me"),
    ],
)
def test_user_endpoints_need_a_session(api_as, alice, method, path):
    body = getattr(api_as(None), method)(path, status=401)

    assert body["id"] == "api.context.session_expired.app_error"


def test_get_user_by_username_ignores_case(api_as, alice, bob):
    assert api_as(alice).get("users/username/BoB")["id"] == bob.id


def test_email_lookup_is_for_system_admins_or_the_address_owner(api_as, admin, alice, bob):
    as_alice, as_admin = api_as(alice), api_as(admin)

    assert as_admin.get("users/email/Bob@Example.com")["id"] == bob.id
    assert as_alice.get("users/email/ALICE@example.com")["email"] == "alice@example.com"
    # Others get 403 whether or not the address exists, so addresses cannot be probed.
    for email in ("bob@example.com", "nobody@example.com"):
        body = as_alice.get(f"users/email/{email}", status=403)
        assert body["id"] == "api.user.get_user_by_email.permissions.app_error"
    as_admin.get("users/email/nobody@example.com", status=404)


# --- batches -----------------------------------------------------------------------------------


def test_users_by_ids_drops_unknown_ids(api_as, alice, bob):
    users = api_as(alice).post("users/ids", [bob.id, new_id(), "junk", alice.id])

    assert sorted(u["id"] for u in users) == sorted([alice.id, bob.id])


def test_users_by_ids_since_keeps_only_accounts_changed_later(api_as, admin, alice, bob):
    as_alice = api_as(alice)
    since = max(alice.update_at, bob.update_at)
    api_as(admin).put(f"users/{bob.id}/patch", {"nickname": "bobcat"})

    users = as_alice.post("users/ids", [alice.id, bob.id], since=since)

    assert [u["id"] for u in users] == [bob.id]
    as_alice.post("users/ids", [bob.id], since="yesterday", status=400)


def test_users_by_usernames_ignores_case_and_unknown_names(api_as, alice, bob):
    users = api_as(alice).post("users/usernames", ["BOB", "nobody", "alice"])

    assert sorted(_names(users)) == ["alice", "bob"]


@pytest.mark.parametrize("path", ["users/ids", "users/usernames", "users/status/ids"])
@pytest.mark.parametrize("body", [[], {"ids": []}, [1, 2], "alice", None])
def test_batch_lookups_refuse_anything_but_a_list_of_strings(api_as, alice, path, body):
    api_as(alice).post(path, body, status=400)


# --- GET /users ----------------------------------------------------------------------------


def test_user_list_pages_through_every_account_by_username(api_as, admin, alice, bob, carol):
    as_alice = api_as(alice)
    user_deactivate(actor=admin, user=carol)

    pages = [as_alice.get("users", page=n, per_page=2) for n in range(3)]

    assert [_names(p) for p in pages] == [["alice", "bob"], ["carol", "root"], []]
    assert _names(as_alice.get("users", active="true")) == ["alice", "bob", "root"]
    assert _names(as_alice.get("users", inactive="true")) == ["carol"]
    as_alice.get("users", active="true", inactive="true", status=400)


def test_user_list_filters_by_team_and_channel(api_as, alice, world):
    as_alice = api_as(alice)
    acme, lobby, secret = world["acme"].id, world["lobby"].id, world["secret"].id

    assert _names(as_alice.get("users", in_team=acme)) == ["alice", "bob"]
    assert _names(as_alice.get("users", not_in_team=acme)) == ["carol", "root"]
    assert _names(as_alice.get("users", in_channel=lobby)) == ["alice", "bob"]
    assert _names(as_alice.get("users", in_channel=secret)) == ["alice"]
    assert _names(as_alice.get("users", in_team=acme, not_in_channel=secret)) == ["bob"]


def test_user_list_hides_teams_and_channels_the_caller_cannot_see(api_as, bob, carol, world):
    as_bob, as_carol = api_as(bob), api_as(carol)

    # carol is in no channel of acme, an invite-only team: it does not exist for her.
    assert as_carol.get("users", in_team=world["acme"].id, status=404)["id"] == (
        "app.team.get.find.app_error"
    )
    as_carol.get("users", in_channel=world["lobby"].id, status=404)
    # bob is in the team but not in the private channel.
    body = as_bob.get("users", in_channel=world["secret"].id, status=404)
    assert body["id"] == "app.channel.get.existing.app_error"
    as_bob.get("users", in_team=world["acme"].id, not_in_channel=world["secret"].id, status=404)
    as_bob.get("users", in_team=world["other"].id, status=404)
    as_bob.get("users", in_channel=new_id(), status=404)


def test_not_in_channel_needs_in_team(api_as, alice, world):
    api_as(alice).get("users", not_in_channel=world["lobby"].id, status=400)


def test_users_without_team_are_listed_for_system_admins_only(api_as, admin, alice, world):
    assert _names(api_as(admin).get("users", without_team="true")) == ["root"]
    api_as(alice).get("users", without_team="true", status=403)


def test_user_list_by_role(api_as, alice, bob):
    assert _names(api_as(alice).get("users", role="system_admin")) == ["root"]
    assert api_as(alice).get("users", role="no_such_role") == []


def test_user_list_costs_a_fixed_number_of_queries(api_as, alice, django_assert_max_num_queries):
    for n in range(15):
        UserFactory(username=f"member{n}")
    as_alice = api_as(alice)

    with django_assert_max_num_queries(4):
        users = as_alice.get("users", per_page=100)

    assert len(users) == 17


def test_sign_up_shares_the_users_path_and_ignores_credentials(client, admin):
    anonymous = ApiClient(Client())
    stale = ApiClient(Client(), "not-a-real-token")
    body = {"username": "dora", "email": "dora@example.com", "password": "Correct-Horse-7"}

    created = anonymous.post("users", body, status=201)
    stale.post("users", {**body, "username": "erin", "email": "erin@example.com"}, status=201)

    assert created["username"] == "dora" and created["email"] == "dora@example.com"
    assert "system_admin" not in created["roles"]
    anonymous.post("users", {**body, "username": "fred"}, status=400)  # the e-mail is taken
    anonymous.get("users", status=401)
    stale.get("users", status=401)


# --- autocomplete ------------------------------------------------------------------------------


def test_autocomplete_matches_name_prefixes_of_active_users(api_as, admin, alice, bob, carol):
    user_deactivate(actor=admin, user=carol)
    as_alice = api_as(alice)

    assert as_alice.get("users/autocomplete", name="bo") == {
        "users": [as_alice.get(f"users/{bob.id}")]
    }
    assert _names(as_alice.get("users/autocomplete", name="@kim")["users"]) == ["bob"]
    assert _names(as_alice.get("users/autocomplete", name="BOBBY")["users"]) == ["bob"]
    assert _names(as_alice.get("users/autocomplete", name="car")["users"]) == []
    everyone = as_alice.get("users/autocomplete", name="", limit=2)["users"]
    assert _names(everyone) == ["alice", "bob"]


def test_autocomplete_never_matches_email_addresses(api_as, alice, bob):
    assert api_as(alice).get("users/autocomplete", name="example.com") == {"users": []}


def test_autocomplete_in_a_channel_splits_members_from_the_rest_of_the_team(
    api_as, alice, bob, carol, world
):
    as_alice = api_as(alice)

    in_secret = as_alice.get("users/autocomplete", name="", in_channel=world["secret"].id)
    in_team = as_alice.get("users/autocomplete", name="", in_team=world["acme"].id)

    assert _names(in_secret["users"]) == ["alice"]
    assert _names(in_secret["out_of_channel"]) == ["bob"]
    assert set(in_team) == {"users"}
    assert _names(in_team["users"]) == ["alice", "bob"]


def test_autocomplete_refuses_hidden_teams_and_channels(api_as, bob, carol, world):
    api_as(bob).get("users/autocomplete", name="a", in_channel=world["secret"].id, status=404)
    api_as(carol).get("users/autocomplete", name="a", in_team=world["acme"].id, status=404)
    api_as(bob).get("users/autocomplete", name="a", limit="many", status=400)


def test_openapi_schema_is_generated(client, admin):
    response = client.get("/api/v4/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    paths = json.loads(response.content)["paths"]
    assert "/api/v4/users/{user_id}/tokens" in paths
    assert "/api/v4/bots/{bot_user_id}/disable" in paths
