"""Presence writes (apps.realtime.services): the status a user sets, who may set it, and
who hears of it."""

import pytest

from apps.accounts.models import (
    STATUS_AWAY,
    STATUS_DND,
    STATUS_OFFLINE,
    STATUS_ONLINE,
    Status,
    User,
)
from apps.accounts.services.users import user_deactivate
from apps.core.errors import InvalidInput, NotAuthenticated, PermissionDenied
from apps.realtime.publish import Broadcast
from apps.realtime.services import status_set_automatic, user_status_set
from apps.teams.services import team_member_add, team_member_remove
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db) -> User:
    """The first account, so the system admin."""
    return UserFactory(username="root")


@pytest.fixture
def alice(admin) -> User:
    return UserFactory(username="alice")


@pytest.fixture
def bob(admin) -> User:
    return UserFactory(username="bob")


def test_user_sets_own_status_and_own_sessions_are_told(alice, capture_events):
    with capture_events() as events:
        row = user_status_set(actor=alice, user=alice, status=STATUS_DND)

    assert (row.status, row.manual) == (STATUS_DND, True)
    assert row.last_activity_at > 0
    assert Status.objects.get(user=alice).status == STATUS_DND
    [event] = events.named("status_change")
    assert event.data == {"status": STATUS_DND, "user_id": alice.id}
    assert event.broadcast == Broadcast(user_id=alice.id)


def test_status_set_replaces_the_previous_status(alice):
    user_status_set(actor=alice, user=alice, status=STATUS_DND)

    user_status_set(actor=alice, user=alice, status=STATUS_AWAY, manual=False)

    row = Status.objects.get(user=alice)
    assert (row.status, row.manual) == (STATUS_AWAY, False)
    assert Status.objects.count() == 1


@pytest.mark.parametrize("status", ["busy", "", "ONLINE", None])
def test_unknown_status_is_refused(alice, status, capture_events):
    with capture_events() as events, pytest.raises(InvalidInput):
        user_status_set(actor=alice, user=alice, status=status)

    assert not Status.objects.exists()
    assert events == []


def test_user_cannot_set_another_users_status(alice, bob):
    with pytest.raises(PermissionDenied):
        user_status_set(actor=alice, user=bob, status=STATUS_ONLINE)

    assert not Status.objects.filter(user=bob).exists()


def test_system_admin_can_set_another_users_status(admin, bob):
    user_status_set(actor=admin, user=bob, status=STATUS_AWAY)

    assert Status.objects.get(user=bob).status == STATUS_AWAY


def test_a_deactivated_user_cannot_set_a_status(admin, alice):
    user_deactivate(actor=admin, user=alice)
    alice.refresh_from_db()

    with pytest.raises(NotAuthenticated):
        user_status_set(actor=alice, user=alice, status=STATUS_ONLINE)


def _audiences(events) -> set[Broadcast]:
    return {e.broadcast for e in events.named("status_change")}


@pytest.mark.parametrize("status", [STATUS_DND, STATUS_AWAY, STATUS_OFFLINE, STATUS_ONLINE])
def test_a_chosen_status_is_heard_by_the_users_teams(alice, bob, status, capture_events):
    """As an observed change is: the teammates' sidebars follow without a reload."""
    first, second, left = (make_team(bob, name=n) for n in ("first", "second", "left"))
    for team in (first, second, left):
        team_member_add(actor=alice, team_id=team.id, user_id=alice.id)
    team_member_remove(actor=alice, team_id=left.id, user_id=alice.id)

    with capture_events() as events:
        user_status_set(actor=alice, user=alice, status=status)

    assert {e.data["status"] for e in events.named("status_change")} == {status}
    assert _audiences(events) == {
        Broadcast(user_id=alice.id),
        Broadcast(team_id=first.id, omit_users=frozenset({alice.id})),
        Broadcast(team_id=second.id, omit_users=frozenset({alice.id})),
    }


def test_chosen_and_observed_changes_reach_the_same_audience(alice, bob, capture_events):
    team = make_team(bob)
    team_member_add(actor=alice, team_id=team.id, user_id=alice.id)

    with capture_events() as observed:
        status_set_automatic(user_id=alice.id, status=STATUS_ONLINE, team_ids=[team.id])
    with capture_events() as chosen:
        user_status_set(actor=alice, user=alice, status=STATUS_DND)

    assert _audiences(chosen) == _audiences(observed)
