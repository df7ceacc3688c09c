"""`publish_event`: nothing leaves before the transaction commits, nothing leaves if it
rolls back, and every event names exactly one audience.

These tests use real transactions (`transaction=True`), since the ordinary test
transaction never commits.
"""

import logging
from collections.abc import Iterator

import pytest
from django.db import transaction

from apps.channels.events import CHANNEL_VIEWED
from apps.channels.models import Channel
from apps.posts.models import Post
from apps.posts.services import post_create
from apps.realtime import publish
from apps.realtime.publish import Broadcast, Event, publish_event
from tests.factories import UserFactory, make_channel, make_team

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


def _viewed(label: str, broadcast: Broadcast) -> Event:
    """A catalogue event told apart by its payload (`channel_id` carries the label)."""
    return CHANNEL_VIEWED.build({"channel_id": label}, broadcast)


def _labels(events: list[Event]) -> list[str]:
    return [e.data["channel_id"] for e in events]


@pytest.fixture
def delivered() -> Iterator[list[Event]]:
    """Events as a delivery transport receives them."""
    received: list[Event] = []
    unsubscribe = publish.subscribe(received.append)
    yield received
    unsubscribe()


def test_an_event_is_delivered_only_after_commit(delivered: list[Event]) -> None:
    with transaction.atomic():
        publish_event(_viewed("hello", Broadcast(user_id="u1")))
        assert delivered == []
    assert [(e.event, e.data, e.broadcast.user_id) for e in delivered] == [
        ("channel_viewed", {"channel_id": "hello"}, "u1")
    ]


def test_an_event_is_delivered_when_the_outermost_transaction_commits(
    delivered: list[Event],
) -> None:
    with transaction.atomic():
        with transaction.atomic():
            publish_event(_viewed("inner", Broadcast(channel_id="c1")))
        assert delivered == []
    assert _labels(delivered) == ["inner"]


def test_nothing_is_delivered_when_the_transaction_rolls_back(delivered: list[Event]) -> None:
    with pytest.raises(Boom), transaction.atomic():
        publish_event(_viewed("never", Broadcast(team_id="t1")))
        raise Boom
    assert delivered == []


def test_only_catalogue_events_are_published(delivered: list[Event]) -> None:
    with pytest.raises(ValueError, match="not in the event catalogue"):
        publish_event(Event("made_up", {}, Broadcast(user_id="u1")))
    assert delivered == []


def test_an_event_from_a_rolled_back_savepoint_is_dropped_but_others_survive(
    delivered: list[Event],
) -> None:
    with transaction.atomic():
        publish_event(_viewed("kept", Broadcast(user_id="u1")))
        with pytest.raises(Boom), transaction.atomic():
            publish_event(_viewed("dropped", Broadcast(user_id="u1")))
            raise Boom
    assert _labels(delivered) == ["kept"]


def test_events_are_delivered_in_the_order_they_were_published(delivered: list[Event]) -> None:
    with transaction.atomic():
        for n in range(3):
            publish_event(_viewed(f"e{n}", Broadcast(user_id="u1")))
    assert _labels(delivered) == ["e0", "e1", "e2"]


def test_outside_a_transaction_an_event_is_delivered_at_once(delivered: list[Event]) -> None:
    publish_event(_viewed("now", Broadcast(user_id="u1")))
    assert _labels(delivered) == ["now"]


def test_a_service_that_rolls_back_announces_nothing(delivered: list[Event]) -> None:
    admin = UserFactory(username="admin")
    team = make_team(admin)
    channel = make_channel(admin, team, "lobby")
    delivered.clear()
    with pytest.raises(Boom), transaction.atomic():
        post_create(actor=admin, channel=channel, message="rolled back")
        raise Boom
    assert delivered == []
    assert not Post.objects.filter(message="rolled back").exists()
    assert Channel.objects.get(id=channel.id).total_msg_count == 0
    post_create(actor=admin, channel=channel, message="committed")
    assert [e.event for e in delivered] == ["posted"]


def test_a_failing_transport_does_not_stop_delivery_to_the_others(
    delivered: list[Event], caplog
) -> None:
    def broken(event: Event) -> None:
        raise Boom("transport down")

    unsubscribe = publish.subscribe(broken)
    also: list[Event] = []
    unsubscribe_also = publish.subscribe(also.append)
    try:
        with caplog.at_level(logging.ERROR), transaction.atomic():
            publish_event(_viewed("first", Broadcast(user_id="u1")))
            publish_event(_viewed("second", Broadcast(user_id="u1")))
    finally:
        unsubscribe()
        unsubscribe_also()
    assert _labels(delivered) == ["first", "second"]
    assert _labels(also) == ["first", "second"]
    assert "transport down" in caplog.text


def test_an_unsubscribed_transport_receives_nothing_more(delivered: list[Event]) -> None:
    later: list[Event] = []
    unsubscribe = publish.subscribe(later.append)
    publish_event(_viewed("before", Broadcast(user_id="u1")))
    unsubscribe()
    publish_event(_viewed("after", Broadcast(user_id="u1")))
    assert _labels(later) == ["before"]
    assert _labels(delivered) == ["before", "after"]


# --- Broadcast ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "targets",
    [
        {},
        {"channel_id": "", "team_id": "", "user_id": ""},
        {"channel_id": "c1", "team_id": "t1"},
        {"channel_id": "c1", "user_id": "u1"},
        {"team_id": "t1", "user_id": "u1"},
        {"channel_id": "c1", "team_id": "t1", "user_id": "u1"},
    ],
)
def test_a_broadcast_names_exactly_one_audience(targets: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Broadcast(**targets)


@pytest.mark.parametrize("target", ["channel_id", "team_id", "user_id"])
def test_a_broadcast_to_one_channel_team_or_user_is_valid(target: str) -> None:
    broadcast = Broadcast(**{target: "x1"})
    wire = broadcast.to_wire()
    assert wire[target] == "x1"
    assert [k for k in ("channel_id", "team_id", "user_id") if wire[k]] == [target]


def test_the_wire_envelope_matches_mattermost() -> None:
    event = Event(
        event="typing",
        data={"user_id": "u1"},
        broadcast=Broadcast(channel_id="c1", omit_users=frozenset({"u2", "u1"})),
    )
    assert event.to_wire() == {
        "event": "typing",
        "data": {"user_id": "u1"},
        "broadcast": {
            "omit_users": {"u1": True, "u2": True},
            "user_id": "",
            "channel_id": "c1",
            "team_id": "",
            "connection_id": "",
            "omit_connection_id": "",
        },
    }
    assert Broadcast(user_id="u1").to_wire()["omit_users"] is None
