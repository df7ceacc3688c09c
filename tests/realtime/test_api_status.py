"""Presence status over the API: read, set by the user or an admin, and announced."""

import time

import pytest

from apps.core.ids import new_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATUS_KEYS = {"user_id", "status", "manual", "last_activity_at", "dnd_end_time"}


@pytest.fixture
def admin(db):
    return UserFactory(username="root")


@pytest.fixture
def alice(admin):
    return UserFactory(username="alice")


@pytest.fixture
def bob(admin):
    return UserFactory(username="bob")


def test_status_of_a_user_who_never_set_one_is_offline(api_as, alice, bob):
    assert api_as(alice).get(f"users/{bob.id}/status") == {
        "user_id": bob.id,
        "status": "offline",
        "manual": False,
        "last_activity_at": 0,
        "dnd_end_time": 0,
    }


def test_user_sets_own_status_and_their_sessions_hear_of_it(api_as, alice, bob, capture_events):
    as_alice = api_as(alice)

    with capture_events() as events:
        status = as_alice.put("users/me/status", {"user_id": alice.id, "status": "away"})

    assert set(status) == STATUS_KEYS
    assert (status["status"], status["manual"]) == ("away", True)
    assert status["last_activity_at"] > 0
    assert api_as(bob).get(f"users/{alice.id}/status") == status
    [event] = events.named("status_change")
    assert event.data == {"status": "away", "user_id": alice.id}
    assert event.broadcast.user_id == alice.id


def test_do_not_disturb_keeps_its_end_time_in_whole_minutes(api_as, alice):
    as_alice = api_as(alice)
    end = int(time.time()) + 3600 + 17

    dnd = as_alice.put("users/me/status", {"status": "dnd", "dnd_end_time": end})
    online = as_alice.put("users/me/status", {"status": "online", "dnd_end_time": end})

    assert (dnd["status"], dnd["dnd_end_time"]) == ("dnd", end - end % 60)
    assert online["dnd_end_time"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"status": "asleep"},
        {},
        {"status": 1},
        {"status": "dnd", "dnd_end_time": "soon"},
        {"status": "dnd", "dnd_end_time": -5},
        {"user_id": "someoneelse0000000000000000", "status": "away"},
        ["away"],
    ],
)
def test_status_refuses_bad_input(api_as, alice, body):
    as_alice = api_as(alice)

    as_alice.put("users/me/status", body, status=400)

    assert as_alice.get("users/me/status")["status"] == "offline"


def test_only_the_user_or_an_admin_sets_a_status(api_as, admin, alice, bob):
    api_as(alice).put(f"users/{bob.id}/status", {"user_id": bob.id, "status": "dnd"}, status=403)
    api_as(admin).put(f"users/{bob.id}/status", {"user_id": bob.id, "status": "dnd"})

    assert api_as(alice).get(f"users/{bob.id}/status")["status"] == "dnd"
    api_as(alice).get(f"users/{new_id()}/status", status=404)


def test_statuses_by_ids_answer_once_per_id_with_unknown_ones_offline(api_as, alice, bob):
    api_as(bob).put("users/me/status", {"status": "online"})
    stranger = new_id()

    statuses = api_as(alice).post("users/status/ids", [bob.id, stranger, alice.id, bob.id])

    assert [(s["user_id"], s["status"]) for s in statuses] == [
        (bob.id, "online"),
        (stranger, "offline"),
        (alice.id, "offline"),
    ]


def test_statuses_by_ids_refuse_malformed_ids(api_as, alice):
    api_as(alice).post("users/status/ids", ["short"], status=400)


def test_status_needs_a_session(api_as, alice):
    api_as(None).get(f"users/{alice.id}/status", status=401)
    api_as(None).put(f"users/{alice.id}/status", {"status": "online"}, status=401)
    api_as(None).post("users/status/ids", [alice.id], status=401)
