"""Account writes: creation, profile, password, deactivation, roles, preferences."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import (
    ROLE_SYSTEM_ADMIN,
    ROLE_SYSTEM_USER,
    STATUS_DND,
    STATUS_OFFLINE,
    Preference,
    Status,
    User,
)
from apps.accounts.services.preferences import preference_delete, preference_save
from apps.accounts.services.sessions import session_purge_expired, user_set_password
from apps.accounts.services.users import (
    user_activate,
    user_create,
    user_create_by_operator,
    user_deactivate,
    user_update_profile,
    user_update_roles,
)
from apps.accounts.tasks import session_purge_expired_task
from apps.core.errors import AlreadyExists, InvalidInput, NotAuthenticated, PermissionDenied
from apps.realtime.publish import Broadcast
from apps.realtime.services import user_status_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _create(username: str = "carol", email: str | None = None, **kwargs) -> User:
    kwargs.setdefault("password", UserFactory.password)
    if email is None:
        email = f"{username}@example.com"
    return user_create(username=username, email=email, **kwargs)


def _create_admin(username: str) -> User:
    """A later system admin, made the way the server operator makes one."""
    return user_create_by_operator(
        username=username,
        email=f"{username}@example.com",
        password=UserFactory.password,
        system_admin=True,
    )


def _snapshot() -> list[tuple]:
    """Every account row as it stands, to prove a refused write changed nothing."""
    return list(User.objects.order_by("id").values_list("id", "username", "email", "roles"))


# --- user_create ------------------------------------------------------------------------------


def test_first_user_becomes_system_admin_and_second_does_not():
    first = _create("first")
    second = _create("second")

    assert first.is_system_admin
    assert first.role_list == [ROLE_SYSTEM_USER, ROLE_SYSTEM_ADMIN]
    assert not second.is_system_admin
    assert second.role_list == [ROLE_SYSTEM_USER]


def test_first_user_stays_admin_after_more_users_arrive(admin, alice, bob):
    admin.refresh_from_db()
    assert admin.is_system_admin
    assert User.objects.filter(roles__contains=ROLE_SYSTEM_ADMIN).count() == 1


def test_user_create_takes_no_system_admin_flag(admin):
    """Only the first-account rule makes admins here; request input cannot ask for it."""
    before = _snapshot()

    with pytest.raises(TypeError):
        _create("deputy", system_admin=True)

    assert _snapshot() == before


def test_bot_never_becomes_system_admin_even_as_first_account():
    bot = _create("firstbot", password=None, is_bot=True)

    assert bot.is_bot
    assert not bot.is_system_admin


# --- user_create_by_operator ------------------------------------------------------------------


def test_operator_makes_a_later_user_system_admin(admin):
    deputy = _create_admin("deputy")

    deputy.refresh_from_db()
    assert deputy.role_list == [ROLE_SYSTEM_USER, ROLE_SYSTEM_ADMIN]


def test_operator_without_the_flag_makes_a_plain_user(admin):
    user = user_create_by_operator(
        username="plain",
        email="plain@example.com",
        password=UserFactory.password,
        system_admin=False,
    )

    assert user.role_list == [ROLE_SYSTEM_USER]


def test_operator_first_account_is_system_admin_even_without_the_flag():
    user = user_create_by_operator(
        username="first",
        email="first@example.com",
        password=UserFactory.password,
        system_admin=False,
    )

    assert user.is_system_admin


def test_operator_passes_profile_fields_to_user_create(admin):
    user = user_create_by_operator(
        username="Dora",
        email="dora@example.com",
        password=UserFactory.password,
        system_admin=True,
        first_name=" Dora ",
        locale="fr",
    )

    assert (user.username, user.first_name, user.locale) == ("dora", "Dora", "fr")
    assert user.check_password(UserFactory.password)


def test_operator_cannot_make_a_bot_system_admin(admin):
    before = _snapshot()

    with pytest.raises(InvalidInput):
        user_create_by_operator(
            username="adminbot",
            email="adminbot@example.com",
            password=None,
            system_admin=True,
            is_bot=True,
        )

    assert _snapshot() == before


def test_operator_create_is_refused_like_user_create(admin):
    before = _snapshot()

    with pytest.raises(AlreadyExists):
        user_create_by_operator(
            username="root", email="other@example.com", password=None, system_admin=True
        )

    assert _snapshot() == before


def test_first_human_becomes_system_admin_even_after_a_bot():
    _create("firstbot", password=None, is_bot=True)

    assert _create("human").is_system_admin
    assert not _create("second").is_system_admin


def test_user_create_normalises_username_and_email(admin):
    user = _create("  Carol.Smith ", email="  Carol@Example.COM ")

    assert user.username == "carol.smith"
    assert user.email == "carol@example.com"
    assert User.objects.filter(username="carol.smith").exists()


def test_user_create_stores_a_hashed_usable_password(admin, password):
    user = _create("carol")

    assert user.password != password
    assert user.check_password(password)
    assert user.last_password_update == user.create_at


def test_user_create_without_password_leaves_it_unusable(admin):
    user = _create("ldapuser", password=None, auth_service="ldap")

    assert not user.has_usable_password()
    assert user.last_password_update == 0


def test_user_create_publishes_new_user_to_the_new_account(admin, capture_events):
    with capture_events() as events:
        user = _create("carol")

    [event] = events.named("new_user")
    assert event.data == {"user_id": user.id}
    assert event.broadcast == Broadcast(user_id=user.id)


@pytest.mark.parametrize(
    "username",
    [
        "ab",  # too short
        "a" * 23,  # too long
        "",
        "   ",
        "1abc",  # starts with a digit
        "_abc",  # starts with a symbol
        "bad name",
        "bad!name",
        "bad@name",
        "námé",
        "all",
        "channel",
        "here",
        "system",
        "matterbot",
        "ALL",  # reserved once lowercased
        123,
        None,
    ],
)
def test_invalid_username_is_refused_and_nothing_is_created(admin, username):
    before = _snapshot()

    with pytest.raises(InvalidInput) as exc:
        user_create(username=username, email="new@example.com", password=UserFactory.password)

    assert exc.value.error_id == "model.user.is_valid.username.app_error"
    assert exc.value.status_code == 400
    assert _snapshot() == before


@pytest.mark.parametrize("username", ["abc", "a" * 22, "a.b-c_d", "z99"])
def test_usernames_at_the_limits_are_accepted(admin, username):
    assert _create(username).username == username


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@example.com", "a b@example.com"])
def test_invalid_email_is_refused_and_nothing_is_created(admin, email):
    before = _snapshot()

    with pytest.raises(InvalidInput) as exc:
        _create("carol", email=email)

    assert exc.value.error_id == "model.user.is_valid.email.app_error"
    assert _snapshot() == before


def test_duplicate_username_is_refused_whatever_its_case(alice):
    before = _snapshot()

    with pytest.raises(AlreadyExists) as exc:
        _create("ALICE", email="other@example.com")

    assert exc.value.error_id == "app.user.save.username_exists.app_error"
    assert _snapshot() == before


def test_duplicate_email_is_refused_whatever_its_case(alice):
    before = _snapshot()

    with pytest.raises(AlreadyExists) as exc:
        _create("carol", email="Alice@Example.com")

    assert exc.value.error_id == "app.user.save.email_exists.app_error"
    assert _snapshot() == before


@pytest.mark.parametrize(
    "weak",
    [
        "Sh0rt!",  # below the minimum length
        "password",  # common
        "1234567890",  # entirely numeric
        "carolsmith1",  # too close to the username
    ],
)
def test_weak_password_is_refused_and_nothing_is_created(admin, weak):
    before = _snapshot()

    with pytest.raises(InvalidInput) as exc:
        user_create(username="carolsmith", email="carol@example.com", password=weak)

    assert exc.value.error_id == "model.user.is_valid.pwd.app_error"
    assert _snapshot() == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "x" * 65),
        ("last_name", "x" * 65),
        ("nickname", "x" * 65),
        ("locale", "xx"),
    ],
)
def test_user_create_refuses_bad_profile_values_and_creates_nothing(admin, field, value):
    before = _snapshot()

    with pytest.raises(InvalidInput):
        _create("carol", **{field: value})

    assert _snapshot() == before


def test_manager_create_user_goes_through_the_service(admin):
    user = User.objects.create_user("Dave", "Dave@Example.com", UserFactory.password)

    assert (user.username, user.email) == ("dave", "dave@example.com")
    assert not user.is_system_admin
    assert User.objects.get_by_natural_key("DAVE") == user


def test_manager_create_superuser_makes_a_system_admin(admin):
    assert User.objects.create_superuser("boss", "boss@example.com", "Bossy-Pass-9").is_system_admin


def test_manager_create_user_still_validates(admin):
    before = _snapshot()

    with pytest.raises(InvalidInput):
        User.objects.create_user("here", "here@example.com", UserFactory.password)

    assert _snapshot() == before


# --- user_update_profile ----------------------------------------------------------------------


def test_user_updates_own_profile_and_listeners_are_told(alice, capture_events):
    with capture_events() as events:
        user_update_profile(
            actor=alice,
            user=alice,
            data={"nickname": " Al ", "first_name": "Alice", "position": "Boss", "locale": "fr"},
        )

    alice.refresh_from_db()
    assert (alice.nickname, alice.first_name, alice.position, alice.locale) == (
        "Al",
        "Alice",
        "Boss",
        "fr",
    )
    [event] = events.named("user_updated")
    assert event.data == {"user_id": alice.id}
    assert event.broadcast == Broadcast(user_id=alice.id)


def test_profile_update_without_changes_publishes_nothing(alice, capture_events):
    with capture_events() as events:
        user_update_profile(actor=alice, user=alice, data={"nickname": alice.nickname})

    assert events.named("user_updated") == []


def test_profile_update_refuses_unknown_fields_and_changes_nothing(alice):
    with pytest.raises(InvalidInput, match="roles"):
        user_update_profile(
            actor=alice, user=alice, data={"nickname": "Al", "roles": ROLE_SYSTEM_ADMIN}
        )

    alice.refresh_from_db()
    assert alice.nickname == ""
    assert not alice.is_system_admin


def test_user_cannot_update_another_users_profile(alice, bob):
    with pytest.raises(PermissionDenied):
        user_update_profile(actor=alice, user=bob, data={"nickname": "Bobby"})

    bob.refresh_from_db()
    assert bob.nickname == ""


def test_system_admin_can_update_another_users_profile(admin, bob):
    user_update_profile(actor=admin, user=bob, data={"nickname": "Bobby", "email": "b@corp.org"})

    bob.refresh_from_db()
    assert (bob.nickname, bob.email) == ("Bobby", "b@corp.org")


def test_profile_update_renames_with_the_username_rules(alice):
    user_update_profile(actor=alice, user=alice, data={"username": "Alice.B"})

    alice.refresh_from_db()
    assert alice.username == "alice.b"


@pytest.mark.parametrize("username", ["here", "1alice", "al", "al ice"])
def test_profile_update_refuses_invalid_usernames(alice, username):
    with pytest.raises(InvalidInput):
        user_update_profile(actor=alice, user=alice, data={"username": username})

    alice.refresh_from_db()
    assert alice.username == "alice"


def test_profile_update_keeping_own_username_is_allowed(alice):
    user_update_profile(actor=alice, user=alice, data={"username": "ALICE", "nickname": "A"})

    alice.refresh_from_db()
    assert (alice.username, alice.nickname) == ("alice", "A")


def test_profile_update_refuses_a_taken_username_or_email(alice, bob):
    with pytest.raises(AlreadyExists):
        user_update_profile(actor=alice, user=alice, data={"username": "Bob"})
    with pytest.raises(AlreadyExists):
        user_update_profile(actor=alice, user=alice, data={"email": "BOB@example.com"})

    alice.refresh_from_db()
    assert (alice.username, alice.email) == ("alice", "alice@example.com")


@pytest.mark.parametrize(
    "data",
    [
        {"nickname": "x" * 65},
        {"position": "x" * 129},
        {"locale": "klingon"},
        {"email": "nope"},
        {"first_name": 42},
        {"nickname": ["A"]},
        {"timezone": "UTC"},
        {"timezone": {"manualTimezone": 5}},
        {"notify_props": {"email": "x" * 1001}},
    ],
)
def test_profile_update_refuses_bad_values_and_changes_nothing(alice, data):
    before = User.objects.filter(id=alice.id).values().get()

    with pytest.raises(InvalidInput):
        user_update_profile(actor=alice, user=alice, data=data)

    assert User.objects.filter(id=alice.id).values().get() == before


def test_profile_update_merges_timezone_and_notify_props(alice):
    user_update_profile(
        actor=alice,
        user=alice,
        data={"timezone": {"manualTimezone": "Europe/Paris"}, "notify_props": {"push": "all"}},
    )

    alice.refresh_from_db()
    assert alice.timezone["manualTimezone"] == "Europe/Paris"
    assert alice.timezone["useAutomaticTimezone"] == "true"
    assert alice.notify_props["push"] == "all"
    assert alice.notify_props["email"] == "true"


def test_changing_email_marks_it_unverified(alice):
    User.objects.filter(id=alice.id).update(email_verified=True)
    alice.refresh_from_db()

    user_update_profile(actor=alice, user=alice, data={"email": "alice@elsewhere.org"})

    alice.refresh_from_db()
    assert alice.email == "alice@elsewhere.org"
    assert not alice.email_verified


def test_restating_the_same_email_keeps_it_verified(alice):
    User.objects.filter(id=alice.id).update(email_verified=True)
    alice.refresh_from_db()

    user_update_profile(actor=alice, user=alice, data={"email": " ALICE@example.com "})

    alice.refresh_from_db()
    assert alice.email_verified


# --- user_set_password ------------------------------------------------------------------------


def test_user_changes_own_password_with_the_current_one(alice, password):
    old_hash = alice.get_session_auth_hash()
    old_update = alice.last_password_update

    user_set_password(
        actor=alice, user=alice, current_password=password, new_password="Brand-New-Pass-42"
    )

    alice.refresh_from_db()
    assert alice.check_password("Brand-New-Pass-42")
    assert not alice.check_password(password)
    assert alice.last_password_update >= old_update
    assert alice.get_session_auth_hash() != old_hash


@pytest.mark.parametrize("current", ["wrong-password", "", None])
def test_password_change_with_wrong_current_password_is_refused(alice, password, current):
    with pytest.raises(InvalidInput) as exc:
        user_set_password(
            actor=alice, user=alice, current_password=current, new_password="Brand-New-Pass-42"
        )

    assert exc.value.error_id == "api.user.check_user_password.invalid.app_error"
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_password_change_refuses_a_weak_new_password(alice, password):
    with pytest.raises(InvalidInput) as exc:
        user_set_password(actor=alice, user=alice, current_password=password, new_password="abc")

    assert exc.value.error_id == "model.user.is_valid.pwd.app_error"
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_system_admin_resets_another_password_without_knowing_it(admin, bob):
    user_set_password(actor=admin, user=bob, new_password="Reset-By-Admin-1")

    bob.refresh_from_db()
    assert bob.check_password("Reset-By-Admin-1")


def test_system_admin_still_needs_current_password_for_own_account(admin, password):
    with pytest.raises(InvalidInput):
        user_set_password(actor=admin, user=admin, new_password="Brand-New-Pass-42")

    admin.refresh_from_db()
    assert admin.check_password(password)


def test_user_cannot_set_another_users_password(alice, bob, password):
    with pytest.raises(PermissionDenied):
        user_set_password(
            actor=alice, user=bob, current_password=password, new_password="Brand-New-Pass-42"
        )

    bob.refresh_from_db()
    assert bob.check_password(password)


# --- user_deactivate / user_activate ----------------------------------------------------------


def test_user_can_deactivate_themselves(alice, capture_events):
    with capture_events() as events:
        user_deactivate(actor=alice, user=alice)

    alice.refresh_from_db()
    assert not alice.is_active
    assert alice.delete_at > 0
    assert alice.update_at == alice.delete_at
    assert [e.data for e in events.named("user_updated")] == [{"user_id": alice.id}]


def test_system_admin_can_deactivate_another_user(admin, bob):
    user_deactivate(actor=admin, user=bob)

    bob.refresh_from_db()
    assert not bob.is_active


def test_user_cannot_deactivate_another_user(alice, bob):
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=alice, user=bob)

    bob.refresh_from_db()
    assert bob.is_active


def test_last_active_system_admin_cannot_be_deactivated(admin, alice):
    with pytest.raises(InvalidInput):
        user_deactivate(actor=admin, user=admin)

    admin.refresh_from_db()
    assert admin.is_active


def test_system_admin_can_leave_when_another_admin_remains(admin):
    deputy = _create_admin("deputy")

    user_deactivate(actor=admin, user=admin)

    admin.refresh_from_db()
    assert not admin.is_active
    deputy.refresh_from_db()
    assert deputy.is_active


def test_deactivated_admins_do_not_count_towards_the_last_admin_rule(admin):
    deputy = _create_admin("deputy")
    user_deactivate(actor=admin, user=deputy)

    with pytest.raises(InvalidInput):
        user_deactivate(actor=admin, user=admin)


def test_deactivation_changes_the_session_auth_hash(alice):
    before = alice.get_session_auth_hash()

    user_deactivate(actor=alice, user=alice)

    alice.refresh_from_db()
    assert alice.get_session_auth_hash() != before


def test_deactivation_ends_existing_browser_sessions(alice):
    client = Client()
    client.force_login(alice)
    request = HttpRequest()
    request.session = client.session
    assert get_user(request) == alice

    user_deactivate(actor=alice, user=alice)

    request.session = client.session
    assert isinstance(get_user(request), AnonymousUser)


def test_reactivation_does_not_revive_sessions_from_before_deactivation(admin, bob):
    client = Client()
    client.force_login(bob)

    user_deactivate(actor=admin, user=bob)
    user_activate(actor=admin, user=bob)

    request = HttpRequest()
    request.session = client.session
    assert isinstance(get_user(request), AnonymousUser)


def test_deactivation_tells_the_user_they_are_offline(alice, capture_events):
    user_status_set(actor=alice, user=alice, status=STATUS_DND)

    with capture_events() as events:
        user_deactivate(actor=alice, user=alice)

    [event] = events.named("status_change")
    assert event.data == {"status": STATUS_OFFLINE, "user_id": alice.id}


def test_deactivation_sets_presence_offline(alice):
    user_status_set(actor=alice, user=alice, status=STATUS_DND)

    user_deactivate(actor=alice, user=alice)

    row = Status.objects.get(user=alice)
    assert (row.status, row.manual) == (STATUS_OFFLINE, False)


def test_deactivating_an_inactive_user_changes_nothing(admin, bob, capture_events):
    user_deactivate(actor=admin, user=bob)
    bob.refresh_from_db()
    delete_at = bob.delete_at

    with capture_events() as events:
        user_deactivate(actor=admin, user=bob)

    bob.refresh_from_db()
    assert bob.delete_at == delete_at
    assert events == []


@pytest.mark.parametrize(
    "action",
    [
        lambda u, other: user_update_profile(actor=u, user=u, data={"nickname": "x"}),
        lambda u, other: user_set_password(
            actor=u, user=u, current_password=UserFactory.password, new_password="Brand-New-42x"
        ),
        lambda u, other: user_deactivate(actor=u, user=u),
        lambda u, other: preference_save(
            actor=u, user=u, preferences=[{"category": "c", "name": "n", "value": "v"}]
        ),
        lambda u, other: preference_delete(
            actor=u, user=u, preferences=[{"category": "c", "name": "n"}]
        ),
        lambda u, other: user_activate(actor=u, user=other),
        lambda u, other: user_update_roles(actor=u, user=other, roles=[ROLE_SYSTEM_USER]),
    ],
    ids=[
        "update_profile",
        "set_password",
        "deactivate",
        "preference_save",
        "preference_delete",
        "activate",
        "update_roles",
    ],
)
def test_deactivated_user_actions_raise_not_authenticated(admin, bob, action):
    deputy = _create_admin("deputy")
    user_deactivate(actor=admin, user=deputy)
    deputy.refresh_from_db()

    with pytest.raises(NotAuthenticated):
        action(deputy, bob)


def test_anonymous_actor_is_not_authenticated(alice):
    with pytest.raises(NotAuthenticated):
        user_update_profile(actor=AnonymousUser(), user=alice, data={"nickname": "x"})


def test_system_admin_reactivates_a_user(admin, bob, capture_events):
    user_deactivate(actor=admin, user=bob)

    with capture_events() as events:
        user_activate(actor=admin, user=bob)

    bob.refresh_from_db()
    assert bob.is_active
    assert bob.delete_at == 0
    assert [e.data for e in events.named("user_updated")] == [{"user_id": bob.id}]


def test_user_cannot_activate_another_user(admin, alice, bob):
    user_deactivate(actor=admin, user=bob)

    with pytest.raises(PermissionDenied):
        user_activate(actor=alice, user=bob)

    bob.refresh_from_db()
    assert not bob.is_active


def test_activating_an_active_user_publishes_nothing(admin, bob, capture_events):
    with capture_events() as events:
        user_activate(actor=admin, user=bob)

    assert bob.is_active
    assert events == []


# --- user_update_roles ------------------------------------------------------------------------


def test_system_admin_grants_the_system_admin_role(admin, bob, capture_events):
    with capture_events() as events:
        user_update_roles(actor=admin, user=bob, roles=[ROLE_SYSTEM_USER, ROLE_SYSTEM_ADMIN])

    bob.refresh_from_db()
    assert bob.is_system_admin
    assert [e.data for e in events.named("user_updated")] == [{"user_id": bob.id}]


def test_setting_the_roles_a_user_already_has_publishes_nothing(admin, bob, capture_events):
    with capture_events() as events:
        user_update_roles(actor=admin, user=bob, roles=[ROLE_SYSTEM_USER])

    bob.refresh_from_db()
    assert bob.roles == ROLE_SYSTEM_USER
    assert events == []


def test_system_user_role_is_always_kept_and_duplicates_collapse(admin, bob):
    user_update_roles(actor=admin, user=bob, roles=[ROLE_SYSTEM_ADMIN, ROLE_SYSTEM_ADMIN, ""])

    bob.refresh_from_db()
    assert bob.roles == f"{ROLE_SYSTEM_USER} {ROLE_SYSTEM_ADMIN}"


def test_roles_may_be_given_as_mattermosts_space_separated_string(admin, bob):
    user_update_roles(actor=admin, user=bob, roles="system_user system_admin")

    bob.refresh_from_db()
    assert bob.is_system_admin


def test_regular_user_cannot_change_roles(alice, bob):
    with pytest.raises(PermissionDenied):
        user_update_roles(actor=alice, user=alice, roles=[ROLE_SYSTEM_ADMIN])

    alice.refresh_from_db()
    assert not alice.is_system_admin


def test_unknown_role_is_refused(admin, bob):
    with pytest.raises(InvalidInput, match="team_admin"):
        user_update_roles(actor=admin, user=bob, roles=[ROLE_SYSTEM_ADMIN, "team_admin"])

    bob.refresh_from_db()
    assert bob.roles == ROLE_SYSTEM_USER


def test_last_system_admin_cannot_lose_the_role(admin):
    with pytest.raises(InvalidInput):
        user_update_roles(actor=admin, user=admin, roles=[ROLE_SYSTEM_USER])

    admin.refresh_from_db()
    assert admin.is_system_admin


def test_system_admin_role_can_be_removed_while_another_admin_remains(admin, bob):
    user_update_roles(actor=admin, user=bob, roles=[ROLE_SYSTEM_ADMIN])

    user_update_roles(actor=bob, user=admin, roles=[ROLE_SYSTEM_USER])

    admin.refresh_from_db()
    assert not admin.is_system_admin


def test_bot_cannot_become_system_admin(admin):
    bot = _create("helperbot", password=None, is_bot=True)

    with pytest.raises(InvalidInput):
        user_update_roles(actor=admin, user=bot, roles=[ROLE_SYSTEM_ADMIN])

    bot.refresh_from_db()
    assert bot.roles == ROLE_SYSTEM_USER


# --- session_purge_expired --------------------------------------------------------------------


def _session(key: str, *, expires_in: timedelta) -> Session:
    return Session.objects.create(
        session_key=key, session_data="", expire_date=timezone.now() + expires_in
    )


def test_session_purge_removes_only_expired_sessions():
    _session("expired1", expires_in=-timedelta(days=1))
    _session("expired2", expires_in=-timedelta(seconds=1))
    _session("fresh", expires_in=timedelta(days=1))

    assert session_purge_expired() == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == ["fresh"]


def test_session_purge_task_runs_the_service():
    _session("expired", expires_in=-timedelta(hours=1))
    _session("fresh", expires_in=timedelta(hours=1))

    assert session_purge_expired_task.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["fresh"]


# --- preferences ------------------------------------------------------------------------------


def _prefs(user: User) -> list[tuple[str, str, str]]:
    return list(
        Preference.objects.filter(user=user)
        .order_by("category", "name")
        .values_list("category", "name", "value")
    )


def test_preference_save_inserts_then_replaces(alice, capture_events):
    preference_save(
        actor=alice,
        user=alice,
        preferences=[
            {"category": "display_settings", "name": "use_military_time", "value": "false"},
            {"category": "theme", "name": "default", "value": "{}"},
        ],
    )

    with capture_events() as events:
        preference_save(
            actor=alice,
            user=alice,
            preferences=[
                {
                    "user_id": alice.id,
                    "category": "display_settings",
                    "name": "use_military_time",
                    "value": "true",
                }
            ],
        )

    assert _prefs(alice) == [
        ("display_settings", "use_military_time", "true"),
        ("theme", "default", "{}"),
    ]
    [event] = events.named("preferences_changed")
    assert event.broadcast == Broadcast(user_id=alice.id)
    # A JSON string, as Mattermost sends it.
    assert json.loads(event.data["preferences"]) == [
        {
            "user_id": alice.id,
            "category": "display_settings",
            "name": "use_military_time",
            "value": "true",
        }
    ]
    assert set(event.data) == {"preferences"}


def test_preferences_at_the_length_limits_are_accepted(alice):
    pref = {"category": "c" * 32, "name": "n" * 64, "value": "v" * 2000}

    preference_save(actor=alice, user=alice, preferences=[pref])

    assert _prefs(alice) == [("c" * 32, "n" * 64, "v" * 2000)]


@pytest.mark.parametrize(
    "preferences",
    [
        "theme",
        [{"category": "ok", "name": "ok"}] * 101,
        ["theme"],
        [{"category": "", "name": "n"}],
        [{"category": "c" * 33, "name": "n"}],
        [{"name": "n"}],
        [{"category": "c", "name": ""}],
        [{"category": "c", "name": "n" * 65}],
        [{"category": "c", "name": 7}],
        [{"category": "c", "name": "n", "value": "v" * 2001}],
        [{"category": "c", "name": "n", "value": 1}],
        # One bad entry spoils the whole call: the good one before it is not kept.
        [{"category": "c", "name": "good"}, {"category": "c", "name": ""}],
    ],
)
def test_invalid_preferences_are_refused_and_nothing_is_saved(alice, preferences):
    with pytest.raises(InvalidInput):
        preference_save(actor=alice, user=alice, preferences=preferences)

    assert _prefs(alice) == []


def test_the_theme_of_every_team_has_the_empty_name(alice):
    # As Mattermost's web app stores it; a team's own theme is named by the team id.
    preference_save(
        actor=alice, user=alice, preferences=[{"category": "theme", "name": "", "value": "{}"}]
    )

    assert _prefs(alice) == [("theme", "", "{}")]


def test_preference_for_another_user_id_is_refused(alice, bob):
    with pytest.raises(PermissionDenied):
        preference_save(
            actor=alice,
            user=alice,
            preferences=[{"user_id": bob.id, "category": "c", "name": "n", "value": "v"}],
        )

    assert not Preference.objects.exists()


def test_user_cannot_save_or_delete_another_users_preferences(alice, bob):
    preference_save(actor=bob, user=bob, preferences=[{"category": "c", "name": "n"}])

    with pytest.raises(PermissionDenied):
        preference_save(actor=alice, user=bob, preferences=[{"category": "c", "name": "x"}])
    with pytest.raises(PermissionDenied):
        preference_delete(actor=alice, user=bob, preferences=[{"category": "c", "name": "n"}])

    assert _prefs(bob) == [("c", "n", "")]


def test_system_admin_can_save_another_users_preferences(admin, bob):
    preference_save(actor=admin, user=bob, preferences=[{"category": "c", "name": "n"}])

    assert _prefs(bob) == [("c", "n", "")]


def test_preference_delete_removes_only_the_named_ones(alice, bob, capture_events):
    for user in (alice, bob):
        preference_save(
            actor=user,
            user=user,
            preferences=[{"category": "c", "name": "a"}, {"category": "c", "name": "b"}],
        )

    with capture_events() as events:
        preference_delete(
            actor=alice,
            user=alice,
            preferences=[{"category": "c", "name": "a"}, {"category": "c", "name": "missing"}],
        )

    assert _prefs(alice) == [("c", "b", "")]
    assert _prefs(bob) == [("c", "a", ""), ("c", "b", "")]
    [event] = events.named("preferences_deleted")
    assert event.broadcast == Broadcast(user_id=alice.id)
    assert [p["name"] for p in json.loads(event.data["preferences"])] == ["a", "missing"]


def test_guessing_the_current_password_is_limited_like_sign_in(alice):
    from apps.accounts.services.sessions import LOGIN_FAILURES_PER_ACCOUNT
    from apps.core.errors import TooManyRequests

    for _attempt in range(LOGIN_FAILURES_PER_ACCOUNT):
        with pytest.raises(InvalidInput):
            user_set_password(
                actor=alice, user=alice, current_password="wrong", new_password="Another-7-pass"
            )
    # Past the limit even the right password is refused for a while.
    with pytest.raises(TooManyRequests):
        user_set_password(
            actor=alice,
            user=alice,
            current_password="Correct-Horse-7",
            new_password="Another-7-pass",
        )
