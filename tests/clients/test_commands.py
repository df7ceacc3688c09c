"""Unmodified mattermostdriver 7.3.2 against a live Confab: built-in slash commands run
with `commands.execute_command` post in the channel as the caller."""

import pytest

from tests.clients.conftest import make_driver
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]
PASSWORD = "Correct-Horse-7"


def test_a_script_runs_shrug_and_me_in_a_channel(live_server_url):
    UserFactory(username="alice")
    alice = make_driver(live_server_url, login_id="alice", password=PASSWORD)
    me = alice.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    channel = alice.channels.create_channel(
        {"team_id": team["id"], "name": "fun", "display_name": "Fun", "type": "O"}
    )

    shrug = alice.commands.execute_command(
        {"channel_id": channel["id"], "team_id": team["id"], "command": "/shrug oh well"}
    )
    action = alice.commands.execute_command(
        {"channel_id": channel["id"], "team_id": team["id"], "command": "/me waves"}
    )

    assert (shrug["response_type"], action["response_type"]) == ("in_channel", "in_channel")
    assert len(action["trigger_id"]) == 26
    posts = alice.posts.get_posts_for_channel(channel["id"])
    newest, previous = (posts["posts"][i] for i in posts["order"][:2])
    assert (newest["message"], newest["type"], newest["user_id"]) == ("*waves*", "me", me["id"])
    assert previous["message"] == "oh well ¯\\\\\\_(ツ)\\_/¯"
    assert previous["user_id"] == me["id"]
