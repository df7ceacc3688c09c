"""Username and e-mail rules shared by every way an account is created or renamed."""

import pytest

from apps.accounts.validators import (
    RESERVED_USERNAMES,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    clean_email,
    clean_username,
)
from apps.core.errors import InvalidInput


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("alice", "alice"),
        ("Alice", "alice"),
        ("  BOB.smith  ", "bob.smith"),
        ("a-b_c.d", "a-b_c.d"),
        ("x1", None),
        ("a" * USERNAME_MIN_LENGTH, "a" * USERNAME_MIN_LENGTH),
        ("a" * USERNAME_MAX_LENGTH, "a" * USERNAME_MAX_LENGTH),
        ("a" * (USERNAME_MAX_LENGTH + 1), None),
        ("9lives", None),
        ("-dash", None),
        ("space name", None),
        ("semi;colon", None),
        ("ümlaut", None),
        ("", None),
        (None, None),
        (["alice"], None),
    ],
)
def test_clean_username_lowercases_valid_names_and_refuses_the_rest(raw, expected):
    if expected is None:
        with pytest.raises(InvalidInput) as exc:
            clean_username(raw)
        assert exc.value.error_id == "model.user.is_valid.username.app_error"
    else:
        assert clean_username(raw) == expected


@pytest.mark.parametrize("name", sorted(RESERVED_USERNAMES))
def test_reserved_usernames_are_refused_in_any_case(name):
    for variant in (name, name.upper(), name.capitalize()):
        with pytest.raises(InvalidInput, match="reserved"):
            clean_username(variant)


def test_mention_words_are_reserved():
    assert {"all", "channel", "here"} <= RESERVED_USERNAMES


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice@Example.COM ", "alice@example.com"),
        ("a+tag@sub.example.org", "a+tag@sub.example.org"),
    ],
)
def test_clean_email_normalises_valid_addresses(raw, expected):
    assert clean_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plain",
        "a@",
        "@example.com",
        "a b@example.com",
        None,
        42,
        "a" * 60 + "@" + "b" * 60 + ".example.com",
    ],
)
def test_clean_email_refuses_invalid_addresses(raw):
    with pytest.raises(InvalidInput) as exc:
        clean_email(raw)

    assert exc.value.error_id == "model.user.is_valid.email.app_error"
