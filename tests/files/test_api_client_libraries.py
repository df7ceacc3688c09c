"""Uploads and downloads through the unmodified client libraries against a live server."""

import pytest
from mattermost import MMApi

from apps.channels.models import Channel
from tests.clients.conftest import make_driver
from tests.factories import UserFactory, make_team

pytestmark = [pytest.mark.slow]
PASSWORD = "Correct-Horse-7"


def test_the_mattermost_package_uploads_its_file_part_before_channel_id(
    live_server_url, tmp_path
) -> None:
    alice = UserFactory(username="alice")
    town_square = Channel.objects.get(team=make_team(alice), name="town-square")
    page = tmp_path / "page.html"
    page.write_bytes(b"<script>alert(1)</script>")

    api = MMApi(f"{live_server_url}/api")
    api.login("alice", PASSWORD)
    post = api.create_post(town_square.id, "a page", filepaths=[str(page)])
    (file_id,) = post["file_ids"]
    assert post["metadata"]["files"][0]["name"] == "page.html"
    response = api.get_file(file_id)
    assert response.content == b"<script>alert(1)</script>"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    api.logout()


def test_mattermostdriver_uploads_reads_file_info_and_downloads(live_server_url, tmp_path) -> None:
    alice = UserFactory(username="alice")
    town_square = Channel.objects.get(team=make_team(alice), name="town-square")
    driver = make_driver(live_server_url, login_id="alice", password=PASSWORD)
    driver.login()
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"launch checklist\n")
    with notes.open("rb") as handle:
        uploaded = driver.files.upload_file(town_square.id, {"files": ("notes.txt", handle)})
    (info,) = uploaded["file_infos"]
    post = driver.posts.create_post(
        {"channel_id": town_square.id, "message": "notes", "file_ids": [info["id"]]}
    )
    assert driver.files.get_file_metadata(info["id"])["post_id"] == post["id"]
    assert [f["id"] for f in driver.posts.get_file_info_for_post(post["id"])] == [info["id"]]
    assert driver.files.get_file(info["id"]).content == b"launch checklist\n"
    driver.logout()
