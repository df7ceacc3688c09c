"""Unmodified mmpy_bot 2.2.1 (with mattermostautodriver): a bot made through
POST /api/v4/bots answers a needs_mention handler in a thread and in a DM, and its
example plugin's buttons reach the bot's own webhook server through ours."""

import socket
import subprocess
import sys
from contextlib import contextmanager
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_bot(live_server_url: str, token: str, log_path: Path, webhook_port: int = 0):
    """The runner script as its own process, stopped when the block ends."""
    url = urlparse(live_server_url)
    args = [sys.executable, str(RUNNER), f"http://{url.hostname}", str(url.port), token, "acme"]
    if webhook_port:
        args.append(str(webhook_port))
    with log_path.open("w") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=10)


def _world(live_server_url):
    """alice, her team `acme` with the bot `pongbot` in it, and its Town Square."""
    UserFactory(username="alice")
    alice = make_driver(live_server_url, login_id="alice", password="Correct-Horse-7")
    alice_me = alice.login()
    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    bot = alice.client.post("/bots", options={"username": "pongbot", "display_name": "Pong"})
    token = alice.users.create_user_access_token(bot["user_id"], {"description": "mmpy_bot"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bot["user_id"]})
    town_square = alice.channels.get_channel_by_name(team["id"], "town-square")
    return alice, alice_me, bot, token["token"], town_square


def test_bot_answers_mentions_in_a_thread_and_direct_messages(live_server_url, tmp_path):
    alice, alice_me, bot, token, town_square = _world(live_server_url)
    with running_bot(live_server_url, token, tmp_path / "bot.log"):
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


def test_bot_buttons_reach_its_webhook_server_and_update_the_post(
    allow_loopback, live_server_url, tmp_path
):
    """mmpy_bot's `WebHookExample`: `!button` makes a post with Ping/Pong buttons whose
    integration URL is the bot's own webhook server; a click goes through
    `POST /posts/{id}/actions/{action_id}`, and the bot's answer edits the post."""
    alice, _alice_me, bot, token, town_square = _world(live_server_url)
    webhook_port = _free_port()
    with running_bot(live_server_url, token, tmp_path / "bot.log", webhook_port):
        wait_for(lambda: alice.status.get_user_status(bot["user_id"])["status"] == "online")
        question = alice.posts.create_post({"channel_id": town_square["id"], "message": "!button"})
        [buttons] = wait_for(lambda: _replies(alice, question["id"], bot["user_id"]))
        actions = buttons["props"]["attachments"][0]["actions"]
        assert [a["id"] for a in actions] == ["sendPing", "sendPong"]
        assert all("integration" not in a for a in actions)

        # The bot's webhook server may still be starting when its first post lands.
        answer = wait_for(
            lambda: _click(alice, buttons["id"], "sendPong"), timeout=15, interval=0.5
        )
        assert answer["status"] == "OK"
        updated = alice.posts.get_post(buttons["id"])
        assert updated["message"] == "The pong webhook works! :tada:"
        assert updated["props"] == {}
        assert updated["edit_at"] > 0


def _click(driver, post_id: str, action_id: str) -> dict | None:
    """Press a button as a client does; None while the integration cannot be reached."""
    from requests import HTTPError

    try:
        return driver.client.post(f"/posts/{post_id}/actions/{action_id}", options={})
    except HTTPError as error:  # 502 while the bot's webhook server is not listening yet
        if error.response is None or error.response.status_code != 502:
            raise
        return None
