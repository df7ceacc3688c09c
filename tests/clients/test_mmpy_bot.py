"""Unmodified mmpy_bot 2.2.1 (with mattermostautodriver): a bot made through
POST /api/v4/bots answers a needs_mention handler in a thread and in a DM."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.clients.conftest import make_driver, wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]
RUNNER = Path(__file__).with_name("mmpy_bot_runner.py")


def _replies(driver, root_id: str, bot_id: str) -> list[dict]:
    thread = driver.posts.get_thread(root_id)
    return [p for p in thread["posts"].values() if p["user_id"] == bot_id]


def test_bot_answers_mentions_in_a_thread_and_direct_messages(live_server_url, tmp_path):
    UserFactory(username="alice")
    alice = make_driver(live_server_url, login_id="alice", password="Correct-Horse-7")
    alice_me = alice.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    bot = alice.client.post("/bots", options={"username": "pongbot", "display_name": "Pong"})
    token = alice.users.create_user_access_token(bot["user_id"], {"description": "mmpy_bot"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bot["user_id"]})
    town_square = alice.channels.get_channel_by_name(team["id"], "town-square")

    url = urlparse(live_server_url)
    log = (tmp_path / "bot.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            str(RUNNER),
            f"http://{url.hostname}",
            str(url.port),
            token["token"],
            "acme",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: alice.status.get_user_status(bot["user_id"])["status"] == "online")

        question = alice.posts.create_post(
            {"channel_id": town_square["id"], "message": "@pongbot ping"}
        )
        [reply] = wait_for(lambda: _replies(alice, question["id"], bot["user_id"]))
        assert reply["root_id"] == question["id"]
        assert reply["message"] == "pong to alice"

        unmentioned = alice.posts.create_post({"channel_id": town_square["id"], "message": "ping"})
        dm = alice.channels.create_direct_message_channel([alice_me["id"], bot["user_id"]])
        direct = alice.posts.create_post({"channel_id": dm["id"], "message": "ping"})
        wait_for(lambda: _replies(alice, direct["id"], bot["user_id"]))
        assert _replies(alice, unmentioned["id"], bot["user_id"]) == []
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
