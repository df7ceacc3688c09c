"""Sign-in through a live daphne: the lockout guards the account whatever name reaches it,
and a failed sign-in costs the same whether or not the account exists (issue 12, 5 and 6)."""

import statistics
import time

import httpx
import pytest

from apps.accounts.services.sessions import LOGIN_FAILURES_PER_ACCOUNT
from config.settings import base as base_settings
from tests.factories import UserFactory

PASSWORD = UserFactory.password
LOGIN_PATH = "/api/v4/users/login"
LOCKED_ID = "api.user.login.rate_limited.app_error"


def _sign_in(client: httpx.Client, login_id: str, password: str) -> httpx.Response:
    return client.post(LOGIN_PATH, json={"login_id": login_id, "password": password})


def _without_request_id(response: httpx.Response) -> dict:
    body = response.json()
    body.pop("request_id")
    return body


@pytest.fixture
def alice(transactional_db):
    UserFactory(username="root")
    return UserFactory(username="alice", email="alice@example.com")


def test_a_lockout_reached_by_username_holds_for_every_name_of_the_account(live_daphne, alice):
    bob = UserFactory(username="bob")
    with httpx.Client(base_url=live_daphne.url, timeout=10) as client:
        for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
            assert _sign_in(client, "alice", "wrong-password").status_code == 401

        # The right password, by every name the account answers to: all refused.
        for name in ("alice", "alice@example.com", "ALICE", "  Alice ", "Alice@Example.COM"):
            refused = _sign_in(client, name, PASSWORD)
            assert refused.status_code == 429, (name, refused.text)
            assert refused.json()["id"] == LOCKED_ID
            assert "Token" not in refused.headers
        assert _sign_in(client, bob.username, PASSWORD).status_code == 200


def test_a_locked_unknown_name_answers_like_a_locked_account(live_daphne, alice):
    with httpx.Client(base_url=live_daphne.url, timeout=10) as client:
        for name in ("alice", "nobody-here"):
            for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
                assert _sign_in(client, name, "wrong-password").status_code == 401
        locked_account = _sign_in(client, "alice", PASSWORD)
        locked_unknown = _sign_in(client, "nobody-here", PASSWORD)
        # Probing unknown names is limited per name, not only per address.
        fresh_unknown = _sign_in(client, "someone-else", "wrong-password")

    assert locked_account.status_code == locked_unknown.status_code == 429
    assert _without_request_id(locked_account) == _without_request_id(locked_unknown)
    assert fresh_unknown.status_code == 401


@pytest.fixture
def production_hashers(settings):
    """The project's own hashers (argon2 first) instead of the suite's MD5.

    Set before the live server starts: DaphneProcess forks, so the child inherits these
    settings."""
    assert base_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS


@pytest.fixture
def argon2_daphne(production_hashers, live_daphne):
    return live_daphne


def test_an_unknown_name_fails_as_slowly_as_a_wrong_password(production_hashers, argon2_daphne):
    UserFactory(username="root")
    carol = UserFactory(username="carol")
    assert carol.password.startswith("argon2$")
    attempts = LOGIN_FAILURES_PER_ACCOUNT - 2  # stay below the lockout of either
    unknown_times, known_times = [], []
    with httpx.Client(base_url=argon2_daphne.url, timeout=30) as client:
        assert client.get("/api/v4/system/ping").status_code == 200
        for _ in range(attempts):
            # Interleaved, so that load from elsewhere falls on both alike.
            for login_id, times in (("nobody-here", unknown_times), ("carol", known_times)):
                started = time.perf_counter()
                assert _sign_in(client, login_id, "wrong-password").status_code == 401
                times.append(time.perf_counter() - started)
        # The server really checks argon2 hashes: with only MD5 it could not verify carol's.
        assert _sign_in(client, "carol", PASSWORD).status_code == 200

    ratio = statistics.median(unknown_times) / statistics.median(known_times)
    assert 0.5 < ratio < 2, (unknown_times, known_times)
