"""Changing accounts: patch, update, deactivate, reactivate, password and roles."""

import pytest
from django.test import Client

from apps.accounts.services.sessions import session_create
from apps.core.ids import new_id
from tests.conftest import ApiClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = UserFactory.password


# --- PUT /users/{id}/patch and PUT /users/{id} -------------------------------------------------


def test_user_patches_own_profile_and_nulls_leave_fields_alone(api_as, alice):
    as_alice = api_as(alice)

    patched = as_alice.put(
        "users/me/patch",
        {
            "nickname": "Al",
            "position": "Engineer",
            "first_name": None,
            "props": {"customStatus": "{}"},
            "timezone": {"manualTimezone": "Europe/Paris"},
        },
    )

    assert (patched["nickname"], patched["position"]) == ("Al", "Engineer")
    assert patched["props"] == {"customStatus": "{}"}
    assert patched["timezone"]["manualTimezone"] == "Europe/Paris"
    assert patched["timezone"]["useAutomaticTimezone"] == "true"
    assert as_alice.get("users/me")["nickname"] == "Al"


@pytest.mark.parametrize(
    "patch",
    [
        {"roles": "system_admin"},
        {"nickname": 7},
        {"nickname": "x" * 65},
        {"username": "Not Valid"},
        {"email": "nope"},
        {"locale": "xx"},
        {"props": "text"},
        {"props": {f"k{n}": "v" for n in range(51)}},
        ["nickname"],
    ],
)
def test_patch_refuses_bad_input_and_changes_nothing(api_as, alice, patch):
    as_alice = api_as(alice)
    before = as_alice.get("users/me")

    as_alice.put("users/me/patch", patch, status=400)

    assert as_alice.get("users/me") == before


def test_patch_refuses_a_taken_username(api_as, alice, bob):
    api_as(alice).put("users/me/patch", {"username": "BOB"}, status=400)


def test_only_the_user_or_an_admin_patches_a_profile(api_as, admin, alice, bob):
    body = api_as(alice).put(f"users/{bob.id}/patch", {"nickname": "hacked"}, status=403)
    assert body["id"] == "api.context.permissions.app_error"

    patched = api_as(admin).put(f"users/{bob.id}/patch", {"nickname": "Bobby"})

    assert patched["nickname"] == "Bobby"
    api_as(admin).put(f"users/{new_id()}/patch", {"nickname": "x"}, status=404)


def test_put_user_takes_the_profile_from_a_full_user_object(api_as, alice):
    as_alice = api_as(alice)
    user = as_alice.get("users/me")

    updated = as_alice.put(
        "users/me", {**user, "nickname": "Ally", "roles": "system_user system_admin"}
    )

    assert updated["nickname"] == "Ally"
    assert updated["roles"] == "system_user"
    as_alice.put("users/me", {**user, "id": new_id()}, status=400)


# --- deactivation --------------------------------------------------------------------------------


def test_regular_user_cannot_deactivate_another(api_as, alice, bob):
    api_as(alice).delete(f"users/{bob.id}", status=403)
    api_as(alice).put(f"users/{bob.id}/active", {"active": False}, status=403)

    assert api_as(bob).get("users/me")["delete_at"] == 0


def test_admin_deactivates_a_user_whose_tokens_stop_working(api_as, admin, alice, bob):
    as_bob = api_as(bob)
    as_bob.post("users/me/tokens", {"description": "script"})
    pat = ApiClient(Client(), as_bob.post("users/me/tokens", {"description": "cli"})["token"])
    pat.get("users/me")

    assert api_as(admin).delete(f"users/{bob.id}") == {"status": "OK"}

    as_bob.get("users/me", status=401)
    pat.get("users/me", status=401)
    assert api_as(alice).get(f"users/{bob.id}")["delete_at"] > 0


def test_user_deactivates_themselves(api_as, alice):
    as_alice = api_as(alice)

    as_alice.put("users/me/active", {"active": False})

    as_alice.get("users/me", status=401)


def test_permanent_deletion_is_refused(api_as, admin, bob):
    api_as(admin).delete(f"users/{bob.id}", status=400, permanent="true")

    assert api_as(bob).get("users/me")["delete_at"] == 0


def test_deactivating_unknown_users_is_404(api_as, admin):
    api_as(admin).delete(f"users/{new_id()}", status=404)
    api_as(admin).put(f"users/{new_id()}/active", {"active": True}, status=404)


def test_only_admins_reactivate_and_old_sessions_stay_dead(api_as, admin, alice, bob):
    as_bob = api_as(bob)
    as_admin = api_as(admin)
    as_admin.put(f"users/{bob.id}/active", {"active": False})

    api_as(alice).put(f"users/{bob.id}/active", {"active": True}, status=403)
    as_admin.put(f"users/{bob.id}/active", {"active": True})

    assert as_admin.get(f"users/{bob.id}")["delete_at"] == 0
    as_bob.get("users/me", status=401)  # sessions ended with the deactivation
    api_as(bob).get("users/me")


@pytest.mark.parametrize("body", [{}, {"active": "false"}, {"active": 0}, None])
def test_active_needs_a_boolean(api_as, admin, bob, body):
    api_as(admin).put(f"users/{bob.id}/active", body, status=400)


def test_the_last_system_admin_cannot_be_deactivated(api_as, admin):
    api_as(admin).delete("users/me", status=400)


# --- password ---------------------------------------------------------------------------------


def test_password_change_keeps_the_calling_session_and_ends_the_others(api_as, client, alice):
    as_alice, elsewhere = api_as(alice), api_as(alice)

    as_alice.put(
        "users/me/password", {"current_password": PASSWORD, "new_password": "Brand-New-Pass-9"}
    )

    as_alice.get("users/me")
    elsewhere.get("users/me", status=401)
    login = {"login_id": "alice", "password": "Brand-New-Pass-9"}
    response = client.post("/api/v4/users/login", login, content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": "wrong", "new_password": "Brand-New-Pass-9"},
        {"new_password": "Brand-New-Pass-9"},
        {"current_password": PASSWORD, "new_password": "short"},
        {"current_password": PASSWORD},
        {"current_password": PASSWORD, "new_password": 12345678},
    ],
)
def test_password_change_refuses_bad_input(api_as, alice, body):
    as_alice = api_as(alice)

    as_alice.put("users/me/password", body, status=400)

    as_alice.get("users/me")


def test_password_of_another_user_is_for_admins_who_need_no_current_one(api_as, admin, alice, bob):
    _session, bob_token = session_create(user=bob)

    api_as(alice).put(f"users/{bob.id}/password", {"new_password": "Brand-New-Pass-9"}, status=403)
    api_as(admin).put(f"users/{bob.id}/password", {"new_password": "Brand-New-Pass-9"})

    ApiClient(Client(), bob_token).get("users/me", status=401)


# --- roles ---------------------------------------------------------------------------------------


def test_system_admins_grant_roles_and_nobody_else_does(api_as, admin, alice, bob):
    api_as(alice).put(f"users/{bob.id}/roles", {"roles": "system_user system_admin"}, status=403)
    api_as(alice).put("users/me/roles", {"roles": "system_user system_admin"}, status=403)

    api_as(admin).put(f"users/{bob.id}/roles", {"roles": "system_user system_admin"})

    assert api_as(bob).get("users/me")["roles"] == "system_user system_admin"
    api_as(admin).put(f"users/{bob.id}/roles", {"roles": "galactic_emperor"}, status=400)
    api_as(admin).put(f"users/{bob.id}/roles", {"roles": ""}, status=400)
