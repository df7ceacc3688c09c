"""The message that carries an event between processes: serialized once, routed without
parsing the frame."""

import json

from apps.realtime.publish import Broadcast, Event
from apps.realtime.transport import decode, encode, envelope_for


def test_an_envelope_survives_the_trip_through_redis() -> None:
    event = Event(
        "user_added",
        {"user_id": "u1", "channel_id": "c1", "team_id": "t1", "text": "line\nbreak ✓"},
        Broadcast(channel_id="c1", omit_users=frozenset({"u2"})),
    )
    envelope = envelope_for(event)
    assert decode(encode(envelope)) == envelope
    assert decode(encode(envelope).encode()) == envelope
    assert json.loads(envelope.frame) == event.to_wire()


def test_only_membership_and_session_events_carry_data_for_the_hub() -> None:
    posted = envelope_for(Event("posted", {"post": "{}"}, Broadcast(channel_id="c1")))
    assert posted.data is None
    revoked = envelope_for(
        Event("session_revoked", {"user_id": "u", "session_ids": ["s"]}, Broadcast(user_id="u"))
    )
    assert revoked.data == {"user_id": "u", "session_ids": ["s"]}
