"""Bot accounts: /bots, and the mmpy_bot set-up (owner makes a bot and its token)."""

import pytest
from django.test import Client

from apps.core.ids import new_id
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

BOT_KEYS = {
    "user_id",
    "username",
    "display_name",
    "description",
    "owner_id",
    "create_at",
    "update_at",
    "delete_at",
}


@pytest.fixture
def pongbot(api_as, alice):
    """A bot alice owns."""
    return api_as(alice).post(
        "bots",
        {"username": "PongBot", "display_name": "Pong", "description": "Answers ping"},
        status=201,
    )


def test_owner_creates_a_bot_a_token_and_the_bot_signs_in_with_it(api_as, alice, pongbot):
    as_alice = api_as(alice)

    token = as_alice.post(f"users/{pongbot['user_id']}/tokens", {"description": "mmpy_bot"})
    as_bot = ApiClient(Client(), token["token"])
    me = as_bot.get("users/me")

    assert set(pongbot) == BOT_KEYS
    assert pongbot["username"] == "pongbot" and pongbot["owner_id"] == alice.id
    assert (pongbot["display_name"], pongbot["description"]) == ("Pong", "Answers ping")
    assert pongbot["delete_at"] == 0 and pongbot["create_at"] > 0
    assert (me["id"], me["username"], me["is_bot"]) == (pongbot["user_id"], "pongbot", True)
    assert me["email"] == "pongbot@localhost"
    assert me["bot_description"] == "Answers ping" and me["first_name"] == "Pong"
    assert "system_admin" not in me["roles"]
    assert as_alice.get(f"users/{pongbot['user_id']}/tokens")[0]["id"] == token["id"]


def test_a_bot_cannot_sign_in_with_a_password(client, pongbot):
    for password in ("", "pongbot", None):
        response = client.post(
            "/api/v4/users/login",
            {"login_id": "pongbot", "password": password},
            content_type="application/json",
        )
        assert response.status_code in (400, 401)


def test_bot_is_read_by_its_owner_and_admins_only(api_as, admin, bob, pongbot):
    bot_id = pongbot["user_id"]

    assert api_as(admin).get(f"bots/{bot_id}") == pongbot
    body = api_as(bob).get(f"bots/{bot_id}", status=404)
    assert body["id"] == "store.sql_bot.get.missing.app_error"
    api_as(bob).get(f"bots/{new_id()}", status=404)
    api_as(bob).get(f"bots/{bob.id}", status=404)  # a person is not a bot


def test_bot_list_is_the_callers_bots_or_all_for_admins(api_as, admin, alice, bob, pongbot):
    bobs = api_as(bob).post("bots", {"username": "bobbot"}, status=201)

    assert api_as(alice).get("bots") == [pongbot]
    assert api_as(bob).get("bots") == [bobs]
    assert [b["username"] for b in api_as(admin).get("bots")] == ["bobbot", "pongbot"]
    assert api_as(admin).get("bots", page=1, per_page=1)[0]["username"] == "pongbot"
    assert (bobs["display_name"], bobs["description"]) == ("", "")


def test_others_cannot_make_tokens_for_someone_elses_bot(api_as, bob, pongbot):
    api_as(bob).post(f"users/{pongbot['user_id']}/tokens", {"description": "x"}, status=403)
    api_as(bob).get(f"users/{pongbot['user_id']}/tokens", status=404)


def test_owner_disables_and_enables_the_bot_and_its_token_follows(api_as, alice, pongbot):
    as_alice = api_as(alice)
    bot_id = pongbot["user_id"]
    as_bot = ApiClient(
        Client(), as_alice.post(f"users/{bot_id}/tokens", {"description": "bot"})["token"]
    )

    disabled = as_alice.post(f"bots/{bot_id}/disable")

    assert disabled["delete_at"] > 0 and disabled["update_at"] >= pongbot["update_at"]
    as_bot.get("users/me", status=401)
    assert as_alice.get("bots") == []
    as_alice.get(f"bots/{bot_id}", status=404)
    assert as_alice.get(f"bots/{bot_id}", include_deleted="true")["delete_at"] > 0
    assert [b["user_id"] for b in as_alice.get("bots", include_deleted="true")] == [bot_id]

    enabled = as_alice.put(f"bots/{bot_id}/enable")  # PUT works as well as POST

    assert enabled["delete_at"] == 0
    assert as_bot.get("users/me")["id"] == bot_id


def test_only_owner_or_admin_disables_a_bot(api_as, admin, bob, pongbot):
    bot_id = pongbot["user_id"]

    api_as(bob).post(f"bots/{bot_id}/disable", status=404)
    assert api_as(admin).post(f"bots/{bot_id}/disable")["delete_at"] > 0
    api_as(bob).post(f"bots/{bot_id}/enable", status=404)


def test_owner_patches_the_bot(api_as, alice, bob, pongbot):
    bot_id = pongbot["user_id"]

    patched = api_as(alice).put(
        f"bots/{bot_id}", {"display_name": "Ping Pong", "description": None}
    )

    assert (patched["display_name"], patched["description"]) == ("Ping Pong", "")
    assert api_as(alice).get(f"users/{bot_id}")["first_name"] == "Ping Pong"
    api_as(alice).put(f"bots/{bot_id}", {"username": "bob"}, status=400)
    api_as(alice).put(f"bots/{bot_id}", {"owner_id": bob.id}, status=400)
    api_as(bob).put(f"bots/{bot_id}", {"display_name": "mine"}, status=404)


def test_bot_is_handed_over_to_another_person(api_as, admin, alice, bob, pongbot):
    bot_id = pongbot["user_id"]
    other_bot = api_as(bob).post("bots", {"username": "otherbot"}, status=201)

    api_as(alice).post(f"bots/{bot_id}/assign/{other_bot['user_id']}", status=400)
    api_as(alice).post(f"bots/{bot_id}/assign/{new_id()}", status=404)
    assigned = api_as(alice).post(f"bots/{bot_id}/assign/{bob.id}")

    assert assigned["owner_id"] == bob.id
    assert api_as(bob).post(f"users/{bot_id}/tokens", {"description": "bob's now"})["token"]
    api_as(alice).get(f"bots/{bot_id}", status=404)


def test_deactivating_the_owner_disables_their_bots(api_as, admin, alice, pongbot):
    bot_id = pongbot["user_id"]
    token = api_as(alice).post(f"users/{bot_id}/tokens", {"description": "bot"})["token"]

    api_as(admin).delete(f"users/{alice.id}")

    ApiClient(Client(), token).get("users/me", status=401)
    as_admin = api_as(admin)
    assert as_admin.get("bots", only_orphaned="true") == []  # disabled bots are left out
    [orphan] = as_admin.get("bots", only_orphaned="true", include_deleted="true")
    assert orphan["user_id"] == bot_id and orphan["delete_at"] > 0
    assert as_admin.post(f"bots/{bot_id}/enable")["delete_at"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "Not Valid"},
        {"username": "alice"},
        {"username": "okbot", "display_name": "x" * 65},
        {"username": "okbot", "display_name": 5},
        {"username": "okbot", "description": "x" * 1025},
        [],
    ],
)
def test_bot_creation_refuses_bad_input(api_as, alice, body):
    api_as(alice).post("bots", body, status=400)

    assert api_as(alice).get("bots") == []


def test_bots_cannot_create_bots(api_as, alice, pongbot):
    token = api_as(alice).post(f"users/{pongbot['user_id']}/tokens", {"description": "b"})

    ApiClient(Client(), token["token"]).post("bots", {"username": "childbot"}, status=403)


def test_bots_need_a_session(api_as, pongbot):
    api_as(None).post("bots", {"username": "anonbot"}, status=401)
    api_as(None).get("bots", status=401)
    api_as(None).get(f"bots/{pongbot['user_id']}", status=401)
