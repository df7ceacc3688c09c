"""Sessions, personal access tokens and sign-in protection over the API."""

import pytest
from django.core.cache import cache
from django.test import Client

from apps.accounts.services.sessions import LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS
from apps.core.ids import new_id
from tests.conftest import ApiClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = UserFactory.password
SESSION_KEYS = {
    "id",
    "token",
    "create_at",
    "expires_at",
    "last_activity_at",
    "user_id",
    "device_id",
    "roles",
    "is_oauth",
    "props",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in failures are counted in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


def _login(login_id: str, password: str, address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/api/v4/users/login",
        {"login_id": login_id, "password": password, "device_id": "phone-1"},
        content_type="application/json",
    )


def _bearer(token: str) -> ApiClient:
    return ApiClient(Client(), token)


# --- sessions --------------------------------------------------------------------------------


def test_sessions_are_listed_without_their_tokens(api_as, alice):
    token = _login("alice", PASSWORD)["Token"]
    as_alice = _bearer(token)

    sessions = as_alice.get("users/me/sessions")

    assert len(sessions) == 1
    [session] = sessions
    assert set(session) == SESSION_KEYS
    assert session["token"] == "" and token not in str(sessions)
    assert (session["user_id"], session["device_id"]) == (alice.id, "phone-1")
    assert (session["roles"], session["is_oauth"]) == ("system_user", False)
    assert session["expires_at"] > session["create_at"] > 0


def test_revoking_one_session_ends_only_that_one(api_as, alice):
    keep, drop = _bearer(_login("alice", PASSWORD)["Token"]), api_as(alice)
    sessions = keep.get("users/me/sessions")
    [drop_id] = [s["id"] for s in sessions if s["device_id"] != "phone-1"]

    assert keep.post("users/me/sessions/revoke", {"session_id": drop_id}) == {"status": "OK"}

    keep.get("users/me")
    drop.get("users/me", status=401)
    assert [s["device_id"] for s in keep.get("users/me/sessions")] == ["phone-1"]


def test_revoke_all_signs_the_user_out_everywhere(api_as, alice):
    first, second = api_as(alice), api_as(alice)

    first.post("users/me/sessions/revoke/all")

    first.get("users/me", status=401)
    second.get("users/me", status=401)


def test_session_revoke_refuses_bad_input(api_as, alice):
    as_alice = api_as(alice)

    as_alice.post("users/me/sessions/revoke", {}, status=400)
    as_alice.post("users/me/sessions/revoke", {"session_id": 5}, status=400)
    as_alice.post("users/me/sessions/revoke", {"session_id": new_id()}, status=404)


def test_others_sessions_are_hidden_and_untouchable(api_as, admin, alice, bob):
    as_alice, as_bob = api_as(alice), api_as(bob)
    [bob_session] = as_bob.get("users/me/sessions")

    as_alice.get(f"users/{bob.id}/sessions", status=404)
    as_alice.post(f"users/{bob.id}/sessions/revoke", {"session_id": bob_session["id"]}, status=403)
    as_alice.post(f"users/{bob.id}/sessions/revoke/all", status=403)
    # Naming bob's session under alice's own account finds nothing either.
    as_alice.post("users/me/sessions/revoke", {"session_id": bob_session["id"]}, status=404)
    as_bob.get("users/me")

    assert [s["id"] for s in api_as(admin).get(f"users/{bob.id}/sessions")] == [bob_session["id"]]
    api_as(admin).post(f"users/{bob.id}/sessions/revoke/all")
    as_bob.get("users/me", status=401)


# --- personal access tokens ------------------------------------------------------------------


def test_personal_access_token_is_shown_once_and_authenticates(api_as, alice):
    as_alice = api_as(alice)

    created = as_alice.post("users/me/tokens", {"description": "deploy script"})

    assert set(created) == {"id", "token", "user_id", "description", "is_active"}
    assert (created["user_id"], created["description"], created["is_active"]) == (
        alice.id,
        "deploy script",
        True,
    )
    assert _bearer(created["token"]).get("users/me")["id"] == alice.id
    listed = as_alice.get("users/me/tokens")
    assert listed == [{k: v for k, v in created.items() if k != "token"}]
    assert as_alice.get(f"users/tokens/{created['id']}") == listed[0]


def test_revoked_token_stops_working_at_once(api_as, alice):
    as_alice = api_as(alice)
    created = as_alice.post("users/me/tokens", {"description": "ci"})
    pat = _bearer(created["token"])

    as_alice.post("users/tokens/revoke", {"token_id": created["id"]})

    pat.get("users/me", status=401)
    assert as_alice.get("users/me/tokens") == []
    as_alice.get(f"users/tokens/{created['id']}", status=404)


def test_disabled_token_stops_working_until_enabled(api_as, alice):
    as_alice = api_as(alice)
    created = as_alice.post("users/me/tokens", {"description": "ci"})
    pat = _bearer(created["token"])

    as_alice.post("users/tokens/disable", {"token_id": created["id"]})
    pat.get("users/me", status=401)
    assert as_alice.get(f"users/tokens/{created['id']}")["is_active"] is False

    as_alice.post("users/tokens/enable", {"token_id": created["id"]})
    assert pat.get("users/me")["id"] == alice.id


@pytest.mark.parametrize("action", ["revoke", "disable"])
def test_ending_a_token_closes_the_sockets_opened_with_it(api_as, alice, capture_events, action):
    as_alice = api_as(alice)
    created = as_alice.post("users/me/tokens", {"description": "ci"})

    with capture_events() as events:
        as_alice.post(f"users/tokens/{action}", {"token_id": created["id"]})

    [ended] = events.named("session_revoked")
    assert ended.data == {"user_id": alice.id, "session_ids": [created["id"]]}


def test_a_token_may_manage_its_own_account(api_as, alice):
    created = api_as(alice).post("users/me/tokens", {"description": "ci"})
    pat = _bearer(created["token"])

    assert pat.get("users/me/tokens")[0]["id"] == created["id"]
    pat.post("users/tokens/revoke", {"token_id": created["id"]})
    pat.get("users/me", status=401)


@pytest.mark.parametrize(
    "body", [{}, {"description": ""}, {"description": 3}, {"description": "x" * 256}]
)
def test_token_needs_a_description(api_as, alice, body):
    as_alice = api_as(alice)

    as_alice.post("users/me/tokens", body, status=400)

    assert as_alice.get("users/me/tokens") == []


@pytest.mark.parametrize(
    "path", ["users/tokens/revoke", "users/tokens/disable", "users/tokens/enable"]
)
def test_token_actions_need_a_token_id(api_as, alice, path):
    api_as(alice).post(path, {}, status=400)
    api_as(alice).post(path, {"token_id": new_id()}, status=404)


def test_others_tokens_are_hidden_and_untouchable(api_as, admin, alice, bob):
    as_alice = api_as(alice)
    bobs = api_as(bob).post("users/me/tokens", {"description": "bob's"})

    as_alice.post(f"users/{bob.id}/tokens", {"description": "mine now"}, status=403)
    as_alice.get(f"users/{bob.id}/tokens", status=404)
    as_alice.get(f"users/tokens/{bobs['id']}", status=404)
    for action in ("revoke", "disable"):
        as_alice.post(f"users/tokens/{action}", {"token_id": bobs["id"]}, status=404)
    as_alice.get("users/tokens", status=403)

    assert _bearer(bobs["token"]).get("users/me")["id"] == bob.id
    as_admin = api_as(admin)
    assert [t["id"] for t in as_admin.get("users/tokens")] == [bobs["id"]]
    assert as_admin.get(f"users/{bob.id}/tokens")[0]["id"] == bobs["id"]
    as_admin.post("users/tokens/disable", {"token_id": bobs["id"]})
    _bearer(bobs["token"]).get("users/me", status=401)


def test_token_of_a_deactivated_account_is_refused(api_as, admin, bob):
    pat = _bearer(api_as(bob).post("users/me/tokens", {"description": "cli"})["token"])
    api_as(admin).put(f"users/{bob.id}/active", {"active": False})

    pat.get("users/me", status=401)

    api_as(admin).put(f"users/{bob.id}/active", {"active": True})
    assert pat.get("users/me")["id"] == bob.id


def test_tokens_need_a_session(api_as, alice):
    anonymous = api_as(None)

    anonymous.post(f"users/{alice.id}/tokens", {"description": "x"}, status=401)
    anonymous.get(f"users/{alice.id}/sessions", status=401)
    anonymous.post("users/tokens/revoke", {"token_id": new_id()}, status=401)


# --- sign-in protection ------------------------------------------------------------------------


def test_ten_bad_passwords_lock_the_account_even_for_the_right_one(alice, bob):
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        assert _login("alice", "wrong-password").status_code == 401

    locked = _login("alice", PASSWORD)
    other_address = _login("ALICE", PASSWORD, address="10.0.0.9")
    by_email = _login("alice@example.com", PASSWORD, address="10.0.0.8")
    neighbour = _login("bob", PASSWORD)

    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    body = locked.json()
    assert body["id"] == "api.user.login.rate_limited.app_error"
    assert body["status_code"] == 429 and body["request_id"]
    assert "Token" not in locked
    assert other_address.status_code == 429  # the account is what is locked
    assert by_email.status_code == 429  # by whichever name it is reached
    assert neighbour.status_code == 200  # the address still has room


def test_too_many_failures_from_one_address_lock_it_for_every_account(alice, bob):
    for n in range(LOGIN_FAILURES_PER_ADDRESS):
        assert _login(f"nobody{n}", "wrong-password").status_code == 401

    assert _login("bob", PASSWORD).status_code == 429
    assert _login("bob", PASSWORD, address="10.0.0.9").status_code == 200


def test_a_password_change_disables_personal_access_tokens(api_as, alice, capture_events):
    as_alice = api_as(alice)
    created = as_alice.post("users/me/tokens", {"description": "ci"})
    pat = _bearer(created["token"])

    with capture_events() as events:
        as_alice.put(
            "users/me/password",
            {"current_password": "Correct-Horse-7", "new_password": "Battery-Staple-9"},
        )

    pat.get("users/me", status=401)
    assert as_alice.get(f"users/tokens/{created['id']}")["is_active"] is False
    assert any(created["id"] in e.data["session_ids"] for e in events.named("session_revoked"))


def test_a_session_unused_past_the_idle_limit_stops_working(api_as, alice, settings):
    from apps.accounts.models import Session
    from apps.core.timeutils import now_ms

    api = api_as(alice)
    assert api.get("users/me")["id"] == alice.id
    settings.CONFAB_SESSION_IDLE_SECONDS = 3600
    Session.objects.filter(user=alice).update(last_activity_at=now_ms() - 3601 * 1000)

    api.get("users/me", status=401)


def test_a_session_in_use_is_not_idle(api_as, alice, settings):
    from apps.accounts.models import Session
    from apps.core.timeutils import now_ms

    api = api_as(alice)
    settings.CONFAB_SESSION_IDLE_SECONDS = 3600
    Session.objects.filter(user=alice).update(last_activity_at=now_ms() - 3599 * 1000)

    assert api.get("users/me")["id"] == alice.id
    touched = Session.objects.get(user=alice).last_activity_at
    assert now_ms() - touched < 60_000  # the request counted as activity
