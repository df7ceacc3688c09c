"""Unmodified `mattermost` 10.11.0 (MMApi and MMws) against a live Confab."""

import time

import pytest
from mattermost import MMApi
from mattermost.ws import MMws

from apps.channels.models import Channel
from tests.clients.conftest import wait_for
from tests.factories import UserFactory, make_team

pytestmark = [pytest.mark.slow]


def test_login_posts_and_a_header_authenticated_websocket(live_server_url):
    alice = UserFactory(username="alice")
    team = make_team(alice)
    town_square = Channel.objects.get(team=team, name="town-square")

    api = MMApi(f"{live_server_url}/api")
    me = api.login("alice", "Correct-Horse-7")
    assert me["id"] == alice.id

    received: list[dict] = []
    socket = MMws(
        lambda ws, event: received.append(event),
        api,
        live_server_url.replace("http", "ws") + "/api/v4/websocket",
    )
    try:
        time.sleep(3.5)  # MMws opens its socket on a 3-second timer
        first = api.create_post(town_square.id, "hello from the mattermost package")
        assert first["root_id"] == ""  # sent as null, stored as a root post
        reply = api.create_post(town_square.id, "and a reply", root_id=first["id"])
        assert reply["root_id"] == first["id"]
        wait_for(lambda: [e for e in received if e.get("event") == "posted"])
    finally:
        socket.close_websocket()

    messages = [p["message"] for p in api.get_posts_for_channel(town_square.id)]
    assert "hello from the mattermost package" in messages
    assert "and a reply" in messages
    api.logout()
