"""Account reads: lookups by id and name, preferences and presence."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.models import STATUS_DND, STATUS_OFFLINE, STATUS_ONLINE
from apps.accounts.selectors import (
    online_user_ids,
    preference_list,
    status_get,
    user_get,
    user_get_by_username,
    user_list_by_ids,
)
from apps.accounts.services.preferences import preference_save
from apps.accounts.services.users import user_deactivate
from apps.core.errors import NotAuthenticated, NotFound
from apps.core.ids import new_id
from apps.realtime.services import user_status_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_prefs(alice):
    preference_save(
        actor=alice,
        user=alice,
        preferences=[
            {"category": "theme", "name": "default", "value": "{}"},
            {"category": "display_settings", "name": "use_military_time", "value": "true"},
            {"category": "display_settings", "name": "colorize_usernames", "value": "false"},
        ],
    )
    return alice


def test_user_get_finds_any_account_by_id(alice, bob):
    assert user_get(actor=alice, user_id=bob.id) == bob


@pytest.mark.parametrize(
    "user_id", ["ybndrfg8ejkmcpqxot1uwisza3", "short", "", "x" * 26 + "!", None]
)
def test_user_get_answers_not_found_for_unknown_or_malformed_ids(alice, user_id):
    with pytest.raises(NotFound) as exc:
        user_get(actor=alice, user_id=user_id)

    assert exc.value.error_id == "app.user.missing_account.const"


def test_user_get_still_finds_deactivated_accounts(admin, bob):
    user_deactivate(actor=admin, user=bob)

    found = user_get(actor=admin, user_id=bob.id)

    assert found == bob
    assert not found.is_active


def test_user_get_by_username_ignores_case(alice, bob):
    assert user_get_by_username(actor=alice, username="BoB") == bob


def test_user_get_by_username_answers_not_found_for_unknown_name(alice):
    with pytest.raises(NotFound):
        user_get_by_username(actor=alice, username="nobody")


def test_user_list_by_ids_returns_the_known_ones_and_skips_malformed_ids(admin, alice, bob):
    found = user_list_by_ids(actor=alice, user_ids=[bob.id, admin.id, new_id(), "bad-id"])

    assert set(found) == {admin, bob}


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, other: user_get(actor=actor, user_id=other.id),
        lambda actor, other: user_get_by_username(actor=actor, username=other.username),
        lambda actor, other: user_list_by_ids(actor=actor, user_ids=[other.id]),
        lambda actor, other: preference_list(actor=actor, user=actor),
        lambda actor, other: status_get(actor=actor, user=other),
    ],
    ids=["user_get", "user_get_by_username", "user_list_by_ids", "preference_list", "status"],
)
def test_selectors_refuse_deactivated_and_anonymous_actors(alice, bob, call):
    user_deactivate(actor=alice, user=alice)
    alice.refresh_from_db()

    with pytest.raises(NotAuthenticated):
        call(alice, bob)
    with pytest.raises(NotAuthenticated):
        call(AnonymousUser(), bob)


def test_preference_list_returns_own_preferences_in_order(alice_prefs):
    prefs = preference_list(actor=alice_prefs, user=alice_prefs)

    assert [(p.category, p.name, p.value) for p in prefs] == [
        ("display_settings", "colorize_usernames", "false"),
        ("display_settings", "use_military_time", "true"),
        ("theme", "default", "{}"),
    ]


def test_preference_list_filters_by_category(alice_prefs):
    prefs = preference_list(actor=alice_prefs, user=alice_prefs, category="theme")

    assert [(p.category, p.name) for p in prefs] == [("theme", "default")]


def test_preference_list_of_another_user_is_not_found(alice_prefs, bob):
    with pytest.raises(NotFound):
        preference_list(actor=bob, user=alice_prefs)


def test_system_admin_can_list_another_users_preferences(admin, alice_prefs):
    assert preference_list(actor=admin, user=alice_prefs).count() == 3


def test_preference_list_does_not_leak_other_users_preferences(alice_prefs, bob):
    preference_save(actor=bob, user=bob, preferences=[{"category": "theme", "name": "default"}])

    assert {p.user_id for p in preference_list(actor=alice_prefs, user=alice_prefs)} == {
        alice_prefs.id
    }


def test_status_of_a_user_without_presence_is_offline(alice, bob):
    assert status_get(actor=alice, user=bob) == {
        "user_id": bob.id,
        "status": STATUS_OFFLINE,
        "manual": False,
        "last_activity_at": 0,
        "dnd_end_time": 0,
    }


def test_status_get_reports_the_stored_presence(alice, bob):
    user_status_set(actor=bob, user=bob, status=STATUS_DND)

    status = status_get(actor=alice, user=bob)

    assert (status["status"], status["manual"]) == (STATUS_DND, True)
    assert status["last_activity_at"] > 0


def test_online_user_ids_picks_only_online_users(admin, alice, bob):
    user_status_set(actor=alice, user=alice, status=STATUS_ONLINE)
    user_status_set(actor=bob, user=bob, status=STATUS_DND)

    assert online_user_ids([admin.id, alice.id, bob.id]) == {alice.id}
    assert online_user_ids([bob.id]) == set()
