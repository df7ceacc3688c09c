"""Preferences over the API: saved, read by category and name, deleted, and private to
their user."""

import pytest

pytestmark = pytest.mark.django_db


def _prefs(user_id: str) -> list[dict]:
    return [
        {"user_id": user_id, "category": "theme", "name": "default", "value": "{}"},
        {"user_id": user_id, "category": "display_settings", "name": "use_military_time",
         "value": "true"},
        {"user_id": user_id, "category": "display_settings", "name": "channel_display_mode",
         "value": "full"},
    ]  # fmt: skip


def test_preferences_round_trip_by_user_category_and_name(api_as, alice, capture_events):
    as_alice = api_as(alice)

    with capture_events() as events:
        assert as_alice.put("users/me/preferences", _prefs(alice.id)) == {"status": "OK"}

    everything = as_alice.get("users/me/preferences")
    assert everything == sorted(_prefs(alice.id), key=lambda p: (p["category"], p["name"]))
    display = as_alice.get(f"users/{alice.id}/preferences/display_settings")
    assert [p["name"] for p in display] == ["channel_display_mode", "use_military_time"]
    assert as_alice.get("users/me/preferences/theme/name/default")["value"] == "{}"
    as_alice.get("users/me/preferences/theme/name/nothing", status=404)
    assert as_alice.get("users/me/preferences/nothing") == []
    assert len(events.named("preferences_changed")) == 1


def test_saving_a_preference_again_replaces_its_value(api_as, alice):
    as_alice = api_as(alice)
    as_alice.put("users/me/preferences", _prefs(alice.id))

    as_alice.put(
        "users/me/preferences",
        [{"user_id": alice.id, "category": "theme", "name": "default", "value": "dark"}],
    )

    assert as_alice.get("users/me/preferences/theme") == [
        {"user_id": alice.id, "category": "theme", "name": "default", "value": "dark"}
    ]


def test_deleting_preferences_removes_only_those_named(api_as, alice):
    as_alice = api_as(alice)
    as_alice.put("users/me/preferences", _prefs(alice.id))

    assert as_alice.post("users/me/preferences/delete", _prefs(alice.id)[:1]) == {"status": "OK"}

    assert [p["category"] for p in as_alice.get("users/me/preferences")] == [
        "display_settings",
        "display_settings",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"category": "theme", "name": "default", "value": "{}"},
        [{"category": "", "name": "default", "value": "{}"}],
        [{"category": "theme", "name": "x" * 65, "value": ""}],
        [{"category": "theme", "name": "default", "value": 5}],
        ["theme"],
        None,
    ],
)
def test_preferences_refuse_bad_input(api_as, alice, body):
    as_alice = api_as(alice)

    as_alice.put("users/me/preferences", body, status=400)
    as_alice.post("users/me/preferences/delete", body, status=400)

    assert as_alice.get("users/me/preferences") == []


def test_others_preferences_are_hidden_and_untouchable(api_as, admin, alice, bob):
    as_alice = api_as(alice)
    api_as(bob).put("users/me/preferences", _prefs(bob.id))

    as_alice.get(f"users/{bob.id}/preferences", status=404)
    as_alice.get(f"users/{bob.id}/preferences/theme", status=404)
    as_alice.get(f"users/{bob.id}/preferences/theme/name/default", status=404)
    as_alice.put(f"users/{bob.id}/preferences", _prefs(bob.id), status=403)
    as_alice.post(f"users/{bob.id}/preferences/delete", _prefs(bob.id), status=403)
    # Slipping bob's id into one's own list is refused as well.
    as_alice.put("users/me/preferences", _prefs(bob.id), status=403)

    assert len(api_as(admin).get(f"users/{bob.id}/preferences")) == 3
    assert len(api_as(bob).get("users/me/preferences")) == 3


def test_preferences_need_a_session(api_as, alice):
    api_as(None).get(f"users/{alice.id}/preferences", status=401)
    api_as(None).put(f"users/{alice.id}/preferences", _prefs(alice.id), status=401)
