"""Actors for the accounts tests.

The first account on a server becomes its system admin, so `admin` is always made
before the regular users that depend on it.
"""

import pytest

from apps.accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def password() -> str:
    """The password every factory-made user has."""
    return UserFactory.password


@pytest.fixture
def admin(db) -> User:
    return UserFactory(username="root")


@pytest.fixture
def alice(admin) -> User:
    return UserFactory(username="alice")


@pytest.fixture
def bob(admin) -> User:
    return UserFactory(username="bob")
