"""Unmodified mattermostdriver 7.3.2 against a live Confab: the calls bots and scripts
make every day, end to end."""

import json

import pytest
from mattermostdriver.exceptions import NotEnoughPermissions, ResourceNotFound

from tests.clients.conftest import SocketListener, make_driver, wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]
PASSWORD = "Correct-Horse-7"


def test_password_login_then_token_login(live_server_url):
    UserFactory(username="alice")
    driver = make_driver(live_server_url, login_id="alice", password=PASSWORD)
    me = driver.login()
    assert me["username"] == "alice"
    assert driver.users.get_user("me")["id"] == me["id"]

    token_driver = make_driver(live_server_url, token=driver.client.token)
    assert token_driver.login()["username"] == "alice"
    driver.logout()


def test_a_day_of_chat_through_mattermostdriver(live_server_url, tmp_path):
    UserFactory(username="alice")
    UserFactory(username="bob")
    alice = make_driver(live_server_url, login_id="alice", password=PASSWORD)
    bob = make_driver(live_server_url, login_id="bob", password=PASSWORD)
    alice_me, bob_me = alice.login(), bob.login()

    team = alice.teams.create_team({"name": "acme", "display_name": "Acme", "type": "O"})
    alice.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bob_me["id"]})
    channel = alice.channels.create_channel(
        {"team_id": team["id"], "name": "launch", "display_name": "Launch", "type": "O"}
    )
    alice.channels.add_user(channel["id"], {"user_id": bob_me["id"]})
    assert alice.channels.get_channel_by_name_and_team_name("acme", "launch")["id"] == channel["id"]

    listener = SocketListener(bob).start()
    try:
        root = alice.posts.create_post({"channel_id": channel["id"], "message": "hi @bob"})
        posted = wait_for(
            lambda: [
                e
                for e in listener.events("posted")
                if json.loads(e["data"]["post"])["id"] == root["id"]
            ]
        )[0]
        assert posted["data"]["sender_name"] == "@alice"
        assert bob_me["id"] in json.loads(posted["data"]["mentions"])
    finally:
        listener.stop()

    reply = bob.posts.create_post(
        {"channel_id": channel["id"], "message": "a reply", "root_id": root["id"]}
    )
    nested = alice.posts.create_post(
        {"channel_id": channel["id"], "message": "nested", "root_id": reply["id"]}
    )
    assert nested["root_id"] == root["id"]
    thread = alice.posts.get_thread(root["id"])
    assert set(thread["order"]) == {root["id"], reply["id"], nested["id"]}

    for n in range(7):
        alice.posts.create_post({"channel_id": channel["id"], "message": f"history {n}"})
    seen = []
    page = 0
    while True:
        chunk = bob.posts.get_posts_for_channel(channel["id"], params={"page": page, "per_page": 4})
        if not chunk["order"]:
            break
        seen.extend(chunk["order"])
        page += 1
    assert len(seen) == len(set(seen)) >= 10

    edited = alice.posts.patch_post(root["id"], {"message": "hi @bob (edited)"})
    assert edited["edit_at"] > 0
    alice.posts.pin_post_to_channel(root["id"])
    assert alice.posts.get_post(root["id"])["is_pinned"] is True
    reaction = bob.reactions.create_reaction(
        {"user_id": bob_me["id"], "post_id": root["id"], "emoji_name": "tada"}
    )
    assert reaction["emoji_name"] == "tada"
    assert [r["emoji_name"] for r in alice.reactions.get_reactions_of_post(root["id"])] == ["tada"]
    with pytest.raises(NotEnoughPermissions):
        bob.posts.patch_post(root["id"], {"message": "not yours"})
    alice.posts.delete_post(reply["id"])
    with pytest.raises(ResourceNotFound):
        bob.posts.get_post(reply["id"])

    dm = alice.channels.create_direct_message_channel([alice_me["id"], bob_me["id"]])
    again = bob.channels.create_direct_message_channel([bob_me["id"], alice_me["id"]])
    assert dm["id"] == again["id"] and dm["type"] == "D"

    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"launch checklist\n")
    with upload.open("rb") as handle:
        infos = alice.files.upload_file(channel["id"], {"files": ("notes.txt", handle)})
    file_id = infos["file_infos"][0]["id"]
    post = alice.posts.create_post(
        {"channel_id": channel["id"], "message": "the notes", "file_ids": [file_id]}
    )
    assert post["file_ids"] == [file_id]
    downloaded = bob.files.get_file(file_id)
    assert downloaded.content == b"launch checklist\n"
