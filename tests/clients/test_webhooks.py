"""Unmodified mattermostdriver 7.3.2 against a live Confab: an incoming webhook made
through the API and called the way scripts call it."""

import json

import pytest
import requests
from mattermostdriver.exceptions import InvalidOrMissingParameters

from tests.clients.conftest import make_driver
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]
PASSWORD = "Correct-Horse-7"


def test_a_script_creates_and_calls_an_incoming_webhook(live_server_url):
    UserFactory(username="alice")
    UserFactory(username="bob")
    alice = make_driver(live_server_url, login_id="alice", password=PASSWORD)
    bob = make_driver(live_server_url, login_id="bob", password=PASSWORD)
    alice.login()
    bob_me = bob.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bob_me["id"]})
    channel = alice.channels.create_channel(
        {"team_id": team["id"], "name": "builds", "display_name": "Builds", "type": "O"}
    )
    alice.channels.add_user(channel["id"], {"user_id": bob_me["id"]})

    hook = alice.webhooks.create_incoming_hook(
        {"channel_id": channel["id"], "display_name": "CI", "description": "builds"}
    )
    assert alice.webhooks.get_incoming_hook(hook["id"])["display_name"] == "CI"
    assert [h["id"] for h in alice.webhooks.list_incoming_hooks({"team_id": team["id"]})] == [
        hook["id"]
    ]

    # Anyone holding the URL may call it: a driver with no session at all.
    response = make_driver(live_server_url).webhooks.call_webhook(
        hook["id"], options={"text": "build 42 passed"}
    )
    assert (response.status_code, response.headers["Content-Type"], response.text) == (
        200,
        "text/plain",
        "ok",
    )

    posts = bob.posts.get_posts_for_channel(channel["id"])
    newest = posts["posts"][posts["order"][0]]
    assert (newest["message"], newest["user_id"]) == ("build 42 passed", hook["user_id"])
    assert newest["props"]["from_webhook"] == "true"
    assert newest["props"]["webhook_display_name"] == "CI"

    # The form body of curl-style integrations.
    form = requests.post(
        f"{live_server_url}/hooks/{hook['id']}",
        data={"payload": json.dumps({"text": "from a form"})},
        timeout=5,
    )
    assert (form.status_code, form.text) == (200, "ok")

    # A person cannot make their post look like the webhook's.
    fake = bob.posts.create_post(
        {
            "channel_id": channel["id"],
            "message": "I am CI",
            "props": {"from_webhook": "true", "webhook_display_name": "CI"},
        }
    )
    assert fake["props"] in ({}, None) or "from_webhook" not in fake["props"]

    with pytest.raises(InvalidOrMissingParameters):
        make_driver(live_server_url).webhooks.call_webhook("a" * 26, options={"text": "x"})
