"""session_login: what a failed sign-in costs, and what the lockout is keyed on."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache

from apps.accounts.services.bots import bot_create
from apps.accounts.services.sessions import (
    LOGIN_FAILURES_PER_ACCOUNT,
    session_login,
    user_set_password,
)
from apps.accounts.services.users import user_deactivate
from apps.core.errors import NotAuthenticated, TooManyRequests

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in failures are counted in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password_hashes(settings, monkeypatch) -> list[str]:
    """Every password hash computed, as a list of the passwords hashed.

    MD5PasswordHasher checks a password by encoding it again, so its `encode` runs once
    per hash made (`make_password`) and once per hash checked (`check_password`)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashed: list[str] = []
    encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    return hashed


def _fail(login_id: str, password: str = "wrong-password", address: str = "10.0.0.1") -> None:
    with pytest.raises(NotAuthenticated) as failed:
        session_login(login_id=login_id, password=password, address=address)
    assert failed.value.error_id == "api.user.login.invalid_credentials_email_username"


@pytest.mark.parametrize("who", ["unknown", "known", "deactivated", "bot"])
def test_every_failed_sign_in_hashes_the_password_once(who, admin, alice, password_hashes):
    login_id = {
        "unknown": lambda: "nobody-here",
        "known": lambda: alice.username,
        "deactivated": lambda: user_deactivate(actor=admin, user=alice).username,
        "bot": lambda: bot_create(actor=admin, username="robot").user.username,
    }[who]()
    password_hashes.clear()

    _fail(login_id)

    assert len(password_hashes) == 1, password_hashes


def test_a_locked_sign_in_hashes_nothing_whether_or_not_the_account_exists(alice, password_hashes):
    for login_id in (alice.username, "nobody-here"):
        for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
            _fail(login_id)
    password_hashes.clear()

    for login_id in (alice.username, "nobody-here"):
        with pytest.raises(TooManyRequests):
            session_login(login_id=login_id, password="wrong-password", address="10.0.0.2")

    assert password_hashes == []


def test_the_lockout_is_on_the_account_whatever_name_reached_it(alice, bob, password):
    names = [alice.email, alice.username.upper(), f" {alice.email.title()} "]
    for attempt in range(LOGIN_FAILURES_PER_ACCOUNT):
        _fail(names[attempt % len(names)], address=f"10.0.1.{attempt}")

    for login_id in (alice.username, alice.email, "ALICE"):
        with pytest.raises(TooManyRequests) as refused:
            session_login(login_id=login_id, password=password, address="10.0.2.1")
        assert refused.value.error_id == "api.user.login.rate_limited.app_error"
    assert session_login(login_id=bob.username, password=password)[0] == bob


def test_unknown_names_are_limited_per_name_in_any_case(alice, password):
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        _fail("nobody-here")

    with pytest.raises(TooManyRequests):
        session_login(login_id=" NOBODY-HERE ", password=password, address="10.0.2.1")
    _fail("nobody-else", address="10.0.2.1")
    assert session_login(login_id=alice.username, password=password)[0] == alice


def test_a_new_password_set_by_an_admin_unlocks_the_account(admin, alice):
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        _fail(alice.username)
    with pytest.raises(TooManyRequests):
        session_login(login_id=alice.email, password="wrong-password")

    user_set_password(actor=admin, user=alice, new_password="Fresh-Start-42")

    assert session_login(login_id=alice.email, password="Fresh-Start-42")[0] == alice


def test_a_successful_sign_in_clears_the_accounts_failures(alice, password):
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT - 1):
        _fail(alice.email)
    session_login(login_id=alice.username, password=password)

    for _ in range(LOGIN_FAILURES_PER_ACCOUNT - 1):
        _fail(alice.username)
    assert session_login(login_id=alice.email, password=password)[0] == alice
