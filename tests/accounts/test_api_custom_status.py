"""The custom status over HTTP: `PUT/DELETE /users/{id}/status/custom`, who may set it, and
what it refuses."""

import json

import pytest

from apps.accounts.models import User
from tests.channels.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def custom_status(user: User) -> dict | None:
    user.refresh_from_db()
    raw = user.props.get("customStatus")
    return json.loads(raw) if raw else None


def test_custom_status_set_read_and_cleared(api_as, world, capture_events):
    alice = api_as(world.alice)
    with capture_events() as events:
        alice.put("users/me/status/custom", {"emoji": "palm_tree", "text": "On holiday"})
    assert custom_status(world.alice) == {
        "emoji": "palm_tree",
        "text": "On holiday",
        "duration": "",
        "expires_at": "",
    }
    assert [e.data["user_id"] for e in events.named("user_updated")] == [world.alice.id]
    seen = api_as(world.bob).get(f"users/{world.alice.id}")
    assert json.loads(seen["props"]["customStatus"])["text"] == "On holiday"

    alice.delete("users/me/status/custom")
    assert custom_status(world.alice) is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"emoji": "", "text": "   "},
        {"text": "x" * 101},
        {"emoji": "not an emoji!", "text": "hi"},
        {"text": "hi", "duration": "forever"},
        {"text": 5},
        {"text": "hi", "expires_at": ["soon"]},
    ],
    ids=["empty", "blank", "too-long", "bad-emoji", "bad-duration", "not-text", "bad-expiry"],
)
def test_bad_custom_statuses_are_refused(api_as, world, body):
    api_as(world.alice).put("users/me/status/custom", body, status=400)
    assert custom_status(world.alice) is None


def test_nobody_sets_someone_elses_custom_status(api_as, world):
    api_as(world.bob).put(f"users/{world.alice.id}/status/custom", {"text": "hacked"}, status=403)
    api_as(world.admin).put(f"users/{world.alice.id}/status/custom", {"text": "by the admin"})
    assert custom_status(world.alice)["text"] == "by the admin"
