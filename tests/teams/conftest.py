"""Actors and teams for the teams tests.

`admin` is made first, so it is the system admin; everyone else is a regular user.
`owner` creates both teams and so is their team admin; `member` has joined the open
team and been added to the invite-only one; `outsider` belongs to neither.
"""

import pytest

from apps.accounts.models import User
from apps.teams.models import TEAM_INVITE, Team
from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_team


@pytest.fixture
def admin(db) -> User:
    return UserFactory(username="root")


@pytest.fixture
def owner(admin) -> User:
    return UserFactory(username="owner")


@pytest.fixture
def member(admin) -> User:
    return UserFactory(username="member")


@pytest.fixture
def outsider(admin) -> User:
    return UserFactory(username="outsider")


@pytest.fixture
def team(owner, member) -> Team:
    """An open team of `owner` (team admin) and `member`."""
    team = make_team(owner, name="acme", display_name="Acme")
    team_member_add(actor=owner, team_id=team.id, user_id=member.id)
    return team


@pytest.fixture
def private_team(owner, member) -> Team:
    """An invite-only team of `owner` (team admin) and `member`."""
    team = make_team(owner, name="secret", display_name="Secret", team_type=TEAM_INVITE)
    team_member_add(actor=owner, team_id=team.id, user_id=member.id)
    return team
